"""
Demo test centres for seed_demo: 西湖 and 余杭 with their rooms, the demo centre
admin and proctor at 西湖, a session of the confined-space exam a month ago in
which 李秀英 passed, one today (booking closed, 王建国 booked through the
services) and one next week (booking open).

Safe to run again, on the same day or a later one: each day that it runs has
its session today, and there is always one open session to come.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.choices import Industry, TargetRole
from accounts.models import User
from exams import bookings
from exams.choices import BookingSource, SessionStatus
from exams.demo_attempts import past_sitting
from exams.demo_questions import BLUEPRINT
from exams.models import Attempt, Exam, ExamSession, Paper, Room, TestCentre

CENTRES = [
    # code, name, address, phone, rooms (name, seats, seats per row)
    (
        "XH01",
        "西湖区安全生产考点",
        "杭州市西湖区文三路 90 号 3 楼",
        "0571-87650001",
        [("第一考场", 30, 6), ("第二考场", 24, 6)],
    ),
    (
        "YH01",
        "余杭区安全生产考点",
        "杭州市余杭区临平大道 500 号",
        "0571-86230002",
        [("第一考场", 40, 8)],
    ),
]
EXAM_TITLE = "有限空间作业安全考试"
TODAY_AT = datetime.time(14, 0)
NEXT_WEEK_AT = datetime.time(9, 0)
DEMO_STAFF_AND_CANDIDATES = ["centre_admin", "proctor", "candidate", "candidate2"]


@transaction.atomic
def seed_centres():
    centres = {code: _centre(code, *rest) for code, *rest in CENTRES}
    xihu = centres["XH01"]
    people = {u.username: u for u in User.objects.filter(username__in=DEMO_STAFF_AND_CANDIDATES)}
    if "centre_admin" in people:
        xihu.admins.add(people["centre_admin"])
    if "proctor" in people:
        xihu.proctors.add(people["proctor"])
    exam = _exam()
    first, second = xihu.rooms.get(name="第一考场"), xihu.rooms.get(name="第二考场")
    today = timezone.localdate()
    proctor = people.get("proctor")
    todays = _session_today(exam, first, today, proctor)
    _session_to_come(exam, second, today, proctor)
    if "candidate2" in people and exam.paper_id:
        past_sitting(
            exam=exam,
            room=first,
            candidate=people["candidate2"],
            proctor=proctor,
            starts_at=_at(today - datetime.timedelta(days=30), NEXT_WEEK_AT),
        )
    for username in ("candidate", "candidate2"):
        if username in people and not _passed(exam, people[username]):
            _book(todays, people[username], people.get("centre_admin"))
    return centres


def _passed(exam, candidate):
    return Attempt.objects.filter(exam=exam, candidate=candidate, passed=True).exists()


def _centre(code, name, address, phone, rooms):
    centre, _ = TestCentre.objects.get_or_create(
        code=code, defaults={"name": name, "address": address, "phone": phone}
    )
    for room_name, seats, per_row in rooms:
        Room.objects.get_or_create(
            centre=centre,
            name=room_name,
            defaults={"seat_count": seats, "seats_per_row": per_row},
        )
    return centre


def _exam():
    """An exam without a required course, so that the demo candidates may sit it."""
    exam, _ = Exam.objects.get_or_create(
        title=EXAM_TITLE,
        defaults={
            "target_role": TargetRole.PRACTITIONER,
            "industry": Industry.CONFINED_SPACES,
            "paper": Paper.objects.filter(name=BLUEPRINT["name"]).first(),
        },
    )
    return exam


def _at(day, time):
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _session_today(exam, room, today, proctor):
    """Today at 14:00; booking closed at midnight, after a week open."""
    starts_at = _at(today, TODAY_AT)
    session, _ = ExamSession.objects.get_or_create(
        exam=exam,
        room=room,
        starts_at=starts_at,
        defaults={
            "centre": room.centre,
            "capacity": room.seat_count,
            "booking_opens_at": _at(today - datetime.timedelta(days=7), datetime.time.min),
            "booking_closes_at": _at(today, datetime.time.min),
            "proctor": proctor,
        },
    )
    return session


def _session_to_come(exam, room, today, proctor):
    """Next week at 9:00, open for booking, unless an open session to come exists."""
    now = timezone.now()
    to_come = ExamSession.objects.filter(
        exam=exam,
        centre=room.centre,
        status=SessionStatus.SCHEDULED,
        booking_opens_at__lte=now,
        booking_closes_at__gt=now,
    )
    if to_come.exists():
        return to_come.first()
    starts_at = _at(today + datetime.timedelta(days=7), NEXT_WEEK_AT)
    return ExamSession.objects.create(
        exam=exam,
        centre=room.centre,
        room=room,
        starts_at=starts_at,
        capacity=room.seat_count,
        booking_opens_at=now - datetime.timedelta(hours=1),
        booking_closes_at=starts_at - datetime.timedelta(days=1),
        proctor=proctor,
    )


def _book(session, candidate, centre_admin):
    """Book as the centre did while booking was open; a candidate who cannot is left out."""
    if session.bookings.filter(candidate=candidate).exists():
        return
    try:
        bookings.book(
            session=session,
            candidate=candidate,
            by=centre_admin,
            source=BookingSource.CENTRE,
            now=session.booking_opens_at + datetime.timedelta(hours=1),
        )
    except bookings.BookingRefused:
        # E.g. they booked this exam for another day themselves: leave them be.
        return
