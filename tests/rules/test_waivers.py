"""Waiver matching, indexed: the same answers as reading the waivers in order."""

from datetime import date

from conftest import check_json
from corpus import big

from engine.findings import Finding, Location
from engine.model.types import Places, Waiver
from engine.rules.waivers import WaiverMatcher


def waiver(rule: str, reason: str, target: str | None = None) -> Waiver:
    return Waiver(Location("a.yaml", 1, 1), Places("a.yaml", {}, ()), rule, reason, None, target)


def finding(target: str | None, plan: str = "acme") -> Finding:
    return Finding("backup-per-contact", "error", "m", "a.yaml", 1, 1, plan=plan, target=target)


def test_the_first_waiver_in_order_waives_targeted_or_not():
    entries = [
        (waiver("backup-per-contact", "for maria", "maria"), "acme", True),
        (waiver("backup-per-contact", "every contact"), "acme", True),
        (waiver("backup-per-contact", "maria again", "maria"), "acme", True),
        (waiver("backup-per-contact", "any plan", "tom"), None, True),
    ]
    matcher = WaiverMatcher(entries, date(2026, 11, 23))
    assert matcher.match(finding("maria")) == 0  # targeted, and first
    assert matcher.match(finding("tom")) == 1  # the plan's untargeted one comes before
    assert matcher.match(finding(None)) == 1
    assert matcher.match(finding("tom", plan="other")) == 3  # every plan's, by target
    assert matcher.match(finding("kim", plan="other")) is None


def test_each_of_many_waivers_waives_its_own_target_and_is_placed_on_its_line(tmp_path):
    plan = big.waivers(tmp_path, 300)
    _, report = check_json(plan, cwd=tmp_path)
    backups = [f for f in report["findings"] if f["rule"] == "backup-per-contact"]
    assert len(backups) == 300 and all(f["waived"] for f in backups)
    assert not [f for f in report["findings"] if f["rule"] == "waiver-unused"]
    # A waiver's place survives the result (an expired one is reported there).
    text = plan.read_text(encoding="utf-8").replace(
        "reason: Agreed in review 7}", "reason: x, expires: 2026-01-01}"
    )
    plan.write_text(text, encoding="utf-8")
    _, report = check_json(plan, cwd=tmp_path)
    [expired] = [f for f in report["findings"] if f["rule"] == "waiver-expired"]
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "2026-01-01" in t)
    assert expired["line"] == line
