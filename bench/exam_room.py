"""
A full exam room: 300 candidates booked into one session, and their papers
prepared ahead of the start (issue 6).

    .venv/bin/python bench/exam_room.py [--candidates 300]

Runs in-process with the test settings against PostgreSQL (BENCH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/ankang_bench_room), which it
creates and migrates. The other half of the room scenario, 300 "Start"
requests within 10 seconds against the production stack, is bench/exam_start.py.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.question_bank import setup_django  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=300)
    args = parser.parse_args()
    setup_django(
        os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ankang_bench_room")
    )

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from config.celery_app import app

    # Tickets are rendered by the worker in production, not inside a booking:
    # queue them in memory here, and time one ticket on its own below.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    from django.utils import timezone

    from accounts import services as accounts
    from accounts.choices import Role
    from bench.harness import record
    from exams import attempts, bookings
    from exams.demo import seed_question_bank
    from exams.models import Attempt, AttemptQuestion, Booking, Exam, ExamSession, Room, TestCentre

    seed_question_bank()
    from exams.demo_questions import BLUEPRINT
    from exams.models import Paper

    AttemptQuestion.objects.all().delete()
    Attempt.objects.all().delete()
    Booking.objects.all().delete()
    ExamSession.objects.all().delete()
    exam, _ = Exam.objects.get_or_create(
        title="基准考试",
        defaults={
            "target_role": "safety_manager",
            "paper": Paper.objects.get(name=BLUEPRINT["name"]),
        },
    )
    centre, _ = TestCentre.objects.get_or_create(
        code="BENCH", defaults={"name": "基准考点", "address": "-"}
    )
    room, _ = Room.objects.get_or_create(
        centre=centre, name="大考场", defaults={"seat_count": args.candidates}
    )
    now = timezone.now()
    session = ExamSession.objects.create(
        exam=exam,
        centre=centre,
        room=room,
        starts_at=now + datetime.timedelta(hours=2),
        capacity=args.candidates,
        booking_opens_at=now - datetime.timedelta(days=1),
        booking_closes_at=now + datetime.timedelta(hours=1),
    )
    people = []
    for n in range(args.candidates):
        username = f"bench-room-{n:04d}"
        person = accounts.User.objects.filter(username=username).first()
        people.append(
            person
            or accounts.user_create(username=username, real_name=f"考生{n}", roles=[Role.CANDIDATE])
        )

    started = time.perf_counter()
    for person in people:
        bookings.book(session=session, candidate=person)
    booking_seconds = time.perf_counter() - started

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        prepared = attempts.prepare_attempts(session_id=session.pk)
    prepare_seconds = time.perf_counter() - started
    questions = AttemptQuestion.objects.filter(attempt__booking__session=session).count()

    from exams.ticket_pdf import render_session_tickets, render_ticket

    first = Booking.objects.filter(session=session).order_by("seat").first()
    render_ticket(first)  # warm up fonts
    started = time.perf_counter()
    render_ticket(first)
    ticket_seconds = time.perf_counter() - started
    started = time.perf_counter()
    room_pdf = render_session_tickets(session)
    room_pdf_seconds = time.perf_counter() - started

    body = (
        "| what | figure |\n| --- | ---: |\n"
        f"| {args.candidates} bookings, one after another (each locks the session) | "
        f"{booking_seconds:.1f} s ({booking_seconds / args.candidates * 1000:.0f} ms each) |\n"
        f"| attempts prepared for the room (papers drawn, options shuffled) | {prepared} |\n"
        f"| time to prepare them | {prepare_seconds:.2f} s |\n"
        f"| database queries to prepare them | {len(queries)} |\n"
        f"| questions written | {questions:,} |\n"
        f"| one admission ticket PDF (in the worker) | {ticket_seconds * 1000:.0f} ms |\n"
        f"| the room's tickets as one PDF ({args.candidates} pages, "
        f"{len(room_pdf) / 1024 / 1024:.1f} MB) | {room_pdf_seconds:.1f} s |\n"
    )
    record("Exam room (issue 6)", f"python bench/exam_room.py --candidates {args.candidates}", body)


if __name__ == "__main__":
    main()
