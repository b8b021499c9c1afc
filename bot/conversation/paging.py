"""Fit text into WeChat's 2048-byte limit for a text reply: split into pages, ask "更多" for the next."""

from __future__ import annotations

WECHAT_TEXT_LIMIT = 2048
# Room kept for the "（第 n/m 页，回复“更多”继续）" footer.
FOOTER_RESERVE = 120


def utf8_len(s: str) -> int:
    return len(s.encode("utf-8"))


def split_text(text: str, limit: int = WECHAT_TEXT_LIMIT - FOOTER_RESERVE) -> list[str]:
    """Split at line breaks where possible, else at characters, each piece at most ``limit`` bytes.

    A line that begins with white space continues the line before it (an item of a list with its indented
    detail lines, as the position lists have): pages break between such items, not inside one, unless one
    item alone is over the limit. Text without indented lines splits exactly as at line breaks.
    """
    if utf8_len(text) <= limit:
        return [text]
    pages: list[str] = []
    current = ""

    def flush() -> None:
        nonlocal current
        if current:
            pages.append(current)
            current = ""

    def add(piece: str) -> None:
        """Onto the current page if it fits, else on a new one (cut at characters when over the limit)."""
        nonlocal current
        candidate = piece if not current else current + "\n" + piece
        if utf8_len(candidate) <= limit:
            current = candidate
            return
        flush()
        while utf8_len(piece) > limit:
            cut = _cut_point(piece, limit)
            pages.append(piece[:cut])
            piece = piece[cut:]
        current = piece

    for block in _blocks(text.split("\n")):
        if utf8_len(block) <= limit:
            add(block)
        else:  # one item over the limit: on pages of its own, at its line breaks, as before
            flush()
            for line in block.split("\n"):
                add(line)
    flush()
    return pages


def _blocks(lines: list[str]) -> list[str]:
    """Lines joined with the indented lines that follow them."""
    out: list[str] = []
    for line in lines:
        if out and line[:1] in (" ", "\t", "\u3000"):
            out[-1] += "\n" + line
        else:
            out.append(line)
    return out


def _cut_point(line: str, limit: int) -> int:
    size = 0
    for i, ch in enumerate(line):
        size += utf8_len(ch)
        if size > limit:
            return i
    return len(line)


def with_footer(page: str, index: int, total: int) -> str:
    if total <= 1:
        return page
    if index < total - 1:
        return f"{page}\n\n（第 {index + 1}/{total} 页，回复“更多”继续）"
    return f"{page}\n\n（第 {index + 1}/{total} 页，完）"
