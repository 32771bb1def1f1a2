"""Authenticated encryption of personal data at rest, and keyed blind indexes for exact lookup.

Values are encrypted with AES-256-GCM under the first key of settings.XIANGZHI_DATA_KEYS
("kid:base64key,..."); every listed key can decrypt, which is how keys are rotated (see
docs/security.md). Lookup goes through an HMAC-SHA256 blind index keyed by
settings.XIANGZHI_INDEX_KEY: a plain hash of an ID or phone number is brute-forced in seconds.
"""

from __future__ import annotations

import base64
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

PREFIX = "x1"


class DecryptionError(Exception):
    pass


@lru_cache(maxsize=8)
def _parse_keys(spec: str) -> tuple[str, dict[str, bytes]]:
    keys: dict[str, bytes] = {}
    current = ""
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        kid, _, b64 = part.partition(":")
        raw = base64.b64decode(b64)
        if len(raw) != 32:
            raise ValueError(f"data key {kid!r} must be 32 bytes")
        keys[kid] = raw
        current = current or kid
    if not current:
        raise ValueError("XIANGZHI_DATA_KEYS is empty")
    return current, keys


def _keys() -> tuple[str, dict[str, bytes]]:
    return _parse_keys(settings.XIANGZHI_DATA_KEYS)


@lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def encrypt(plaintext: str) -> str:
    """Encrypt a string under the current key; the key id travels with the ciphertext."""
    kid, keys = _keys()
    nonce = os.urandom(12)
    ct = _cipher(keys[kid]).encrypt(nonce, plaintext.encode(), kid.encode())
    return f"{PREFIX}:{kid}:{base64.b64encode(nonce + ct).decode()}"


def decrypt(token: str) -> str:
    """Decrypt a token made by encrypt(); a tampered or unknown-key token raises DecryptionError."""
    try:
        prefix, kid, b64 = token.split(":", 2)
        if prefix != PREFIX:
            raise ValueError("unknown format")
        raw = base64.b64decode(b64)
        key = _keys()[1][kid]
        return _cipher(key).decrypt(raw[:12], raw[12:], kid.encode()).decode()
    except Exception as exc:  # noqa: BLE001 - any failure means the value cannot be trusted
        raise DecryptionError("cannot decrypt a stored value") from exc


def key_id_of(token: str) -> str:
    return token.split(":", 2)[1]


@lru_cache(maxsize=4)
def _index_key(spec: str) -> bytes:
    return base64.b64decode(spec)


def blind_index(value: str, purpose: str) -> str:
    """Return the HMAC blind index of a normalised value; purpose separates ID from phone indexes."""
    key = _index_key(settings.XIANGZHI_INDEX_KEY)
    return hmac.digest(key, f"{purpose}:{value}".encode(), "sha256").hex()


LAST4_PURPOSES = {"id": "id_last4", "phone": "phone_last4"}


def last4_index(value: str | None, kind: str) -> str | None:
    """The blind index of a number's last four characters (kind "id" or "phone"), or None.

    Cadres look people up by the last four digits of a phone or ID number; the digits are kept
    only as this keyed HMAC in a column of their own, never in plain. Ten thousand possible
    values make a plain hash a lookup table, so the key (XIANGZHI_INDEX_KEY) is what protects
    them, exactly as for the full numbers' indexes.
    """
    if not value or len(value) < 4:
        return None
    return blind_index(value[-4:].upper(), LAST4_PURPOSES[kind])


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; the model keeps a separate blind index for lookups."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)


def mask_id_number(value: str | None) -> str:
    """Show the first four characters and the check character of an ID number:
    4305*************X.

    The sequence digits stay hidden: with them, the birth date a page shows and the village's
    division code, anyone who may read a resident could rebuild the whole number (hostile review,
    2026-12-01). The check character alone leaves about a hundred candidates.
    """
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 5) + value[-1:]


def legacy_mask_id_number(value: str | None) -> str:
    """The mask sheets exported before 2026-12-01 carry (4305**********1234); read, never shown."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """Show a phone number as 138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
