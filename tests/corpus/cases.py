"""The hostile-input corpus: the files, what each must produce, and the ones built on demand.

``expected.yaml`` lists every case. Most files sit in ``files/`` as committed;
the ones that cannot be committed as they are (5 MB, 50,000 levels deep, a
symlink, a pipe) are built by :func:`materialise` into a temporary folder,
next to copies of the others. Used by tests/test_hostile.py and
bench/hostile.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent
FILES = CORPUS / "files"
HEADER = "apiVersion: revplan/v1\nkind: AccountPlan\n"


@dataclass(frozen=True)
class Expected:
    rule: str
    line: int
    column: int
    says: str  # words the message must contain


@dataclass(frozen=True)
class Case:
    file: str
    why: str
    exit: int
    findings: tuple[Expected, ...]
    more: bool  # other findings (from the completeness rules) may come too
    error: str | None  # for exit 2: words the error on stderr must contain
    in_folder: str  # "reported" or "skipped" when found by walking a folder
    generated: bool


def cases() -> list[Case]:
    entries = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
    return [
        Case(
            file=e["file"],
            why=e["why"],
            exit=e["exit"],
            findings=tuple(Expected(**f) for f in e.get("findings", [])),
            more=e.get("more", False),
            error=e.get("error"),
            in_folder=e.get("in_folder", "reported"),
            generated=e.get("generated", False),
        )
        for e in entries
    ]


def _five_mb_line(path: Path) -> None:
    name = "x" * 5_000_000
    path.write_text(HEADER + f'account: {{id: five-mb-line, name: "{name}"}}\n')


def _deep_lists(path: Path) -> None:
    path.write_text(HEADER + "account: " + "[" * 50_000 + "]" * 50_000 + "\n")


def _deep_mappings(path: Path) -> None:
    path.write_text(HEADER + "account: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n")


def _deep_block_lists(path: Path) -> None:
    path.write_text(HEADER + "account:\n" + "- " * 10_000 + "x\n")


def _node_limit(path: Path) -> None:
    path.write_text(
        HEADER + "account: {id: node-limit, name: Nodes}\nteam: [" + ",".join("1" * 10_000) + "]\n"
    )


def _near_node_limit(path: Path) -> None:
    # 7 values before the list, 10 per stakeholder: 7 + 999 x 10 = 9,997 of the 10,000.
    lines = [HEADER + "account: {id: near-node-limit, name: Nearly Too Big}", "stakeholders:"]
    lines += [
        f"  - {{id: s{i}, name: Person {i}, group: renew, roles: [end_user], "
        f"stance: neutral, influence: high, backup: s{i + 1}, owner: dana}}"
        for i in range(999)
    ]
    path.write_text("\n".join(lines) + "\n")


def _schema_error_flood(path: Path) -> None:
    path.write_text(
        HEADER
        + "account: {id: schema-error-flood, name: Flood}\nteam: ["
        + ",".join("1" * 9_990)
        + "]\n"
    )


def _alias_amplification(path: Path) -> None:
    # One megabyte of text, aliased three times: as many findings would quote it.
    lines = [
        HEADER + "account: {id: alias-amplification, name: Echo}",
        "notes: &big " + "a" * 1_000_000,
    ]
    lines.append("stakeholders:")
    lines += [f"  - {{id: s{i}, name: S, group: renew, reports_to: *big}}" for i in range(3)]
    path.write_text("\n".join(lines) + "\n")


def _symlink_to_itself(path: Path) -> None:
    path.symlink_to(path.name)


def _symlink_to_dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _dangling_symlink(path: Path) -> None:
    path.symlink_to("no-such-plan.yaml")


def _named_pipe(path: Path) -> None:
    os.mkfifo(path)


def _near_miss_references(path: Path) -> None:
    # 1,000 people, each backed up by a misspelt colleague (125 KB, within the node
    # limit): the did-you-mean once compared each broken reference with every id.
    lines = [HEADER + "account: {id: near-miss-references, name: Typos}", "stakeholders:"]
    lines += [
        f"  - {{id: regional-operations-lead-{i:04d}, name: Regional operations lead,"
        f" group: renew, backup: regional-operatons-lead-{(i + 1) % 1000:04d}}}"
        for i in range(1000)
    ]
    path.write_text("\n".join(lines) + "\n")


BUILDERS: dict[str, Callable[[Path], None]] = {
    "five-mb-line.yaml": _five_mb_line,
    "deep-flow-lists.yaml": _deep_lists,
    "deep-flow-mappings.yaml": _deep_mappings,
    "deep-block-lists.yaml": _deep_block_lists,
    "node-limit.yaml": _node_limit,
    "near-node-limit.yaml": _near_node_limit,
    "schema-error-flood.yaml": _schema_error_flood,
    "alias-amplification.yaml": _alias_amplification,
    "symlink-to-itself.yaml": _symlink_to_itself,
    "symlink-to-dev-zero.yaml": _symlink_to_dev_zero,
    "dangling-symlink.yaml": _dangling_symlink,
    "named-pipe.yaml": _named_pipe,
    "near-miss-references.yaml": _near_miss_references,
}


def materialise(folder: Path) -> Path:
    """Copy the committed files into ``folder`` and build the generated ones there."""
    folder.mkdir(parents=True, exist_ok=True)
    for case in cases():
        target = folder / case.file
        if case.generated:
            BUILDERS[case.file](target)
        else:
            shutil.copyfile(FILES / case.file, target)
    return folder
