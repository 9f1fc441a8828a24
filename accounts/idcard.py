"""
Resident identity card numbers (居民身份证号码), GB 11643-1999.

18 characters: a 6-digit administrative region code, the birth date as
YYYYMMDD, a 3-digit sequence number and a check character computed over the
first 17 digits (ISO 7064 MOD 11-2, where 10 is written X).
"""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
# Provinces, autonomous regions and municipalities (GB/T 2260 first two digits),
# plus Taiwan (71), Hong Kong (81), Macao (82) residence permits.
# fmt: off
PROVINCE_CODES = frozenset([
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
    "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
    "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
])
# fmt: on
SHAPE = re.compile(r"^\d{17}[\dX]$")


def normalise(value):
    """Full-width digits to ASCII, spaces removed, a lower-case x made upper-case."""
    value = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"\s+", "", value).upper()


def check_character(first17):
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def birth_date(number):
    """The birth date encoded in a (valid) number, or None when it is not a date."""
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate_id_number(value, *, today=None):
    """Return the normalised number, or raise ValidationError saying what is wrong."""
    number = normalise(value)
    if len(number) != 18:
        raise ValidationError(
            _("An ID card number has 18 characters; this one has %(count)d."),
            code="length",
            params={"count": len(number)},
        )
    if not SHAPE.match(number):
        raise ValidationError(
            _("An ID card number is 17 digits followed by a digit or X."), code="format"
        )
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The first two digits do not name a province or region."), code="region"
        )
    born = birth_date(number)
    today = today or datetime.date.today()
    if born is None or born > today or born.year < 1900:
        raise ValidationError(_("Digits 7 to 14 are not a valid birth date."), code="birth_date")
    if number[17] != check_character(number[:17]):
        raise ValidationError(
            _("The last character does not match the others: please check for a typing error."),
            code="checksum",
        )
    return number


def mask_id_number(number):
    """`310***********1234`: the region's first three and the last four characters."""
    if not number:
        return ""
    if len(number) <= 7:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"
