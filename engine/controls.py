"""Control characters, which plan text must never carry raw into a terminal, a CI log
or a document: they could rewrite the screen or forge output."""

from __future__ import annotations

import re

# C0 and C1 controls (ESC included), but tab and newline, which callers handle.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
