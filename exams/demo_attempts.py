"""
Demo attempts for seed_demo, taken through the same services as a real exam
(with the clock set back): 李秀英 (candidate2) sat the confined-space exam at
西湖 a month ago and passed; 王建国 (candidate) tried a practice round
(模拟考试) yesterday and fell short. "My results" shows both, and 王建国 can
start another practice round at /exams/practice/.

Safe to run again: a candidate who has their demo attempt keeps it.
"""

import datetime
import io
import math
import random
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from accounts.models import User
from exams import attempts, bookings, certificates, delivery, tasks
from exams.choices import BookingAction, BookingStatus, SessionStatus
from exams.models import Attempt, CertificateSettings, Exam, ExamSession
from exams.selectors import shown


def past_sitting(*, exam, room, candidate, proctor, starts_at):
    """
    A closed session at `room` in which `candidate` sat `exam` and passed,
    and the certificate of that pass.
    """
    if not Attempt.objects.filter(candidate=candidate, exam=exam, practice=False).exists():
        try:
            with transaction.atomic():
                _sit(exam, room, candidate, proctor, starts_at)
        except bookings.BookingRefused:
            return  # e.g. an earlier demo booked them for today: leave them be
    passed = Attempt.objects.filter(candidate=candidate, exam=exam, practice=False, passed=True)
    for attempt in passed:
        demo_certificate(attempt)


SEAL_FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"  # Debian's fonts-noto-cjk
SEAL_RED = (200, 24, 24, 235)


def demo_seal():
    """
    A round red seal drawn for the demo (the bureau uploads its real one): the
    bureau's name along the rim, a star, and the seal's use below it.
    """
    size, centre = 480, 240
    seal = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(seal)
    draw.ellipse((12, 12, size - 12, size - 12), outline=SEAL_RED, width=14)
    star = [
        (
            centre + (70 if i % 2 == 0 else 28) * math.sin(math.pi * i / 5),
            centre - 10 - (70 if i % 2 == 0 else 28) * math.cos(math.pi * i / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=SEAL_RED)
    try:
        rim, use = ImageFont.truetype(SEAL_FONT, 52), ImageFont.truetype(SEAL_FONT, 34)
    except OSError:
        rim = use = None  # no CJK font: a seal without words is still a demo seal
    if rim is not None:
        name = "西湖区应急管理局"
        for i, character in enumerate(name):
            angle = -115 + 230 * (i + 0.5) / len(name)  # degrees from the top, clockwise
            glyph = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
            ImageDraw.Draw(glyph).text((32, 32), character, font=rim, fill=SEAL_RED, anchor="mm")
            glyph = glyph.rotate(-angle, resample=Image.BICUBIC)
            x = centre + 170 * math.sin(math.radians(angle))
            y = centre - 170 * math.cos(math.radians(angle))
            seal.alpha_composite(glyph, (int(x - 32), int(y - 32)))
        draw.text((centre, centre + 100), "培训考核专用章", font=use, fill=SEAL_RED, anchor="mm")
    png = io.BytesIO()
    seal.save(png, format="PNG")
    return png.getvalue()


def demo_certificate_settings():
    """The demo bureau's seal and signatory, unless the bureau has set its own."""
    config = CertificateSettings.load()
    if not config.seal:
        config.seal.save("seal.png", ContentFile(demo_seal()), save=False)
        config.signatory = config.signatory or "张卫东"
        config.save()


def demo_certificate(attempt):
    """
    Issue the pass's certificate now, so that it is there at once (also in a
    database seeded before certificates existed); its PDF is rendered by the
    worker, like any other.
    """
    demo_certificate_settings()
    certificate = certificates.issue(attempt_id=attempt.pk)
    if certificate is not None and not certificate.pdf:
        tasks.issue_certificate.delay_on_commit(attempt.pk)


def _sit(exam, room, candidate, proctor, starts_at):
    session = ExamSession.objects.create(
        exam=exam,
        centre=room.centre,
        room=room,
        starts_at=starts_at,
        capacity=room.seat_count,
        booking_opens_at=starts_at - datetime.timedelta(days=14),
        booking_closes_at=starts_at - datetime.timedelta(days=1),
        proctor=proctor,
    )
    booking = bookings.book(
        session=session,
        candidate=candidate,
        now=session.booking_opens_at + datetime.timedelta(days=1),
    )
    bookings.session_transition(session=session, to=SessionStatus.CHECK_IN, by=proctor)
    # Checked in at the desk that morning (the desk itself only checks in today's candidates).
    booking.status, booking.checked_in_at = BookingStatus.CHECKED_IN, starts_at
    booking.save(update_fields=["status", "checked_in_at"])
    bookings._record(booking, BookingAction.CHECKED_IN, proctor)
    attempts.prepare_attempts(session_id=session.pk)
    _take(booking.attempt, candidate, starts_at, right_share=0.93)
    bookings.session_transition(session=session, to=SessionStatus.RUNNING, by=proctor)
    bookings.session_transition(session=session, to=SessionStatus.CLOSED, by=proctor)


@transaction.atomic
def seed_practice():
    """王建国's practice round of yesterday, if he may practise the demo exam."""
    candidate = User.objects.filter(username="candidate").first()
    if candidate is None or Attempt.objects.filter(candidate=candidate, practice=True).exists():
        return
    for exam in Exam.objects.filter(paper__isnull=False).order_by("pk"):
        if not delivery.may_practise(exam=exam, candidate=candidate):
            continue
        began = timezone.now() - datetime.timedelta(days=1)
        attempt = delivery.start_practice(exam=exam, candidate=candidate, now=began)
        _take(attempt, candidate, began, right_share=0.6, started=True)
        return


def _take(attempt, candidate, began, *, right_share, started=False):
    """Answer every question, rightly about `right_share` of the time, and hand in."""
    rng = random.Random(attempt.pk)  # noqa: S311 - demo answers, not a secret
    if not started:
        attempt = delivery.start(attempt_id=attempt.pk, candidate=candidate, now=began)
    items = list(attempt.questions.select_related("question"))
    missed = set(rng.sample(range(len(items)), round(len(items) * (1 - right_share))))
    for sequence, item in enumerate(items, start=1):
        key = shown(item, item.question.answer)
        choices = 2 if item.question.type == "true_false" else len(item.question.options)
        wrong = [[n] for n in range(choices) if [n] != key]
        answer = rng.choice(wrong) if sequence - 1 in missed and wrong else key
        delivery.save_answer(
            attempt_id=attempt.pk,
            candidate=candidate,
            page=attempt.page,
            client_id=uuid.uuid4(),
            sequence=sequence,
            position=item.position,
            selected=answer,
            now=began + datetime.timedelta(seconds=40 * sequence),
        )
    delivery.submit(
        attempt_id=attempt.pk,
        candidate=candidate,
        now=began + datetime.timedelta(seconds=40 * len(items) + 60),
    )
