"""Personal data at rest and on screen: encryption, keyed hashes for look-ups, masking, log redaction."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_ID18 = re.compile(r"(?<!\d)\d{17}[\dXx](?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<!\d)\d{15}(?!\d)")
# A run of digits standing alone: a mistyped phone or ID number. Digits that follow letters belong to a code
# (岗位编号 JX00000018) and are left as they are.
_LONG_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{7,}(?!\d)")


class Vault:
    """Encrypts with a key derived from ``JIANXI_SECRET_KEY``; hashes with a separate derived key."""

    def __init__(self, secret_key: str) -> None:
        enc = hashlib.sha256(b"jianxi-encrypt:" + secret_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(enc))
        self._hash_key = hashlib.sha256(b"jianxi-lookup:" + secret_key.encode()).digest()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str | None:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            return None

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self._hash_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def mask_id_number(idn: str | None) -> str:
    if not idn:
        return ""
    return idn[:4] + "*" * (len(idn) - 8) + idn[-4:] if len(idn) > 8 else "****"


def redact(text: str) -> str:
    """Text fit for a log: ID numbers (18 or 15 characters) and mobile numbers masked wherever they appear, and
    so is any other run of 7+ digits standing alone (a mistyped phone or ID number is still personal data);
    codes such as 岗位编号 JX00000018 are kept."""
    text = _ID18.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _ID15.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _MOBILE.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group(0))[-11:]), text)
    return _LONG_DIGITS.sub(lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 5) + m.group(0)[-2:], text)
