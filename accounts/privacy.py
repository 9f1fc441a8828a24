"""
The person's rights under the Personal Information Protection Law (个人信息保护法),
exercised by the bureau for them (docs/privacy.md says why each record goes
or stays):

- `export_personal_data`: everything Ankang holds about one person, as a ZIP
  of a readable JSON file and their photos, snapshots and certificate PDFs;
- `erase_personal_data`: on request, what the law lets go goes (contact
  details, faces, quiz entries, sign-in records) and the account is closed;
  the training archive (learning records, exam results, certificates, with
  the name and ID number on them) stays for the retention the regulations
  set. `erasure_blockers` says what must be settled first.

Both take the person and the bureau admin acting, and leave an entry in the
audit log.
"""

import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from auditlog.context import disable_auditlog
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import User

# Beyond this a ZIP being built spills from memory to a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024


class ErasureRefused(Exception):
    """Something must be settled before the person's data can be erased; `reasons` says what."""

    def __init__(self, reasons):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def _bureau_only(by):
    if not (by.is_authenticated and by.is_bureau):
        raise PermissionDenied


def _when(value):
    return timezone.localtime(value).isoformat() if value else None


def _quiz_plays(person):
    """The campaign quiz plays of the person: those joined with their mobile number."""
    from cms.quiz.models import Play
    from cms.quiz.services import person_key_for_phone

    if not person.phone:
        return Play.objects.none()
    return Play.objects.filter(person_key=person_key_for_phone(person.phone))


def _login_records(person):
    """Successful sign-ins (django-axes' access log) under the person's username."""
    from axes.models import AccessLog

    return AccessLog.objects.filter(username=person.username)


def _failed_sign_ins(person):
    """Failed sign-ins under the person's username: each failure, and the counters."""
    from axes.models import AccessAttempt, AccessFailureLog

    return [
        model.objects.filter(username=person.username)
        for model in (AccessFailureLog, AccessAttempt)
    ]


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def personal_data(person):
    """
    What Ankang holds about `person`, as plain data (the export's JSON), and
    the stored files that go with it as [(path in the ZIP, field file)].
    """
    from exams.models import Attempt, Booking, Certificate
    from proctoring.models import Appeal, Consent, Incident, Snapshot
    from training.models import Enrolment, StudySession

    files = []
    photo = f"photo/{PurePosixPath(person.photo.name).name}" if person.photo else None
    if photo:
        files.append((photo, person.photo))

    enrolments = Enrolment.objects.filter(learner=person).prefetch_related("lessons")
    bookings = Booking.objects.filter(candidate=person).select_related(
        "session__exam", "session__centre", "session__room"
    )
    attempts = (
        Attempt.objects.filter(candidate=person)
        .select_related("exam")
        .prefetch_related("questions__question")
        .order_by("prepared_at")
    )
    certificates = Certificate.objects.filter(holder=person).select_related("exam")
    snapshots = Snapshot.objects.filter(attempt__candidate=person).order_by("attempt", "sequence")

    for booking in bookings:
        if booking.check_in_photo:
            suffix = PurePosixPath(booking.check_in_photo.name).suffix
            files.append((f"check-in/{booking.ticket_number}{suffix}", booking.check_in_photo))
    for certificate in certificates:
        if certificate.pdf:
            files.append((f"certificates/{certificate.number}.pdf", certificate.pdf))
    for snapshot in snapshots:
        if snapshot.image:
            suffix = PurePosixPath(snapshot.image.name).suffix
            files.append(
                (f"snapshots/{snapshot.attempt_id}/{snapshot.sequence:04d}{suffix}", snapshot.image)
            )

    data = {
        "exported_at": _when(timezone.now()),
        "account": {
            "username": person.username,
            "real_name": person.real_name,
            "id_number": person.id_number,
            "phone": person.phone,
            "email": person.email,
            "employer": person.employer,
            "industry": person.get_industry_display(),
            "town": person.town,
            "photo": photo,
            "roles": sorted(person.groups.values_list("name", flat=True)),
            "active": person.is_active,
            "joined": _when(person.date_joined),
            "last_signed_in": _when(person.last_login),
        },
        "enrolments": [
            {
                "course": enrolment.course_title,
                "enrolled_by": enrolment.get_source_display(),
                "enrolled": _when(enrolment.enrolled_at),
                "learning_hours": enrolment.hours_credited,
                "last_studied": _when(enrolment.last_studied_at),
                "completed": _when(enrolment.completed_at),
                "lessons": [
                    {
                        "lesson": lesson.lesson_title,
                        "minutes_credited": lesson.minutes_credited,
                        "started": _when(lesson.started_at),
                        "completed": _when(lesson.completed_at),
                        "answers": lesson.answers,
                    }
                    for lesson in enrolment.lessons.all()
                ],
            }
            for enrolment in enrolments
        ],
        "study_sessions": [
            {
                "lesson": study.progress.lesson_title,
                "started": _when(study.started_at),
                "ended": _when(study.ended_at),
                "seconds_credited": study.seconds_credited,
                "browser": study.user_agent,
            }
            for study in StudySession.objects.filter(learner=person).select_related("progress")
        ],
        "bookings": [
            {
                "exam": booking.session.exam.title,
                "test_centre": booking.session.centre.name,
                "room": booking.session.room.name,
                "starts": _when(booking.session.starts_at),
                "seat": booking.seat_label,
                "admission_ticket": booking.ticket_number,
                "status": booking.get_status_display(),
                "booked": _when(booking.created_at),
                "checked_in": _when(booking.checked_in_at),
            }
            for booking in bookings
        ],
        "attempts": [_attempt(attempt) for attempt in attempts],
        "certificates": [
            {
                "number": certificate.number,
                "exam": certificate.exam.title,
                "score": certificate.score,
                "issued_on": certificate.issued_on,
                "expires_on": certificate.expires_on,
                "status": certificate.get_status_display(),
                "revocation_reason": certificate.revocation_reason,
            }
            for certificate in certificates
        ],
        "proctoring_consents": [
            {
                "attempt": consent.attempt_id,
                "policy_version": consent.policy_version,
                "given": _when(consent.given_at),
            }
            for consent in Consent.objects.filter(attempt__candidate=person)
        ],
        "snapshots": [
            {
                "attempt": snapshot.attempt_id,
                "sequence": snapshot.sequence,
                "kind": snapshot.get_kind_display(),
                "taken": _when(snapshot.taken_at),
                "faces": snapshot.face_count,
            }
            for snapshot in snapshots
        ],
        "incidents": [
            {
                "attempt": incident.attempt_id,
                "kind": incident.get_kind_display(),
                "reason": incident.reason,
                "times": incident.count,
                "first": _when(incident.first_at),
                "decision": incident.get_decision_display(),
                "note": incident.note,
            }
            for incident in Incident.objects.filter(attempt__candidate=person)
        ],
        "appeals": [
            {
                "attempt": appeal.attempt_id,
                "grounds": appeal.grounds,
                "submitted": _when(appeal.submitted_at),
                "status": appeal.get_status_display(),
                "decision": appeal.decision_note,
            }
            for appeal in Appeal.objects.filter(attempt__candidate=person)
        ],
        "quiz_plays": [
            {
                "quiz": play.quiz.title,
                "name": play.real_name,
                "nickname": play.nickname,
                "phone": play.phone,
                "town": play.town,
                "employer": play.employer,
                "started": _when(play.started_at),
                "score": play.score,
            }
            for play in _quiz_plays(person).select_related("quiz")
        ],
        "sign_ins": [
            {
                "at": _when(record.attempt_time),
                "signed_out": _when(record.logout_time),
                "address": record.ip_address,
                "browser": record.user_agent,
            }
            for record in _login_records(person).order_by("attempt_time")
        ],
        "failed_sign_ins": [
            {
                "at": _when(record.attempt_time),
                "address": record.ip_address,
                "browser": record.user_agent,
            }
            for records in _failed_sign_ins(person)
            for record in records.order_by("attempt_time")
        ],
    }
    return data, files


