"""
Admission tickets (准考证): the signed token their QR code carries.

The token names the booking and its ticket number, signed with the site's
key (django.core.signing) under a salt of its own, so that a QR code cannot be
forged or altered, and a ticket of a cancelled or moved booking is refused by
the check-in because the booking is no longer booked.
"""

from django.core import signing
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
from exams.models import Booking

TOKEN_SALT = "exams.admission-ticket"  # noqa: S105 - a salt, not a secret


class InvalidTicket(DomainError):
    code = "invalid_ticket"
    status = 400
    default_message = _("This is not a valid admission ticket of this system.")


def ticket_token(booking):
    return signing.dumps({"b": booking.pk, "t": booking.ticket_number}, salt=TOKEN_SALT)


def booking_for_token(token):
    """The booking a ticket's QR code names, or InvalidTicket for a forged or altered one."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature as error:
        raise InvalidTicket() from error
    booking = (
        Booking.objects.select_related("session__exam", "session__room", "candidate")
        .filter(pk=data.get("b"), ticket_number=data.get("t"))
        .first()
    )
    if booking is None:
        raise InvalidTicket()
    return booking
