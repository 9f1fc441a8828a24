"""
The question chooser of the quiz editor. A publicity editor picking twenty
questions from a bank of thousands searches the stems and knowledge points
(by substring, which suits Chinese), narrows by bank and type, and ticks
several at once. Only questions a play can ask are offered: the current
version, active.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from exams.choices import QuestionStatus, QuestionType
from exams.models import Question, QuestionBank


def askable_questions():
    return (
        Question.objects.filter(is_current=True, status=QuestionStatus.ACTIVE)
        .select_related("bank")
        .order_by("-created_at", "-pk")
    )


def _filter_select(choices=None):
    # The chooser modal searches again when a select so marked changes.
    return forms.Select(attrs={"data-chooser-modal-search-filter": True}, choices=choices or ())


class QuestionFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Search term"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Words of the question or a knowledge point")}
        ),
    )
    bank = forms.ModelChoiceField(
        label=_("Bank"),
        queryset=QuestionBank.objects.order_by("name"),
        required=False,
        empty_label=_("All banks"),
        widget=_filter_select(),
    )
    type = forms.ChoiceField(
        label=_("Question type"),
        choices=[("", _("All types")), *QuestionType.choices],
        required=False,
        widget=_filter_select(),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            matching = Question.objects.filter(
                Q(stem__icontains=query) | Q(tags__name__icontains=query)
            ).values("pk")
            objects = objects.filter(pk__in=matching)
            self.is_searching = True
            self.search_query = query
        if self.cleaned_data.get("bank"):
            objects = objects.filter(bank=self.cleaned_data["bank"])
        if self.cleaned_data.get("type"):
            objects = objects.filter(type=self.cleaned_data["type"])
        return objects


class ForQuizEditors:
    """Those who may add or edit a quiz choose its questions; the list is what a play can ask."""

    def dispatch(self, request, *args, **kwargs):
        if not (request.user.has_perm("cms.add_quiz") or request.user.has_perm("cms.change_quiz")):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_object_list(self):
        return askable_questions()


class QuestionColumns:
    per_page = 20
    filter_form_class = QuestionFilterForm

    @property
    def columns(self):
        return [
            *super().columns,
            Column("type", label=_("Question type"), accessor="get_type_display"),
            Column("difficulty", label=_("Difficulty")),
            Column("bank", label=_("Bank")),
        ]


class ChooseView(ForQuizEditors, QuestionColumns, chooser_views.ChooseView):
    pass


class ChooseResultsView(ForQuizEditors, QuestionColumns, chooser_views.ChooseResultsView):
    pass


class ChosenView(ForQuizEditors, chooser_views.ChosenView):
    def get_object(self, pk):
        return askable_questions().get(pk=pk)


class ChosenMultipleView(ForQuizEditors, chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        return askable_questions().filter(pk__in=[pk for pk in pks if str(pk).isdigit()])


class QuizQuestionChooserViewSet(ChooserViewSet):
    model = Question
    url_prefix = "quizzes/question-chooser"
    icon = "help"
    choose_one_text = _("Choose questions")
    choose_another_text = _("Choose another question")
    page_title = _("Choose questions")
    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView
    # The question bank's own snippet chooser stays the default for other forms.
    register_widget = False


quiz_question_chooser = QuizQuestionChooserViewSet("quiz_question_chooser")
QuestionChooserWidget = quiz_question_chooser.widget_class
