"""What ``revplan diff`` prints: JSON for tools, text for people, Markdown for a
pull-request comment (verdict first, per plan the worse changes first)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from engine.controls import json_escaped_surrogates
from engine.i18n.catalogue import Catalogue
from engine.i18n.words import CheckWords
from engine.reporters.json import finding_json
from engine.resources import templates_dir
from engine.review.changes import BETTER, WORSE, Change
from engine.review.diff import Diff

# Above this many lines, a list of a Markdown comment is folded in <details>.
FOLD_AFTER = 5


def catalogue(locale: str, overrides: tuple[Path, ...] = ()) -> Catalogue:
    return Catalogue.load(locale, templates_dir() / "locales", *overrides)


def _value(cat: Catalogue, change: Change, value: Any, side: str) -> str:
    if value is None:
        return cat("diff.none")
    kind = change.kind
    if kind == "stance-changed":
        return cat.label("stance", value)
    if kind == "stakeholder-left" or kind == "stakeholder-returned":
        return cat.label("stakeholder_status", value)
    if kind in ("backup-changed", "relationship-owner-changed"):
        name = change.detail.get(f"{side}_name")
        return str(name or value)
    if kind.startswith("role-coverage"):
        return cat.join(change.detail.get("names", [])) or cat("diff.none")
    if kind == "influence-changed":
        return cat.label("influence", value)
    if kind == "roles-changed":
        return cat.labels("role", value) or cat("diff.none")
    if kind == "action-status-changed":
        return cat.label("action_status", value)
    if kind == "milestone-status-changed":
        return cat.label("milestone_status", value)
    if kind == "arr-changed":
        return cat.money(value, change.detail.get("currency"))
    if kind == "key-result-progress":
        return cat.fixed(value)
    if kind in ("renewal-moved", "milestone-moved"):
        return cat.date(date.fromisoformat(value))  # the locale's date, as documents write it
    if kind == "renewal-forecast-changed":
        return cat.label("forecast", value)
    return str(value)


def sentence(cat: Catalogue, change: Change, roles: bool = True) -> str:
    """The change in words: who (with roles, for people), what, from and to."""
    name = change.detail.get("name") or change.target or ""
    who = name
    held = change.detail.get("roles")
    if roles and held:
        who = cat("diff.who", name=name, roles=cat.labels("role", held))
    return cat(
        f"diff.change.{change.kind}",
        who=who,
        what=name,
        role=cat.label("role", change.target),
        **{
            "from": _value(cat, change, change.before, "from"),
            "to": _value(cat, change, change.after, "to"),
        },
    )


def render_json(diff: Diff) -> str:
    english = catalogue("en")
    document = {
        "version": 1,
        "base": {"rev": diff.base.rev, "commit": diff.base.commit},
        "head": {"rev": diff.head.rev, "commit": diff.head.commit},
        "changes": [
            {
                "kind": c.kind,
                "plan": c.plan,
                "target": c.target,
                "from": c.before,
                "to": c.after,
                "effect": c.effect,
                "message": sentence(english, c, roles=False),
                "file": c.file,
                "line": c.line,
            }
            for c in diff.changes
        ],
        "findings": {
            "new": [finding_json(f) for f in diff.new],
            "fixed": [finding_json(f) for f in diff.fixed],
        },
        "summary": diff.counts(),
    }
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
    return json_escaped_surrogates(text) + "\n"


# The placeholders of ``diff.counts`` and the count each shows.
_COUNTED = {
    "worse": "worse",
    "better": "better",
    "neutral": "neutral",
    "new": "new_findings",
    "fixed": "fixed_findings",
}


def verdict(cat: Catalogue, diff: Diff) -> str:
    counts = diff.counts()
    if not diff.changes and not diff.new and not diff.fixed:
        return cat("diff.verdict_none")
    key = "worse" if counts["worse"] else "better" if counts["better"] else "neutral"
    return cat(
        "diff.verdict",
        verdict=cat(f"diff.verdict_{key}"),
        plans=cat("diff.plans", count=counts["plans_changed"]),
        counts=cat(
            "diff.counts",
            # Each count in its own plural form ("1 new finding", «1 ουδέτερη»).
            **{
                name: cat(f"diff.count.{name}", count=counts[field])
                for name, field in _COUNTED.items()
            },
        ),
    )


def _sides(cat: Catalogue, diff: Diff) -> str:
    def name(rev: str | None, commit: str | None) -> str:
        return f"{rev} ({commit[:12]})" if rev and commit else cat("diff.work_tree")

    return cat(
        "diff.title",
        base=name(diff.base.rev, diff.base.commit),
        head=name(diff.head.rev, diff.head.commit),
    )


def _by_plan(diff: Diff) -> dict[str, list[Change]]:
    plans: dict[str, list[Change]] = {}
    for change in diff.changes:  # sorted by plan, then worse first
        plans.setdefault(change.plan, []).append(change)
    return plans


def render_text(diff: Diff, cat: Catalogue, words: CheckWords) -> str:
    lines = [_sides(cat, diff), verdict(cat, diff)]
    marks = {WORSE: "-", BETTER: "+"}
    for plan, changes in _by_plan(diff).items():
        lines += ["", f"{plan}:"]
        for c in changes:
            lines.append(
                f"  {marks.get(c.effect, '~')} {sentence(cat, c)}  ({c.kind}, {c.file}:{c.line})"
            )
    for key, found in (("new_findings", diff.new), ("fixed_findings", diff.fixed)):
        if found:
            lines += ["", cat(f"diff.{key}") + ":"]
            lines += [
                f"  {f.file}:{f.line}:{f.column}: {f.severity} {f.rule}: {words.finding(f)}"
                for f in found
            ]
    return "\n".join(lines) + "\n"


def markdown_text(text: str) -> str:
    """Text as Markdown shows it literally (names and messages come from the plans)."""
    out = []
    for char in text:
        if char in "\\`*_[]()#!|<>&~":
            out.append("&#" + str(ord(char)) + ";" if char in "<>&" else "\\" + char)
        else:
            out.append(char)
    return "".join(out).replace("\n", " ")


def _link(file: str, line: int, link_base: str | None, linked: bool = True) -> str:
    """A place as a link to ``file#Lline`` at the head side (relative without a base)."""
    shown = f"`{file.replace('`', '')}:{line}`"
    if not linked:
        return shown
    base = "" if link_base is None else link_base.rstrip("/") + "/"
    target = quote(f"{base}{file}", safe="/:@%+~=&?", errors="surrogateescape") + f"#L{line}"
    return f"[{shown}]({target})"


