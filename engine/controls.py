"""Control characters, which plan text must never carry raw into a terminal, a CI log
or a document (they could rewrite the screen or forge output), and the undecodable
bytes of a file name, which no UTF-8 output can carry."""

from __future__ import annotations

import re

# C0 and C1 controls (ESC included), but tab and newline, which callers handle.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_SURROGATE = re.compile("[\ud800-\udfff]")
# A non-UTF-8 file name's bytes, as os.fsdecode (surrogateescape) carries them:
# no UTF-8 output can hold them.
UNDECODABLE = re.compile("[\udc80-\udcff]")


def undecodable_as_bytes(text: str) -> str:
    """``text`` with each undecodable byte of a file name shown as ``\\xNN``."""
    return UNDECODABLE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)


def utf8_safe(text: str) -> str:
    """``text`` as UTF-8 can carry it: a file name's undecodable bytes as ``\\xNN``,
    any other lone surrogate as U+FFFD."""
    return _SURROGATE.sub("\ufffd", undecodable_as_bytes(text))


def json_escaped_surrogates(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with each surrogate, the
    undecodable bytes of a file name, as a ``\\udcNN`` escape: valid JSON that UTF-8
    can carry, and that Python reads back to the same name (baselines match it)."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
