"""
The question bank in the Wagtail admin: banks, questions (with filters,
search, bulk retire and a preview as the candidate sees it) and papers.

Saving goes through exams.services, so that editing an active question makes
a new version and a blueprint is checked against the banks before it is saved.
"""

import unicodedata

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.rich_text import get_rich_text_editor_widget
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import Button
from wagtail.snippets.views.snippets import (
    CreateView,
    DeleteView,
    EditView,
    HistoryView,
    IndexView,
    SnippetViewSet,
    SnippetViewSetGroup,
    UsageView,
)

from exams import selectors, services
from exams.choices import PaperKind, QuestionType
from exams.importers.base import FALSE, OPTION_LABELS, TRUE
from exams.item_analysis import ItemAnalysisColumn, ItemAnalysisListing, ItemAnalysisPanel
from exams.models import BlueprintRule, Exam, Paper, Question, QuestionBank

TRUE_WORDS = {"对", "正确", "√", "T", "TRUE", "是", "Y"}
FALSE_WORDS = {"错", "错误", "×", "X", "F", "FALSE", "否", "N"}


def parse_answer(value, question_type):
    """'ABD', 'A、B', '正确', '错' … → option indexes (TRUE/FALSE for true/false)."""
    text = unicodedata.normalize("NFKC", value or "").strip().upper()
    if question_type == QuestionType.TRUE_FALSE:
        if text in TRUE_WORDS:
            return list(TRUE)
        if text in FALSE_WORDS:
            return list(FALSE)
        raise ValidationError(_("Write 正确 or 错误."))
    letters = [c for c in text if c.isalnum()]
    if not letters or any(c not in OPTION_LABELS for c in letters):
        raise ValidationError(_("Write the letters of the correct options, e.g. A or ABD."))
    return sorted({OPTION_LABELS.index(c) for c in letters})


def option_field(label):
    return forms.CharField(
        label=_("Option %(label)s") % {"label": label}, required=False, max_length=500
    )


class QuestionForm(WagtailAdminModelForm):
    """Options as eight text boxes (A–H) and the answer as letters, like the Excel layout."""

    option_A = option_field("A")
    option_B = option_field("B")
    option_C = option_field("C")
    option_D = option_field("D")
    option_E = option_field("E")
    option_F = option_field("F")
    option_G = option_field("G")
    option_H = option_field("H")
    answer_text = forms.CharField(
        label=_("Answer"),
        max_length=16,
        help_text=_("Letters of the correct options (e.g. B or ABD); 正确 or 错误 for true/false."),
    )

    class Meta:
        model = Question
        fields = [
            "bank",
            "type",
            "stem",
            "image",
            "explanation",
            "difficulty",
            "industry",
            "tags",
            "source",
            "status",
        ]
        widgets = {"stem": get_rich_text_editor_widget(features=services.STEM_FEATURES)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index, text in enumerate(self.instance.options or []):
            self.fields[f"option_{OPTION_LABELS[index]}"].initial = text
        if self.instance.pk:
            self.fields["answer_text"].initial = self.instance.answer_display
            # Versions live in one bank; moving a question is not an edit.
            self.fields["bank"].disabled = True
        if self.for_user is not None:
            self.fields["bank"].queryset = selectors.banks_for_author(self.for_user)

    def clean(self):
        cleaned = super().clean()
        options = [cleaned.get(f"option_{label}", "").strip() for label in OPTION_LABELS]
        while options and not options[-1]:
            options.pop()
        question_type = cleaned.get("type")
        if question_type == QuestionType.TRUE_FALSE:
            options = []
        try:
            answer = parse_answer(cleaned.get("answer_text"), question_type)
        except ValidationError as exc:
            self.add_error("answer_text", exc)
            return cleaned
        cleaned["options"], cleaned["answer"] = options, answer
        # The preview panel renders the unsaved instance: give it the options too.
        self.instance.options, self.instance.answer = options, answer
        try:
            services.validate_question(
                type=question_type,
                stem=cleaned.get("stem", ""),
                options=options,
                answer=answer,
                difficulty=cleaned.get("difficulty") or 3,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                target = {"options": "option_A", "answer": "answer_text"}.get(field, field)
                self.add_error(target if target in self.fields else None, messages)
        return cleaned

    def service_values(self):
        data = self.cleaned_data
        return {
            "type": data["type"],
            "stem": data["stem"],
            "options": data["options"],
            "answer": data["answer"],
            "explanation": data["explanation"],
            "difficulty": data["difficulty"],
            "industry": data["industry"],
            "source": data["source"],
            "status": data["status"],
            "image": data["image"],
        }


class QuestionCreateView(CreateView):
    def save_instance(self):
        return services.question_create(
            bank=self.form.cleaned_data["bank"],
            tags=self.form.cleaned_data["tags"],
            created_by=self.request.user,
            **self.form.service_values(),
        )


class QuestionEditView(EditView):
    def get_queryset(self):
        # Only the current version, and only in a bank this person authors in.
        return selectors.questions_for_author(self.request.user)

    def save_instance(self):
        return services.question_revise(
            question=self.object,
            user=self.request.user,
            tags=self.form.cleaned_data["tags"],
            **self.form.service_values(),
        )


class InAuthorsBanks:
    """Object views that only find questions in a bank the person authors in."""

    def get_base_object_queryset(self):
        return Question.objects.filter(bank__in=selectors.banks_for_author(self.request.user))


class QuestionHistoryView(InAuthorsBanks, HistoryView):
    pass


class QuestionUsageView(InAuthorsBanks, UsageView):
    pass


class QuestionDeleteView(InAuthorsBanks, DeleteView):
    pass


class QuestionFilterSet(WagtailFilterSet):
    tag = django_filters.ModelChoiceFilter(
        label=_("Knowledge point"),
        field_name="tags",
        queryset=Tag.objects.filter(exams_questiontag_items__isnull=False)
        .distinct()
        .order_by("name"),
    )

    bank = django_filters.ModelChoiceFilter(
        label=_("Bank"), queryset=lambda request: selectors.banks_for_author(request.user)
    )

    class Meta:
        model = Question
        fields = ["bank", "type", "status", "difficulty", "industry"]


class QuestionIndexView(ItemAnalysisListing, IndexView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        query = self.request.GET.urlencode()
        buttons.append(
            Button(
                _("Import questions"), url=reverse("exams_import"), icon_name="upload", priority=10
            )
        )
        for fmt, label in (
            ("xlsx", _("Export to Excel")),
            ("moodle", _("Export to Moodle XML")),
            ("gift", _("Export to GIFT")),
        ):
            buttons.append(
                Button(
                    label,
                    url=f"{reverse('exams_export')}?format={fmt}&{query}",
                    icon_name="download",
                    priority=20,
                )
            )
        return buttons


class StemColumn(Column):
    def get_value(self, instance):
        return str(instance)


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Questions")
    add_view_class = QuestionCreateView
    edit_view_class = QuestionEditView
    index_view_class = QuestionIndexView
    history_view_class = QuestionHistoryView
    usage_view_class = QuestionUsageView
    delete_view_class = QuestionDeleteView
    # Wagtail's copy view would save outside the services (no version, any bank).
    copy_view_enabled = False
    filterset_class = QuestionFilterSet
    search_fields = ["stem", "explanation", "source"]
    search_backend_name = None  # substring search: right for Chinese
    list_display = [
        StemColumn("stem", label=_("Question")),
        "type",
        "difficulty",
        "status",
        "version",
        "bank",
        ItemAnalysisColumn(),
    ]
    list_per_page = 50
    ordering = ["-created_at"]

    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("bank"), FieldPanel("type"), FieldPanel("status")]),
            FieldPanel("stem"),
            FieldPanel("image"),
            MultiFieldPanel(
                [FieldPanel(f"option_{label}") for label in OPTION_LABELS],
                heading=_("Options (leave the unused ones empty)"),
            ),
            FieldPanel("answer_text"),
            FieldPanel("explanation"),
            FieldRowPanel([FieldPanel("difficulty"), FieldPanel("industry")]),
            FieldPanel("tags"),
            FieldPanel("source"),
            ItemAnalysisPanel(),
        ],
        base_form_class=QuestionForm,
    )

    def get_queryset(self, request):
        return selectors.questions_for_author(request.user).select_related("bank")


