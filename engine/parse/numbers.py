"""Money and margins written the way people write them, and the number they meant.

``arr: 480.000`` (a German or Greek thousands separator) is the decimal 480
to YAML, silently; ``arr: 480,000`` or ``1.200.000`` is text; ``gross_margin:
78`` or ``78%`` is a percentage where the format wants a share of 1. Each is
told the number to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from engine.findings import Phrase, Text, args
from engine.parse.loader import Document, Path

_MONEY_FIELDS = {"arr", "acquisition_cost", "support_cost_per_year"}
_MARGIN_FIELDS = {"gross_margin"}
# Digits in groups of three, separated the ways CLDR locales group them
# (, . ' space, no-break and narrow no-break space).
_GROUPED = re.compile(r"[0-9]{1,3}([,.' \u00a0\u202f][0-9]{3})+")
_CURRENCY = re.compile(r"[A-Z]{3}|[$€£¥₹₩₽₺₪₫₴฿]|CN¥|US\$")
_PERCENT = re.compile(r"([0-9]+(?:[.,][0-9]+)?)\s*%")
_DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]+")


def is_money(path: Path) -> bool:
    """``account.arr`` and the other amounts; an expansion's ``value``."""
    if not path or not isinstance(path[-1], str):
        return False
    return path[-1] in _MONEY_FIELDS or (path[0] == "expansion" and path[-1] == "value")


def is_margin(path: Path) -> bool:
    return bool(path) and path[-1] in _MARGIN_FIELDS


def meant_amount(text: str) -> int | None:
    """``"480,000"``, ``"€1.200.000"``, ``"480 000 EUR"`` -> the whole amount; else None."""
    bare = _CURRENCY.sub("", text).strip()
    if not _GROUPED.fullmatch(bare):
        return None
    return int(re.sub(r"[^0-9]", "", bare))


def meant_share(value: Any) -> str | None:
    """A margin written as a percentage (78, ``"78%"``) or with a decimal comma
    (``"0,78"``), as the share of 1 to write; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and 1 < value <= 100:
        return _plain(value / 100)
    if isinstance(value, str):
        percent = _PERCENT.fullmatch(value.strip())
        if percent:
            share = float(percent.group(1).replace(",", ".")) / 100
            return _plain(share) if 0 <= share <= 1 else None
        if _DECIMAL_COMMA.fullmatch(value.strip()):
            share = float(value.strip().replace(",", "."))
            return _plain(share) if 0 <= share <= 1 else None
    return None


def _plain(number: float) -> str:
    return f"{number:.6f}".rstrip("0").rstrip(".") or "0"


def hint(path: Path, value: Any) -> Phrase | None:
    """What to write instead of ``value`` at ``path``, as the end of a schema message
    (``schema.hint.amount``, ``schema.hint.share``)."""
    if is_money(path) and isinstance(value, str):
        amount = meant_amount(value)
        if amount is not None:
            return Phrase("schema.hint.amount", args(amount=Text(str(amount))))
    if is_margin(path):
        share = meant_share(value)
        if share is not None:
            return Phrase("schema.hint.share", args(share=Text(share)))
    return None


def grouped(doc: Document) -> Iterator[tuple[Path, str, str]]:
    """Money written ``480.000`` — valid YAML and a valid plan, but 480, not 480000:
    (path, as written, what was meant), in the file's order. In a currency of three
    decimals (KWD, BHD, OMR...) 480.000 is an amount as written."""
    if not doc.grouped or _three_decimals(doc.data):
        return
    for path, written in sorted(doc.grouped.items(), key=lambda item: doc.loc(item[0]).line):
        if is_money(path):
            yield path, written, written.replace(".", "")


def _three_decimals(data: Any) -> bool:
    account = data.get("account") if isinstance(data, dict) else None
    currency = account.get("currency") if isinstance(account, dict) else None
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        return False
    from babel.numbers import get_currency_precision  # CLDR's minor digits; rarely needed

    return bool(get_currency_precision(currency) == 3)


def read_as(written: str) -> str:
    """How YAML reads ``written`` (480.000 -> 480)."""
    return _plain(float(written))
