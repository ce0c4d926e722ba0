"""Where a YAML error is an indentation mistake, the line of the mistake and what it is.

libyaml reports a key indented one space too far as "mapping values are not
allowed here" (it reads the key as more words of the value above), and a key
indented too little at the line where it gives up. Reading the indentation of
the block lines up to the error names the line that breaks it.
"""

from __future__ import annotations

import re

_COMMENT = re.compile(r"(^|\s)#.*$")
_BLOCK_SCALAR = re.compile(r"(^|[:\-]\s)[|>][+\-0-9]*$")
_KEY = re.compile(r"(?:-\s+)*([^\s:#'\"][^:#]*?):(\s|$)")
# The parser's problems that an indentation mistake causes.
SUSPECT = (
    "mapping values are not allowed",
    "did not find expected key",
    "did not find expected '-' indicator",
    "could not find expected ':'",
    "expected <block end>",
)


def mistake(text: str, error_line: int) -> tuple[int, int, str] | None:
    """(line, column, message) of the first line up to ``error_line`` (1-based) whose
    indentation fits no block it could belong to; None when the indentation is sound
    (or the text holds flow collections or block scalars that this reading skips)."""
    levels = [0]  # indentations of the open blocks, innermost last
    lists: set[int] = set()  # those of them that are lists of '- ' items, nothing else
    opener = False  # the line above opens a block (ends with ':' or is a '- ' item)
    scalar_above: int | None = None  # indentation of a line that starts a block scalar
    lines = text.splitlines()[:error_line]
    for number, line in enumerate(lines, 1):
        content = _COMMENT.sub("", line).rstrip()
        if not content.strip() or content.startswith(("---", "...", "%")):
            continue
        indent = len(content) - len(content.lstrip(" "))
        if scalar_above is not None:
            if indent > scalar_above:
                continue  # the text of a block scalar
            scalar_above = None
        body = content.strip()
        dashes = re.match(r"(-\s+)+|-$", body)
        if body.count("[") != body.count("]") or body.count("{") != body.count("}"):
            return None  # a flow collection over several lines: not read here
        if indent > levels[-1]:
            if not opener:
                if number < error_line - 1:
                    continue  # more words of a plain value above: valid YAML
                return (number, indent + 1, _deeper(body, indent, levels[-1]))
            levels.append(indent)
            if dashes:
                lists.add(indent)
        elif indent < levels[-1]:
            closest = levels[-1]
            while levels and levels[-1] > indent:
                closest = levels.pop()
            lists.intersection_update(levels)
            if not levels or levels[-1] != indent:
                shown = [closest, *levels[-1:]]
                return (number, indent + 1, _between(body, indent, shown))
            if indent in lists and not dashes:
                return (number, indent + 1, _in_list(body, indent, closest))
        # A '- ' item opens the mapping inside it, at the column after its dashes.
        if dashes:
            levels.append(indent + len(dashes.group()) + (1 if body == "-" else 0))
        opener = body.endswith(":") or body == "-" or bool(dashes and body.endswith(":"))
        if _BLOCK_SCALAR.search(body):
            scalar_above = indent
    return None


def _name(body: str) -> str:
    key = _KEY.match(body)
    return f"'{key.group(1)}'" if key else "this line"


def _spaces(count: int) -> str:
    return f"{count} space" + ("" if count == 1 else "s")


def _deeper(body: str, indent: int, expected: int) -> str:
    return (
        f"indentation: {_name(body)} is indented {_spaces(indent)}, deeper than the line "
        f"above ({_spaces(expected)}) although nothing there opens a block — indent it "
        f"{_spaces(expected)} like the fields beside it"
    )


def _in_list(body: str, indent: int, inside: int) -> str:
    return (
        f"indentation: {_name(body)} is indented {_spaces(indent)}, like the '- ' items of "
        f"the list above, but is not one — indent it {_spaces(inside)} to belong to the item "
        "above, or start a new item with '- '"
    )


def _between(body: str, indent: int, levels: list[int]) -> str:
    options = " or ".join(_spaces(level) for level in levels)
    return (
        f"indentation: {_name(body)} is indented {_spaces(indent)}, which lines up with no "
        f"block above — indent it {options}, like the fields it belongs with"
    )
