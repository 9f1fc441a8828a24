"""
The check-in desk pages, for the proctors and admins of a test centre: my
sessions, and a session's desk, where the webcam reads the tickets' QR codes
(static/js/checkin_desk.js, through the desk API in exams/api/desk_views.py)
and the proctor compares the registered photo with one taken now.

Registered photos are sensitive personal information kept in private storage:
they are served here, one at a time, to the desk staff of the candidate's
session only, and never cached.
"""

import mimetypes

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from exams import checkin


def _desk_staff_only(request):
    if not checkin.is_desk_staff(request.user):
        raise PermissionDenied


@login_required
def session_list(request):
    _desk_staff_only(request)
    sessions = Paginator(checkin.sessions_for_desk(request.user), 30).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(request, "exams/desk/session_list.html", {"sessions": sessions})


@login_required
def session_desk(request, session_id):
    _desk_staff_only(request)
    session = get_object_or_404(
        checkin.desk_sessions(request.user).select_related("exam", "centre", "room"),
        pk=session_id,
    )
    return TemplateResponse(
        request,
        "exams/desk/session_desk.html",
        {
            "session": session,
            "counts": checkin.desk_counts(session),
            "check_in_opens_at": checkin.check_in_opens_at(session),
        },
    )


@require_GET
@never_cache
@login_required
def registered_photo(request, booking_id):
    _desk_staff_only(request)
    booking = get_object_or_404(
        checkin.bookings_for_desk(request.user).select_related("candidate"), pk=booking_id
    )
    photo = booking.candidate.photo
    if not photo:
        raise Http404
    content_type = mimetypes.guess_type(photo.name)[0] or "image/jpeg"
    return FileResponse(photo.open("rb"), content_type=content_type)
