from __future__ import annotations

from bot.conversation.paging import WECHAT_TEXT_LIMIT, split_text, utf8_len, with_footer


def test_short_text_is_one_page() -> None:
    assert split_text("你好") == ["你好"]


def test_long_text_fits_the_limit_with_footer() -> None:
    text = "\n".join(f"第{i}行：" + "见习岗位信息" * 20 for i in range(40))
    pages = split_text(text)
    assert len(pages) > 1
    assert "".join(p.replace("\n", "") for p in pages) == text.replace("\n", "")
    for i, p in enumerate(pages):
        assert utf8_len(with_footer(p, i, len(pages))) <= WECHAT_TEXT_LIMIT


def test_a_single_huge_line_is_cut() -> None:
    pages = split_text("字" * 3000)
    assert len(pages) >= 5 and all(utf8_len(p) <= WECHAT_TEXT_LIMIT for p in pages)
    assert "".join(pages) == "字" * 3000
