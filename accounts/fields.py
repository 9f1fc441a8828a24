from django.db import models
from django.db.models.lookups import IsNull

from accounts import crypto


class EncryptedTextField(models.TextField):
    """
    Text stored encrypted (see accounts.crypto) and decrypted on load.

    The ciphertext differs on every save, so the only lookup is `isnull`;
    store a digest beside the field to find rows by value.
    """

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return IsNull
        return None