def _attempt(attempt):
    def chosen(item):
        question = item.question
        if not question.options:  # true/false: 0 true, 1 false
            return [_("True") if index == 0 else _("False") for index in item.selected]
        return [question.options[index] for index in item.selected if index < len(question.options)]

    return {
        "id": attempt.pk,
        "exam": attempt.exam.title,
        "practice": attempt.practice,
        "status": attempt.get_status_display(),
        "started": _when(attempt.started_at),
        "submitted": _when(attempt.submitted_at),
        "score": attempt.score,
        "out_of": attempt.max_score,
        "passed": attempt.passed,
        "answers": [
            {
                "question": strip_tags(item.question.stem).strip(),
                "chosen": chosen(item),
                "points": item.earned,
            }
            for item in attempt.questions.all()
        ],
    }


def export_personal_data(*, person, by):
    """
    The person's data as a ZIP (an open file, at its start): personal-data.json
    and the stored images and PDFs. Recorded in the audit log.
    """
    _bureau_only(by)
    data, files = personal_data(person)
    # Handed to the response, which closes it once sent.
    archive = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(
            "personal-data.json",
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        for path, stored in files:
            try:
                with stored.open("rb") as source:
                    zipped.writestr(path, source.read())
            except FileNotFoundError:  # a row whose file is gone: the JSON still lists it
                continue
    archive.seek(0)
    audit.record_privacy_action(
        person=person,
        by=by,
        kind=audit.PRIVACY_EXPORT,
        details={"files": len(files)},
    )
    return archive


# ---------------------------------------------------------------------------
# Erasure
# ---------------------------------------------------------------------------


def erasure_blockers(person):
    """What stops the person's data from being erased now, in sentences for the bureau."""
    from exams.choices import AttemptStatus, BookingStatus, SessionStatus
    from exams.models import Attempt, Booking
    from proctoring.choices import AppealStatus, Decision, Severity
    from proctoring.models import Appeal, Incident

    reasons = []
    unfinished = (
        # Prepared: a paper drawn for a session about to start, the candidate
        # perhaps at the desk already.
        AttemptStatus.PREPARED,
        AttemptStatus.STARTED,
        AttemptStatus.SUBMITTED,
        AttemptStatus.AUTO_SUBMITTED,
        AttemptStatus.TERMINATED,
    )
    if Attempt.objects.filter(candidate=person, status__in=unfinished).exists():
        reasons.append(_("An exam of theirs is in progress or waiting for its grade."))
    # (Checked in and sitting: its attempt is prepared or started, above.)
    if Booking.objects.filter(
        candidate=person,
        status=BookingStatus.BOOKED,
        session__status__in=(
            SessionStatus.SCHEDULED,
            SessionStatus.CHECK_IN,
            SessionStatus.RUNNING,
        ),
    ).exists():
        reasons.append(_("They have a seat booked in a coming session: cancel the booking first."))
    if Appeal.objects.filter(attempt__candidate=person, status=AppealStatus.PENDING).exists():
        reasons.append(_("An appeal of theirs is waiting for the bureau's decision."))
    if Incident.objects.filter(
        attempt__candidate=person, severity__gte=Severity.SERIOUS, decision=Decision.OPEN
    ).exists():
        reasons.append(_("An attempt of theirs is under review: its snapshots are evidence."))
    return reasons


@dataclass
class Erasure:
    """What an erasure did, for the confirmation message and the audit log."""

    snapshots: int = 0
    check_in_photos: int = 0
    admission_tickets: int = 0
    quiz_plays: int = 0
    sign_ins: int = 0
    files: list = field(default_factory=list, repr=False)


@transaction.atomic
def erase_personal_data(*, person, by, reason):
    """
    Erase what the person may have erased; raise ErasureRefused while
    something listed by `erasure_blockers` stands, ValidationError without a reason.
    The files go once the transaction has committed.
    """
    from exams.models import Booking
    from proctoring.models import Snapshot

    _bureau_only(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Say why the data is erased, e.g. the request's date and reference.")
        )
    person = User.objects.select_for_update().get(pk=person.pk)
    reasons = erasure_blockers(person)
    if reasons:
        raise ErasureRefused(reasons)

    done = Erasure()
    # One audit entry says what went; the rows' own entries would repeat the
    # very contact details being erased.
    with disable_auditlog():
        snapshots = Snapshot.objects.filter(attempt__candidate=person)
        done.files += [_stored(snapshot.image) for snapshot in snapshots if snapshot.image]
        done.snapshots = snapshots.delete()[0]

        bookings = Booking.objects.filter(candidate=person)
        for booking in bookings:
            if booking.check_in_photo:
                done.files.append(_stored(booking.check_in_photo))
                done.check_in_photos += 1
            if booking.ticket_pdf:
                done.files.append(_stored(booking.ticket_pdf))
                done.admission_tickets += 1
        bookings.update(check_in_photo="", ticket_pdf="")

        # As the quiz's own retention does (cms.quiz.services.purge_personal_details),
        # and the phone's digest too: nothing left leads back to the person.
        plays = _quiz_plays(person)
        done.quiz_plays = len(plays)
        for play in plays:
            play.real_name = play.phone = play.employer = play.nickname = ""
            play.ip_address = None
            play.person_key = f"erased:{play.pk}"
            play.save(
                update_fields=[
                    "real_name",
                    "phone",
                    "employer",
                    "nickname",
                    "ip_address",
                    "person_key",
                ]
            )

        done.sign_ins = _login_records(person).delete()[0] + sum(
            records.delete()[0] for records in _failed_sign_ins(person)
        )
        _erase_account(person, done)

    audit.record_privacy_action(
        person=person,
        by=by,
        kind=audit.PRIVACY_ERASURE,
        reason=reason,
        details={
            "snapshots": done.snapshots,
            "check_in_photos": done.check_in_photos,
            "admission_tickets": done.admission_tickets,
            "quiz_plays": done.quiz_plays,
            "sign_ins": done.sign_ins,
        },
    )
    files = list(done.files)
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    return done


def _stored(field_file):
    return field_file.storage, field_file.name


def _erase_account(person, done):
    """
    Contact details, photos and the means to sign in go; the name, ID number
    and employer stay with the training archive.
    """
    from rest_framework.authtoken.models import Token
    from wagtail.users.models import UserProfile

    from training.models import StudySession

    if person.photo:
        done.files.append(_stored(person.photo))
    profile = UserProfile.objects.filter(user=person).first()
    if profile is not None and profile.avatar:
        done.files.append(_stored(profile.avatar))
        UserProfile.objects.filter(pk=profile.pk).update(avatar="")
    # The username is often "p" and the mobile number (accounts.person_import).
    person.username = f"erased-{person.pk}"
    person.phone = person.email = person.town = ""
    person.photo = ""
    person.is_active = False
    person.set_unusable_password()
    person.save()
    Token.objects.filter(user=person).delete()
    StudySession.objects.filter(learner=person).update(user_agent="")
