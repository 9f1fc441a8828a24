"""
Printing a session's admission tickets in the Wagtail admin: one PDF, one
ticket a page in seat order, for candidates who come without theirs.

Tickets carry personal information, so a centre's admins print only their
own centre's sessions; the bureau and superusers print any.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from exams import ticket_pdf
from exams.models import ExamSession


def may_print_tickets(user, session):
    return user.is_bureau or session.centre.admins.filter(pk=user.pk).exists()


@never_cache
@permission_required("exams.view_booking", raise_exception=True)
def session_tickets_pdf(request, session_id):
    """
    GET: how many tickets the session has, and a button to prepare them.
    POST: the worker renders them (a room of 300 takes about 20 s); the page
    then follows the job (?job=…) until the PDF can be downloaded.
    """
    session = get_object_or_404(ExamSession.objects.select_related("centre"), pk=session_id)
    if not may_print_tickets(request.user, session):
        raise PermissionDenied
    count = ticket_pdf.session_ticket_holders(session).count()
    if not count:
        messages.warning(request, _("Nobody holds a seat in this session: there are no tickets."))
        return redirect("wagtailadmin_home")
    if request.method == "POST":
        token = ticket_pdf.print_job_start(session=session, user=request.user)
        return redirect(f"{request.path}?job={token}")
    job = None
    if token := request.GET.get("job"):
        job = ticket_pdf.print_jobs.for_page(token, session=session, user=request.user)
        if job["status"] == "done" and request.GET.get("download"):
            starts = timezone.localtime(session.starts_at)
            filename = f"{_('Admission tickets')}-{session.centre.code}-{starts:%Y%m%d-%H%M}.pdf"
            return ticket_pdf.print_jobs.download(
                job, filename=filename, content_type="application/pdf"
            )
    return TemplateResponse(
        request,
        "exams/admin/session_tickets.html",
        {"session": session, "count": count, "job": job, "token": token},
    )
