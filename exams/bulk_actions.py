from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from exams import selectors, services
from exams.models import Question


class RetireQuestionsBulkAction(SnippetBulkAction):
    """Retire the selected questions: they stay in past papers but are drawn no more."""

    display_name = _("Retire")
    action_type = "retire"
    aria_label = _("Retire the selected questions")
    template_name = "exams/admin/confirm_bulk_retire.html"
    action_priority = 20
    models = [Question]

    def check_perm(self, question):
        user = self.request.user
        return (
            self.permission_policy.user_has_permission_for_instance(user, "change", question)
            and selectors.banks_for_author(user).filter(pk=question.bank_id).exists()
        )

    @classmethod
    def execute_action(cls, objects, **kwargs):
        user = kwargs["self"].request.user
        count = services.questions_retire(
            questions=selectors.questions_for_author(user).filter(pk__in=[q.pk for q in objects])
        )
        return count, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d question retired.", "%(count)d questions retired.", num_parent_objects
        ) % {"count": num_parent_objects}
