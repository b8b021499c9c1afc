"""Encryption at rest, keyed look-up hashes, masking, and log redaction."""

from __future__ import annotations

from bot.privacy import Vault, mask_id_number, mask_phone, redact


def test_vault_round_trip_and_keys() -> None:
    a, b = Vault("k" * 32), Vault("other-key-" * 3)
    token = a.encrypt("13812345678")
    assert "13812345678" not in token and a.decrypt(token) == "13812345678"
    assert b.decrypt(token) is None
    assert a.lookup_hash("13812345678") == a.lookup_hash("13812345678") != b.lookup_hash("13812345678")


def test_masks() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("410105199001011234") == "4101**********1234"


def test_redact() -> None:
    text = "我的电话13812345678，身份证410105199001011234，另一个号1381234567"
    out = redact(text)
    assert "13812345678" not in out and "410105199001011234" not in out and "1381234567" not in out
    assert "138****5678" in out and "4101**********1234" in out
