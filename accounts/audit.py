"""
The audit log (django-auditlog): every change to results, certificates,
proctoring evidence and personal data, with who made it and from where.

- `register_models` (called once, from AccountsConfig.ready) names the models
  and fields that are logged; auditlog's signals do the rest.
- No log entry ever holds a full ID-card number or phone number: ID numbers
  and their digests are not tracked, phones are masked, and whatever a
  model's name or a free-text reason carries (a special-operations
  certificate's number is `T` + the holder's ID number) is masked as the
  entry is saved.
- `record_privacy_action` writes the entries of the PIPL screens (an export,
  an erasure), which change no tracked field and so would not log themselves.
- `entries` and `describe` are what the bureau's audit screen reads.
"""

import contextlib
import re

from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import pre_log
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import DateTimeField, Q
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts import idcard
from config.http import client_ip

# 17 digits and a check character, not inside a longer run of digits.
ID_NUMBER = re.compile(r"(?<![0-9])\d{17}[\dXx](?![0-9])")
# A mainland mobile number, as in a username made from it ("p13912345678").
MOBILE = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")

PRIVACY_EXPORT = "personal_data_export"
PRIVACY_ERASURE = "personal_data_erasure"


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """
    auditlog's middleware with the client's address as the rest of Ankang
    sees it (config.http.client_ip): auditlog's own takes X-Forwarded-For
    and X-Forwarded-Port from anyone, so an entry's address could be forged.
    """

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None

    def get_extra_data(self, request):
        # The request itself, for an actor known only later (see _api_actor).
        return {**super().get_extra_data(request), "request": request}

    def __call__(self, request):
        try:
            return super().__call__(request)
        finally:
            # auditlog leaves its context set after the request: what is
            # logged later in this thread (a command, a test) is no request's.
            with contextlib.suppress(LookupError):
                auditlog_value.get().pop("request", None)


def _api_actor(sender, instance, **kwargs):
    """
    The actor of an entry written in an API call authenticated by token:
    auditlog's middleware looks at the user before the view runs, and DRF
    authenticates a token only inside the view (it then sets the request's
    user, which is read here, as the entry is saved).
    """
    from accounts.models import User

    if instance.actor_id is not None:
        return
    try:
        request = auditlog_value.get().get("request")
    except LookupError:
        return
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        instance.actor = user


def mask_id_numbers(text):
    """Every ID number in `text` as `330***********1234`."""
    return ID_NUMBER.sub(lambda match: idcard.mask_id_number(match.group()), text)


def mask_contact(value):
    """`139****5678`: auditlog's mask for a person's username, phone and email."""
    if value in ("", "None"):  # nothing to hide: the field was empty
        return value
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def _masked(value):
    if isinstance(value, str):
        return mask_id_numbers(value)
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    return value


def _mask_entry(sender, instance, **kwargs):
    """
    Before any entry is stored: an ID number, wherever it hides, is stored
    masked, and so is a mobile number in the entry's name (a person without a
    name is named by their username, often "p" and the mobile number).
    """
    instance.object_repr = MOBILE.sub(
        lambda match: mask_contact(match.group()), mask_id_numbers(instance.object_repr or "")
    )
    instance.changes_text = mask_id_numbers(instance.changes_text or "")
    instance.changes = _masked(instance.changes)
    instance.additional_data = _masked(instance.additional_data)


def _skip_webcam_uploads(sender, instance, action, **kwargs):
    """
    A candidate's webcam frames arriving (one every half minute from every
    seat) are the exam itself, kept on the attempt: only their deletion is
    audited.
    """
    from proctoring.models import Snapshot

    return not (sender is Snapshot and action == LogEntry.Action.CREATE)


def register_models():
    from accounts.models import User
    from exams.models import Attempt, Certificate, CertificateEvent, Regrading
    from proctoring.models import Appeal, Incident, Snapshot

    auditlog.register(
        User,
        # The person's details and standing. Never the ID number, encrypted
        # or not, nor its digest, which names it too; sign-ins (last_login)
        # are in the sign-in records instead.
        include_fields=[
            "username",
            "real_name",
            "phone",
            "email",
            "employer",
            "industry",
            "town",
            "photo",
            "is_active",
            "is_staff",
            "is_superuser",
        ],
        # The username is often "p" and the mobile number (accounts.person_import).
        mask_fields=["username", "phone", "email"],
        mask_callable="accounts.audit.mask_contact",
        m2m_fields={"groups"},
    )
    # What the result is, not the exam page's bookkeeping (answer sequence, page).
    auditlog.register(
        Attempt, include_fields=["status", "score", "max_score", "passed", "extra_minutes"]
    )
    auditlog.register(Regrading)
    auditlog.register(Certificate, exclude_fields=["pdf", "rendered_at", "created_at"])
    auditlog.register(CertificateEvent)
    auditlog.register(
        Incident, include_fields=["kind", "category", "severity", "reason", "decision", "note"]
    )
    auditlog.register(Appeal)
    auditlog.register(Snapshot, include_fields=["attempt", "sequence", "kind", "taken_at"])
    pre_log.connect(_skip_webcam_uploads, dispatch_uid="accounts.audit.skip_webcam_uploads")
    pre_save.connect(_mask_entry, sender=LogEntry, dispatch_uid="accounts.audit.mask_entry")
    pre_save.connect(_api_actor, sender=LogEntry, dispatch_uid="accounts.audit.api_actor")


