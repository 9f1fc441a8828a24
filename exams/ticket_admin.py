"""
Printing a session's admission tickets in the Wagtail admin: one PDF, one
ticket a page in seat order, for candidates who come without theirs.

Tickets carry personal information, so a centre's admins print only their
own centre's sessions; the bureau and superusers print any.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.choices import ROLE_GROUP_NAMES, Role
from exams import ticket_pdf
from exams.models import ExamSession


def may_print_tickets(user, session):
    return (
        user.is_superuser
        or user.groups.filter(name=ROLE_GROUP_NAMES[Role.BUREAU_ADMIN]).exists()
        or session.centre.admins.filter(pk=user.pk).exists()
    )


@never_cache
@permission_required("exams.view_booking", raise_exception=True)
def session_tickets_pdf(request, session_id):
    session = get_object_or_404(ExamSession.objects.select_related("centre"), pk=session_id)
    if not may_print_tickets(request.user, session):
        raise PermissionDenied
    if not ticket_pdf.session_ticket_holders(session).exists():
        messages.warning(request, _("Nobody holds a seat in this session: there are no tickets."))
        return redirect("wagtailadmin_home")
    starts = timezone.localtime(session.starts_at)
    filename = f"准考证-{session.centre.code}-{starts:%Y%m%d-%H%M}.pdf"
    return HttpResponse(
        ticket_pdf.render_session_tickets(session),
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )
