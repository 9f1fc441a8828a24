"""The campaign quizzes in the Wagtail admin, for publicity editors."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import TabbedInterface
from wagtail.admin.widgets.button import ListingButton
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from cms.quiz.models import Quiz


class QuizIndexView(IndexView):
    def get_list_buttons(self, instance):
        results = ListingButton(
            _("Results"), url=reverse("quiz_results", args=[instance.pk]), icon_name="table"
        )
        return [results, *super().get_list_buttons(instance)]


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Campaign quizzes")
    menu_name = "campaign_quizzes"
    add_to_admin_menu = True
    menu_order = 250
    index_view_class = QuizIndexView
    edit_handler = TabbedInterface(Quiz.panels[0].children)
    list_display = ["title", "opens_at", "closes_at", "questions_per_play", "plays_per_day"]
    search_fields = ["title"]
