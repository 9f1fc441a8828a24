"""The trainers' and centre admins' screens in the Wagtail admin."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from training import admin_import, admin_views, services
from training.models import TrainingIndexPage


@hooks.register("after_create_page")
def open_new_training_section_to_trainers(request, page):
    if isinstance(page.specific, TrainingIndexPage):
        services.training_section_open_to_trainers(page)


@hooks.register("register_admin_urls")
def training_urls():
    return [
        path("training/", admin_views.dashboard, name="training_dashboard"),
        path(
            "training/courses/<int:course_id>/learners/",
            admin_views.course_learners,
            name="training_course_learners",
        ),
        path(
            "training/enrolments/<int:enrolment_id>/",
            admin_views.learner_record,
            name="training_learner_record",
        ),
        path(
            "training/courses/<int:course_id>/export.xlsx",
            admin_views.export_course_record,
            name="training_export_course_record",
        ),
        path(
            "training/courses/<int:course_id>/enrol-from-excel/",
            admin_import.enrol_from_excel,
            name="training_enrol_from_excel",
        ),
        path(
            "training/enrolment-template/",
            admin_import.enrolment_template,
            name="training_enrolment_template",
        ),
    ]


class TrainingMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("training.view_enrolment")


@hooks.register("register_admin_menu_item")
def training_menu_item():
    return TrainingMenuItem(
        _("Training"),
        reverse("training_dashboard"),
        name="training",
        icon_name="clipboard-list",
        order=250,
    )
