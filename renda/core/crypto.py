"""Encryption at rest and blind indexes for personal data (phone, ID number).

Values are encrypted with Fernet (AES-128-CBC + HMAC) under a key derived from
FIELD_ENCRYPTION_KEY; exact lookups go through an HMAC-SHA256 "blind index" under a separate
key, so the database never holds a value that can be read or brute-forced without the keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _derive(secret: str, purpose: bytes) -> bytes:
    return hashlib.sha256(purpose + b"\x00" + secret.encode()).digest()


@cache
def _fernet() -> MultiFernet:
    # Several comma-separated keys allow rotation: the first encrypts, all decrypt.
    keys = [k for k in settings.FIELD_ENCRYPTION_KEY.split(",") if k]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(k, b"renda-field"))) for k in keys])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


_NON_ALNUM = re.compile(r"[\s\-]")


def normalize(value: str) -> str:
    """Canonical form used for both storage and lookup: no spaces or dashes, upper-case X."""
    return _NON_ALNUM.sub("", value).upper()


def blind_index(value: str) -> str:
    if not value:
        return ""
    key = _derive(settings.BLIND_INDEX_KEY, b"renda-bidx")
    return hmac.new(key, normalize(value).encode(), hashlib.sha256).hexdigest()[:32]


def mask_phone(value: str) -> str:
    """138****1234: enough to recognise one's own number, not enough to call it."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_id_number(value: str) -> str:
    """430402********1234: region of issue and the last four, birth date hidden."""
    if not value:
        return ""
    if len(value) <= 10:
        return value[:2] + "*" * (len(value) - 2)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_email(value: str) -> str:
    """z***@example.com: recognisable by its owner, not harvestable from the page."""
    if not value or "@" not in value:
        return ""
    local, _sep, domain = value.rpartition("@")
    return f"{local[:1]}***@{domain}"
