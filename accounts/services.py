"""Writes to accounts. Forms, the API, seed_demo and later imports call these."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import crypto, idcard
from accounts.choices import ROLE_GROUP_NAMES
from accounts.models import User


@transaction.atomic
def user_create(
    *,
    username,
    real_name,
    password=None,
    id_number="",
    phone="",
    email="",
    employer="",
    industry="",
    town="",
    photo=None,
    roles=(),
):
    """Create a person. Raises ValidationError for a bad ID number."""
    user = User(
        username=username,
        real_name=real_name,
        phone=phone,
        email=email,
        employer=employer,
        industry=industry,
        town=town,
    )
    user.set_id_number(id_number)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    if photo is not None:
        user.photo.save(photo.name, photo, save=False)
    user.full_clean(exclude=["password", "photo"])
    user.save()
    user_set_roles(user=user, roles=roles)
    return user


def user_set_roles(*, user, roles):
    """Put the user in exactly the groups of `roles` (other groups are kept)."""
    wanted = {ROLE_GROUP_NAMES[role] for role in roles}
    role_groups = Group.objects.filter(name__in=ROLE_GROUP_NAMES.values())
    user.groups.remove(*[g for g in role_groups if g.name not in wanted])
    user.groups.add(*[g for g in role_groups if g.name in wanted])


def user_find_by_id_number(raw):
    """The user holding this ID number, or None. Never scans: looks up the digest."""
    try:
        number = idcard.validate_id_number(raw)
    except ValidationError:  # an invalid number belongs to nobody
        return None
    return User.objects.filter(id_number_digest=crypto.digest(number)).first()


def sessions_clear_expired():
    """Delete expired login sessions; return how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


def login_records_purge(*, now=None):
    """
    Delete the sign-in records (django-axes: successful sign-ins, failures and
    failure counters: usernames, addresses, browsers) older than
    LOGIN_RECORD_RETENTION_DAYS. Returns how many rows went.
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    cutoff = (now or timezone.now()) - timezone.timedelta(days=settings.LOGIN_RECORD_RETENTION_DAYS)
    return sum(
        model.objects.filter(attempt_time__lt=cutoff).delete()[0]
        for model in (AccessLog, AccessFailureLog, AccessAttempt)
    )