def _folded(summary: str, items: list[str]) -> list[str]:
    if len(items) <= FOLD_AFTER:
        return items
    return [
        *items[:FOLD_AFTER],
        "",
        f"<details><summary>{summary}</summary>",
        "",
        *items[FOLD_AFTER:],
        "",
        "</details>",
    ]


def render_markdown(
    diff: Diff, cat: Catalogue, words: CheckWords, link_base: str | None = None
) -> str:
    """``link_base``: where the head side's files are on the web (a blob URL up to the
    commit), for links to ``file#Lline``; else links relative to the current folder."""
    lines = [f"### {markdown_text(verdict(cat, diff))}", "", markdown_text(_sides(cat, diff))]
    icons = {WORSE: "🔴", BETTER: "🟢"}
    sections: list[tuple[str, list[str]]] = [
        (
            plan,
            [
                f"- {icons.get(c.effect, '⚪')} {markdown_text(sentence(cat, c))} — "
                f"{_link(c.file, c.line, link_base)}"
                for c in changes
            ],
        )
        for plan, changes in _by_plan(diff).items()
    ]
    for key, found in (("new_findings", diff.new), ("fixed_findings", diff.fixed)):
        if found:
            items = [
                f"- **{f.severity}** `{f.rule}` {markdown_text(words.finding(f))} — "
                f"{_link(f.file, f.line, link_base, linked=found is diff.new)}"
                for f in found
            ]
            sections.append((cat(f"diff.{key}"), items))
    for title, items in sections:
        lines += ["", f"#### {markdown_text(title)}", ""]
        lines += _folded(markdown_text(cat("diff.more", count=len(items) - FOLD_AFTER)), items)
    return "\n".join(lines) + "\n"
