from django.urls import path
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from exams import admin_views
from exams.bulk_actions import RetireQuestionsBulkAction
from exams.viewsets import QuestionBankGroup

register_snippet(QuestionBankGroup)
hooks.register("register_bulk_action", RetireQuestionsBulkAction)


@hooks.register("register_admin_urls")
def question_bank_urls():
    return [
        path("exams/import/", admin_views.import_questions, name="exams_import"),
        path(
            "exams/import/template.xlsx", admin_views.import_template, name="exams_import_template"
        ),
        path("exams/import/<int:pk>/", admin_views.import_job, name="exams_import_job"),
        path(
            "exams/import/<int:pk>/confirm/",
            admin_views.import_job_confirm,
            name="exams_import_confirm",
        ),
        path("exams/export/", admin_views.export_questions, name="exams_export"),
    ]
