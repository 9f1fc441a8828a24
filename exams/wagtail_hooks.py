from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from exams import admin_views, booking_admin, calendar_views, regrade_admin, ticket_admin
from exams.bulk_actions import RetireQuestionsBulkAction
from exams.centre_viewsets import TestCentreGroup
from exams.models import ExamSession, Question, Room, TestCentre
from exams.viewsets import QuestionBankGroup

register_snippet(QuestionBankGroup)
register_snippet(TestCentreGroup)

CENTRE_MODELS = (TestCentre, Room, ExamSession)


@hooks.register("before_bulk_action")
def refuse_bulk_changes_to_centres(request, action_type, objects, action_class_instance):
    """
    Wagtail's bulk actions check the model permission only, not the centre:
    centres, rooms and sessions are deleted one at a time, through the
    screens that know whose they are and what still uses them.
    """
    if any(isinstance(obj, CENTRE_MODELS) for obj in objects):
        messages.error(request, _("Test centres, rooms and sessions are deleted one at a time."))
        return redirect("wagtailadmin_home")
    return None


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


@hooks.register("register_admin_urls")
def regrade_urls():
    return [
        path(
            "exams/questions/<int:question_id>/regrade/",
            regrade_admin.regrade_question,
            name="exams_regrade",
        ),
    ]


@hooks.register("register_snippet_action_menu_item")
def regrade_menu_item(model):
    """A question's edit screen offers the bureau to re-grade with its key."""
    return regrade_admin.RegradeMenuItem(order=50) if model is Question else None


@hooks.register("register_admin_urls")
def admission_ticket_urls():
    return [
        path(
            "exams/sessions/<int:session_id>/tickets.pdf",
            ticket_admin.session_tickets_pdf,
            name="exams_session_tickets",
        ),
    ]


@hooks.register("register_admin_urls")
def answer_similarity_urls():
    from exams import similarity_views

    return [
        path(
            "exams/sessions/<int:session_id>/similarity/",
            similarity_views.session_similarity,
            name="exams_session_similarity",
        ),
    ]


@hooks.register("register_admin_urls")
def test_centre_urls():
    return [
        path("exams/calendar/", calendar_views.session_calendar, name="exams_session_calendar"),
        path("exams/bookings/", booking_admin.booking_list, name="exams_bookings"),
        path(
            "exams/bookings/export.xlsx",
            booking_admin.export_bookings,
            name="exams_bookings_export",
        ),
        path(
            "exams/bookings/<int:booking_id>/", booking_admin.booking_detail, name="exams_booking"
        ),
        path(
            "exams/sessions/<int:session_id>/book-from-excel/",
            booking_admin.book_from_excel,
            name="exams_book_from_excel",
        ),
        path(
            "exams/sessions/<int:session_id>/booking-template.xlsx",
            booking_admin.booking_template,
            name="exams_booking_template",
        ),
    ]


class PermittedMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_test_centres_menu_item")
def session_calendar_menu_item():
    return PermittedMenuItem(
        _("Session calendar"),
        reverse("exams_session_calendar"),
        name="session_calendar",
        icon_name="calendar",
        order=10,
        permission="exams.view_examsession",
    )


@hooks.register("register_test_centres_menu_item")
def bookings_menu_item():
    return PermittedMenuItem(
        _("Bookings"),
        reverse("exams_bookings"),
        name="bookings",
        icon_name="list-ul",
        order=11,
        permission="exams.view_booking",
    )


@hooks.register("register_admin_urls")
def certificate_urls():
    from exams import certificate_admin

    return [
        path("exams/certificates/", certificate_admin.certificate_list, name="exams_certificates"),
        path(
            "exams/certificates/export.xlsx",
            certificate_admin.export_certificates,
            name="exams_certificates_export",
        ),
        path(
            "exams/certificates/renewal/",
            certificate_admin.renewal_list,
            name="exams_certificates_renewal",
        ),
        path(
            "exams/certificates/<str:name>.png",
            certificate_admin.stamp,
            name="exams_certificate_stamp",
        ),
        path(
            "exams/certificates/rerender/",
            certificate_admin.rerender,
            name="exams_certificates_rerender",
        ),
        path(
            "exams/certificates/<int:certificate_id>/",
            certificate_admin.certificate_detail,
            name="exams_certificate",
        ),
        path(
            "exams/certificates/<int:certificate_id>/certificate.pdf",
            certificate_admin.certificate_pdf,
            name="exams_certificate_pdf",
        ),
        path(
            "exams/sessions/<int:session_id>/certificates.zip",
            certificate_admin.session_zip,
            name="exams_session_certificates_zip",
        ),
    ]


class CertificateMenuItem(MenuItem):
    def is_shown(self, request):
        from exams.certificate_selectors import may_see_certificates

        return may_see_certificates(request.user)


@hooks.register("register_test_centres_menu_item")
def certificates_menu_item():
    return CertificateMenuItem(
        _("Certificates"),
        reverse("exams_certificates"),
        name="certificates",
        icon_name="doc-full",
        order=20,
    )


@hooks.register("register_test_centres_menu_item")
def renewal_menu_item():
    return CertificateMenuItem(
        _("Due for renewal review"),
        reverse("exams_certificates_renewal"),
        name="certificates_renewal",
        icon_name="time",
        order=21,
    )


@hooks.register("register_admin_urls")
def dashboard_urls():
    from exams.statistics import views

    return views.urls()


@hooks.register("register_admin_menu_item")
def dashboard_menu_item():
    """The bureau's dashboard (a centre admin's shows their centre only)."""
    from exams.statistics import views

    return views.menu_item()


@hooks.register("register_admin_urls")
def monthly_report_urls():
    from exams.statistics import report_views

    return report_views.urls()


@hooks.register("register_admin_menu_item")
def monthly_reports_menu_item():
    """The bureau's monthly reports (每月安全生产形势分析), kept as PDFs."""
    from exams.statistics import report_views

    return report_views.menu_item()
