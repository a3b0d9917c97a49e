"""Printing hostile text safely: file names and article text reach terminals and logs with every control
character escaped, so a newline in a file name cannot forge a line and an escape sequence in an article
cannot drive the terminal."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidirectional overrides, which can
# break or reorder a terminal line (Trojan Source). Tab is escaped too: it can hide text in a log line.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# the same less C0 controls: JSON escapes those inside strings, and outside strings they are its whitespace
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """``text`` with every control character escaped (``\\n``, ``\\x1b``, ``\\u202e``...); other characters,
    accents and non-Latin scripts included, are kept as they are. One line, always."""
    value = str(text)
    if value.isprintable():
        return value
    return _UNSAFE.sub(_escape, value)


def json_safe(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with the characters :func:`printable` escapes
    written as ``\\uXXXX`` escapes: still the same JSON, but safe to print on a terminal. (JSON already
    escapes C0 controls; DEL, C1 controls and bidirectional overrides it leaves raw.)"""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