class PaperForm(WagtailAdminModelForm):
    class Meta:
        model = Paper
        fields = [
            "name",
            "kind",
            "banks",
            "pass_mark",
            "duration_minutes",
            "multiple_choice_scoring",
            "shuffle_questions",
            "shuffle_options",
        ]

    def is_valid(self):
        # The rules are inline formsets, validated after clean(): check the
        # blueprint against the banks once everything else is valid.
        if not super().is_valid():
            return False
        self.check_contents()
        return not self.errors

    def check_contents(self):
        cleaned = self.cleaned_data
        rules = [
            {**form.cleaned_data, "tags": BlueprintRule.split_tags(form.cleaned_data.get("tags"))}
            for form in self.formsets["rules"].forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        fixed = [
            form.cleaned_data
            for form in self.formsets["fixed_questions"].forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if cleaned.get("kind") == PaperKind.BLUEPRINT:
            if not rules:
                self.add_error(None, _("A blueprint needs at least one rule."))
            elif not cleaned.get("banks"):
                self.add_error("banks", _("Choose the banks to draw from."))
            else:
                for message in services.blueprint_shortfalls(banks=cleaned["banks"], rules=rules):
                    self.add_error(None, message)
        elif not fixed:
            self.add_error(None, _("A fixed paper needs at least one question."))


class PaperViewSet(SnippetViewSet):
    model = Paper
    icon = "doc-full"
    menu_label = _("Papers")
    list_display = [
        "name",
        "kind",
        Column("total_points", label=_("Total points")),
        "pass_mark",
        "duration_minutes",
    ]
    edit_handler = ObjectList(Paper.panels, base_form_class=PaperForm)
    copy_view_enabled = False


class QuestionBankViewSet(SnippetViewSet):
    model = QuestionBank
    icon = "folder-open-inverse"
    menu_label = _("Question banks")
    list_display = ["name", "owner"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return selectors.banks_for_author(request.user)


class ExamViewSet(SnippetViewSet):
    """Exams and the training they require; sessions and bookings build on these."""

    model = Exam
    icon = "clipboard-list"
    menu_label = _("Exams")
    list_display = ["title", "target_role", "industry", "paper", "attempts_allowed"]
    list_filter = ["target_role", "industry"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return Exam.objects.select_related("paper")


class QuestionBankGroup(SnippetViewSetGroup):
    items = (QuestionViewSet, QuestionBankViewSet, PaperViewSet, ExamViewSet)
    menu_icon = "help"
    menu_label = _("Question bank")
    menu_name = "question_bank"
    menu_order = 300
