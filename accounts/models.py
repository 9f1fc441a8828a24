from django.contrib.auth.models import AbstractUser
from django.core.files.storage import storages
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts import crypto, idcard
from accounts.choices import ROLE_GROUP_NAMES, Industry, Role
from accounts.fields import EncryptedTextField


def private_storage():
    return storages["private"]


mainland_mobile = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter an 11-digit mobile number starting with 1."), code="phone"
)


class User(AbstractUser):
    """
    Everyone who signs in: practitioners and candidates, and the staff of the
    centres and the bureau.

    The ID-card number is sensitive personal information: encrypted at rest,
    found by a keyed digest, and shown masked except on the few screens that
    need it (check-in, certificates that carry it).
    """

    # One field for a Chinese name, which is not "first" and "last".
    first_name = None
    last_name = None

    real_name = models.CharField(_("real name"), max_length=64)
    phone = models.CharField(
        _("mobile phone"), max_length=11, blank=True, validators=[mainland_mobile]
    )
    id_number = EncryptedTextField(_("ID card number"), blank=True, editable=False)
    id_number_digest = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    employer = models.CharField(_("employer"), max_length=128, blank=True)
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    town = models.CharField(_("town or sub-district"), max_length=64, blank=True)
    photo = models.ImageField(
        _("registered photo"), upload_to="photos/", storage=private_storage, blank=True
    )

    REQUIRED_FIELDS = ["real_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.real_name or self.username

    def get_full_name(self):
        return self.real_name

    def get_short_name(self):
        return self.real_name or self.username

    def set_id_number(self, raw):
        """
        Validate and set the ID number and its digest together, like
        set_password: the two fields must never disagree.
        """
        if not raw:
            self.id_number, self.id_number_digest = "", None
            return
        number = idcard.validate_id_number(raw)
        self.id_number, self.id_number_digest = number, crypto.digest(number)

    @property
    def id_number_masked(self):
        return idcard.mask_id_number(self.id_number)

    @property
    def is_bureau(self):
        """The bureau's admins and superusers see every centre, bank and record."""
        return (
            self.is_superuser
            or self.groups.filter(name=ROLE_GROUP_NAMES[Role.BUREAU_ADMIN]).exists()
        )
