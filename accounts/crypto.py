"""
Encryption at rest for sensitive personal information (PIPL).

Values are encrypted with MultiFernet (AES-128-CBC + HMAC-SHA256): the first
key in FIELD_ENCRYPTION_KEYS encrypts, every key decrypts, so a new key can be
put first and old rows re-encrypted at leisure. Because Fernet output is
randomised, equality lookups use a keyed digest (HMAC-SHA256) stored beside
the ciphertext.
"""

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@functools.cache
def _fernet(keys):
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plaintext):
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS)).encrypt(plaintext.encode()).decode()


def decrypt(token):
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS)).decrypt(token.encode()).decode()


def digest(value):
    if not settings.ID_NUMBER_DIGEST_KEY:
        raise ImproperlyConfigured("ID_NUMBER_DIGEST_KEY is empty.")
    key = settings.ID_NUMBER_DIGEST_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