def record_privacy_action(*, person, by, kind, reason="", details=None):
    """An entry on `person` for an export or erasure of their personal data by `by`."""
    return LogEntry.objects.log_create(
        person,
        force_log=True,
        action=LogEntry.Action.ACCESS if kind == PRIVACY_EXPORT else LogEntry.Action.UPDATE,
        changes={},
        actor=by,
        additional_data={"privacy": kind, "reason": reason, **(details or {})},
    )


# ---------------------------------------------------------------------------
# Reading the log
# ---------------------------------------------------------------------------


def audited_types():
    """The content types the log holds entries of, for the screen's filter."""
    return ContentType.objects.filter(
        pk__in=LogEntry.objects.values("content_type").distinct()
    ).order_by("app_label", "model")


def entries(*, content_type=None, actor="", since=None, until=None):
    """Log entries, newest first, filtered by what they are about, by whom and when."""
    found = LogEntry.objects.select_related("actor", "content_type")
    if content_type is not None:
        found = found.filter(content_type=content_type)
    if actor:
        found = found.filter(
            Q(actor__username__icontains=actor) | Q(actor__real_name__icontains=actor)
        )
    if since is not None:
        found = found.filter(timestamp__date__gte=since)
    if until is not None:
        found = found.filter(timestamp__date__lte=until)
    return found.order_by("-timestamp", "-pk")


def describe(entry):
    """What happened, in a few words of the reader's language."""
    privacy = (entry.additional_data or {}).get("privacy")
    if privacy == PRIVACY_EXPORT:
        return _("Personal data exported")
    if privacy == PRIVACY_ERASURE:
        return _("Personal data erased on request")
    return {
        LogEntry.Action.CREATE: _("Created"),
        LogEntry.Action.UPDATE: _("Changed"),
        LogEntry.Action.DELETE: _("Deleted"),
        LogEntry.Action.ACCESS: _("Viewed"),
    }[entry.action]


def privacy_details(entry):
    """[(label, value)] of an export's or erasure's entry: the reason and what went."""
    data = entry.additional_data or {}
    labels = {
        "reason": _("Reason"),
        "files": _("Files in the export"),
        "snapshots": _("Snapshots deleted"),
        "check_in_photos": _("Check-in photos deleted"),
        "admission_tickets": _("Admission tickets deleted"),
        "quiz_plays": _("Quiz entries made anonymous"),
        "sign_ins": _("Sign-in records deleted"),
    }
    if not data.get("privacy"):
        return []
    return [(label, data[key]) for key, label in labels.items() if data.get(key) not in (None, "")]


def changed_fields(entry):
    """
    [(field label, before, after)] of an entry, labelled and worded as the
    model's fields are (a choice by its label, a time in local time).
    """
    model = entry.content_type.model_class()
    rows = []
    for name, values in (entry.changes_dict or {}).items():
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            field = None
        if field is not None and not field.concrete:  # a relation seen from the other side
            field = None
        if isinstance(values, dict):  # many-to-many: {"type": "m2m", "operation", "objects"}
            objects = ", ".join(values.get("objects", []))
            before, after = (objects, "") if values.get("operation") == "delete" else ("", objects)
        else:
            before, after = (_shown(field, value) for value in values)
        label = str(field.verbose_name) if field is not None else name
        rows.append((label, mask_id_numbers(before), mask_id_numbers(after)))
    return rows


def _shown(field, value):
    if value in (None, "None", ""):
        return ""
    if field is None:
        return str(value)
    if field.choices:
        with contextlib.suppress(ValidationError):
            return str(dict(field.flatchoices).get(field.to_python(value), value))
    if isinstance(field, DateTimeField):
        moment = parse_datetime(str(value))
        if moment is not None and timezone.is_aware(moment):
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    return str(value)
