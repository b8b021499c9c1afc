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


def test_redact_keeps_position_codes_and_masks_numbers_inside_words() -> None:
    out = redact("报名 JX00000018，岗位 U12-001，GZ-KJ-01，jx20240001")
    assert out == "报名 JX00000018，岗位 U12-001，GZ-KJ-01，jx20240001"
    # Personal numbers are masked even when glued to letters or words.
    out = redact("ID410105199001011234 tel13812345678 旧证410105900101123 号码1381234567")
    for number in ("410105199001011234", "13812345678", "410105900101123", "1381234567"):
        assert number not in out
    assert "4101**********1234" in out and "138****5678" in out
