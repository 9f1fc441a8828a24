"""
Reading certificates for the screens: the holder's own, and those a member of
staff may see in the back office — the bureau every one, a centre admin the
certificates won in the sessions of the centres they administer (proctors
none: a certificate outlives the sitting they watched).
"""

from django.db.models import Q

from accounts import idcard
from accounts.services import user_find_by_id_number
from exams.centre_selectors import administered_centres
from exams.checkin import sees_every_centre
from exams.models import Certificate, CertificateAction, CertificateStatus


def _with_listing(certificates):
    return certificates.select_related(
        "holder", "exam", "attempt__booking__session__centre", "attempt__booking__session__room"
    )


def certificates_of(holder):
    """A holder's certificates, newest first."""
    return Certificate.objects.filter(holder=holder).select_related("exam")


def certificate_won_by(attempt):
    """
    The certificate a sitting earned: the one issued for it, or the one it
    renewed during the renewal review (复审). None while none is issued yet.
    """
    return (
        Certificate.objects.filter(
            Q(attempt=attempt)
            | Q(events__attempt=attempt, events__action=CertificateAction.RENEWED)
        )
        .distinct()
        .first()
    )


def may_see_certificates(user):
    return sees_every_centre(user) or administered_centres(user).exists()


def may_revoke(user):
    """Revoking and reinstating are the bureau's decisions."""
    return user.is_bureau


def certificates_for(user):
    """The certificates a member of staff may see, with what a listing shows."""
    certificates = _with_listing(Certificate.objects.all())
    if sees_every_centre(user):
        return certificates
    return certificates.filter(attempt__booking__session__centre__in=administered_centres(user))


def search(certificates, query):
    """
    By certificate number or name, or by a full ID card number through its
    digest (ID numbers are stored encrypted and never searched in the clear).
    """
    query = query.strip()
    if not query:
        return certificates
    number = idcard.normalise(query)
    if idcard.SHAPE.match(number):
        person = user_find_by_id_number(number)
        return certificates.filter(holder=person) if person else certificates.none()
    return certificates.filter(Q(number__iexact=query) | Q(holder__real_name__icontains=query))


def session_certificates(session):
    """
    A session's valid certificates in seat order (the ZIP's contents): a
    revoked one is not handed out again.
    """
    return (
        Certificate.objects.filter(
            attempt__booking__session=session, status=CertificateStatus.VALID
        )
        .select_related("holder", "attempt__booking")
        .order_by("attempt__booking__seat", "pk")
    )
