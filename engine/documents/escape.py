"""Escaping plan text for its place in a document: inline Markdown, HTML, Mermaid, code."""

from __future__ import annotations

import functools
import os
import re
import urllib.parse
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from engine.controls import CONTROL
from engine.export import mermaid_label

BAR_CELLS = 10


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#$])")


_ENTITY = re.compile(r"&(?=#?\w+;)")


_TEMPLATE_OPENER = re.compile(r"\{(?=[{%#])")


_LIST_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


_NEWLINE = re.compile(r"\r\n|[\r\n\t]")


_BLOCK_START = re.compile(r"^(?:[-+](?=\s|$)|[-=]+$)")


# Text without a character that any of the substitutions above touches (most names,
# titles and labels); md_escape leaves it as it is, apart from the ends of the line.
_PLAIN = re.compile(r"[^\x00-\x1f\x7f-\x9f\\`*_\[\]|~#$&<>{]*")


def one_line(text: str) -> str:
    """Control characters dropped, line breaks and tabs as spaces, no space at either end."""
    return CONTROL.sub("", _NEWLINE.sub(" ", text)).strip()


def md_escape(text: str, whole: bool = True) -> str:
    """``text`` shown as written in inline Markdown, a table cell or a heading.

    Backslash-escapes the characters that start emphasis, code, links,
    tables, headings and (on GitHub) math; writes ``< > &`` as entities so no
    HTML gets through; breaks ``{{``/``{%`` so no site generator evaluates
    them; and keeps the text on one line so it cannot start a new block.
    """
    if _PLAIN.fullmatch(text):
        return block_safe(text.strip()) if whole else text
    text = one_line(text) if whole else CONTROL.sub("", _NEWLINE.sub(" ", text))
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    text = _TEMPLATE_OPENER.sub("&#123;", text)
    return block_safe(text) if whole else text


def block_safe(text: str) -> str:
    """``text`` that cannot open a list or a rule where it starts a line."""
    if not text or not (text[0] in "-+=" or text[0].isdecimal()):
        return text  # neither pattern can match: they start with one of these
    if _BLOCK_START.match(text):
        text = "\\" + text
    return _LIST_START.sub(r"\1\\\2", text)


def markup(text: str) -> Markup:
    """``text`` as markup: what ``Markup(text)`` makes of a str, without its check for an
    ``__html__`` method (documents make thousands a page)."""
    return str.__new__(Markup, text)


_DASH = markup("—")


# Texts up to this long are escaped once per process: a document shows the same names,
# labels and dates many times over, and plans share most of them.
_REMEMBERED = 120


@functools.lru_cache(maxsize=1 << 14)
def _escaped(text: str) -> Markup:
    return markup(md_escape(text))


def _finalize(value: Any) -> Markup:
    """Every ``{{ }}`` output: markup as is, everything else escaped for Markdown."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return _DASH
    text = value if type(value) is str else str(value)
    return _escaped(text) if len(text) <= _REMEMBERED else markup(md_escape(text))


def _md(value: Any) -> Markup:
    return _finalize(value)


def _html(value: Any) -> Markup:
    return Markup(str(escape(one_line("" if value is None else str(value)))))


def _mermaid(value: Any) -> Markup:
    return Markup(mermaid_label(one_line("" if value is None else str(value))))


def _code(value: Any) -> Markup:
    text = one_line("" if value is None else str(value))
    if not text or "`" in text:
        return _md(text)
    return Markup(f"`{text}`")


def _bar(score: float | None) -> Markup:
    """A text progress bar: ``██████░░░░``."""
    if score is None:
        return Markup("")
    filled = round(max(0.0, min(1.0, score)) * BAR_CELLS)
    return Markup("█" * filled + "░" * (BAR_CELLS - filled))


def relative_link(target: str, from_folder: Path) -> str:
    """The URL of ``target`` (a path as the check displays it) from a document's folder."""
    rel = os.path.relpath(os.path.abspath(target), os.path.abspath(from_folder))
    # As bytes: a non-UTF-8 file name's bytes are percent-encoded as they are.
    return urllib.parse.quote(os.fsencode(Path(rel).as_posix()), safe="/.-_~")


def _link(text: Any, href: str) -> Markup:
    return Markup(f"[{_md(text)}]({href})")
