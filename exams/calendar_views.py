"""
A test centre's sessions on a calendar, in the Wagtail admin: one day, or a
week from Monday to Sunday, with a row for each room. Rendered on the server
as a table, so that it reads the same with a screen reader and prints.
"""

import datetime

from django.contrib.auth.decorators import permission_required
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import urlencode

from exams.centre_selectors import administered_centres, centres_for, sessions_for, with_seats_taken

DAY, WEEK = "day", "week"


@permission_required("exams.view_examsession", raise_exception=True)
def session_calendar(request):
    centres = list(centres_for(request.user))
    chosen = request.GET.get("centre", "")
    centre = next((c for c in centres if str(c.pk) == chosen), centres[0] if centres else None)
    view = DAY if request.GET.get("view") == DAY else WEEK
    today = timezone.localdate()
    day = _parse_date(request.GET.get("date")) or today
    days = [day] if view == DAY else _week_of(day)
    step = datetime.timedelta(days=1 if view == DAY else 7)

    def link(to, as_view=view):
        query = {"view": as_view, "date": to.isoformat()}
        if centre is not None:
            query["centre"] = centre.pk
        return f"?{urlencode(query)}"

    context = {
        "centres": centres,
        "centre": centre,
        "view": view,
        "day": day,
        "days": [{"date": d, "is_today": d == today, "url": link(d, DAY)} for d in days],
        "previous_url": link(day - step),
        "next_url": link(day + step),
        "today_url": link(today),
        "day_url": link(day, DAY),
        "week_url": link(day, WEEK),
    }
    if centre is not None:
        context["rows"] = _rows(request.user, centre, days)
        context["may_edit"] = request.user.has_perm("exams.change_examsession") and (
            administered_centres(request.user).filter(pk=centre.pk).exists()
        )
    return TemplateResponse(request, "exams/admin/session_calendar.html", context)


def _parse_date(text):
    try:
        return parse_date(text or "")
    except ValueError:  # well formed but not a date, e.g. 2026-02-30
        return None


def _week_of(day):
    monday = day - datetime.timedelta(days=day.weekday())
    return [monday + datetime.timedelta(days=n) for n in range(7)]


def _rows(user, centre, days):
    """For each room of `centre`: its sessions on each of `days`, in order."""
    start = _midnight(days[0])
    end = _midnight(days[-1] + datetime.timedelta(days=1))
    sessions = with_seats_taken(
        sessions_for(user).filter(centre=centre, starts_at__gte=start, starts_at__lt=end)
    ).order_by("starts_at", "pk")
    by_room_and_day = {}
    for session in sessions:
        key = (session.room_id, timezone.localdate(session.starts_at))
        by_room_and_day.setdefault(key, []).append(session)
    return [
        {"room": room, "cells": [by_room_and_day.get((room.pk, day), []) for day in days]}
        for room in centre.rooms.all()
    ]


def _midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
