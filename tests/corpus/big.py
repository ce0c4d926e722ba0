"""Plans that are small to write and were large or slow to check or render: built on
demand for tests/documents/test_render_limits.py and bench/hostile.py."""

from __future__ import annotations

from pathlib import Path

OKRS_HEAD = "apiVersion: revplan/v1\nkind: OKRs\nid: chain\ntitle: Chain\nobjectives:\n"
KR = "    key_results: [{id: k, title: K, baseline: 0, target: 1, current: 0}]\n"


def okr_chain(folder: Path, n: int) -> Path:
    """``n`` objectives, each aligned to the one before: an alignment tree ``n`` deep."""
    lines = [OKRS_HEAD]
    for i in range(n):
        aligns = f"    aligns_to: [chain/o{i - 1}]\n" if i else ""
        lines.append(f"  - id: o{i}\n    title: O{i}\n{aligns}{KR}")
    return _write(folder / "chain.yaml", "".join(lines))


def okr_ladder(folder: Path, levels: int) -> Path:
    """Two objectives a level, each aligned to both of the level above: 2**levels paths
    from the top to the bottom, through 2 * levels objectives."""
    lines = [OKRS_HEAD.replace("chain", "ladder").replace("Chain", "Ladder")]
    for i in range(levels):
        aligns = f"    aligns_to: [ladder/a{i - 1}, ladder/b{i - 1}]\n" if i else ""
        for side in "ab":
            lines.append(f"  - id: {side}{i}\n    title: {side.upper()}{i}\n{aligns}{KR}")
    return _write(folder / "ladder.yaml", "".join(lines))


ACCOUNT_HEAD = """\
apiVersion: revplan/v1
kind: AccountPlan
account: {id: many, name: Many, arr: 100000, renewal_date: 2027-06-30}
owner: sam
team:
  - {id: sam, name: Sam, function: sales}
"""


def detractors(folder: Path, n: int) -> Path:
    """An account plan with ``n`` detractors and one action that engages them all."""
    people = "".join(
        f"  - {{id: d{i}, name: Person {i}, group: renew, stance: detractor}}\n" for i in range(n)
    )
    everyone = ", ".join(f"d{i}" for i in range(n))
    objective = f"""\
objectives:
  - id: win
    title: Win them over
    actions:
      - {{id: talk, title: Talk to them, owner: sam, due: 2026-12-15, status: planned,
          stakeholders: [{everyone}]}}
"""
    return _write(folder / "detractors.yaml", ACCOUNT_HEAD + "stakeholders:\n" + people + objective)


def waivers(folder: Path, n: int) -> Path:
    """An account plan with ``n`` stakeholders without a backup, each with its own waiver."""
    people = "".join(
        f"  - {{id: p{i}, name: Person {i}, group: renew, stance: advocate, roles: [end_user]}}\n"
        for i in range(n)
    )
    waived = "".join(
        f"  - {{rule: backup-per-contact, target: p{i}, reason: Agreed in review {i}}}\n"
        for i in range(n)
    )
    return _write(
        folder / "waivers.yaml", ACCOUNT_HEAD + "stakeholders:\n" + people + "waivers:\n" + waived
    )


# Past the default limits.max_nodes (10,000 values), as a large organisation may set it.
CONFIG = """\
apiVersion: revplan/v1
kind: Config
plans: ["*.yaml"]
limits: {max_nodes: 1000000, max_file_bytes: 100000000}
"""


def _write(path: Path, text: str) -> Path:
    """``text`` in ``path``, and beside it a config that lets it through the limits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    (path.parent / "revplan.yaml").write_text(CONFIG, encoding="utf-8")
    return path
