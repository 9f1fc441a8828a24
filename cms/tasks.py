from django.core.management import call_command

from config.celery_app import idempotent_task


@idempotent_task
def publish_scheduled_pages():
    """Publish pages whose go-live time has come and unpublish expired ones (Wagtail)."""
    call_command("publish_scheduled", verbosity=0)


# The worker finds tasks in each app's `tasks` module; the quiz's live in cms/quiz/.
from cms.quiz.tasks import finish_overdue_plays, purge_personal_details  # noqa: E402, F401
