"""The words around a count agree with it: «Ελέγχθηκε 1 αρχείο», never «Ελέγχθηκαν 1 αρχείο»."""

import pytest
from conftest import run_cli
from render_support import copy_plans

from engine.i18n.words import CheckWords
from engine.reporters.base import not_checked_line, verdict_line

NOTHING_SKIPPED = {"excluded": 0, "gitignored": 0, "hidden": 0}


def _summary(files: int) -> dict:
    return {"files": files, "plans": files, "okrs": 0, "errors": 1, "warnings": 0, "infos": 0,
            "waived": 0, "skipped": NOTHING_SKIPPED}  # fmt: skip


@pytest.mark.parametrize(
    ("locale", "files", "start"),
    [
        ("el", 1, "Ελέγχθηκε 1 αρχείο (1 σχέδιο πελάτη, 0 σύνολα OKR): 1 σφάλμα"),
        ("el", 2, "Ελέγχθηκαν 2 αρχεία (2 σχέδια πελατών, 0 σύνολα OKR): 1 σφάλμα"),
        ("el", 21, "Ελέγχθηκαν 21 αρχεία"),
        ("de", 1, "1 Datei geprüft (1 Account-Plan, 0 OKR-Sets): 1 Fehler"),
        ("en", 1, "1 file checked (1 account plan, 0 OKR sets): 1 error"),
        ("zh", 1, "已检查1个文件（1份客户计划，0套 OKR）：1个错误"),
    ],
)
def test_the_summary_verb_agrees_with_the_number_of_files(locale, files, start):
    line = verdict_line(CheckWords(locale), _summary(files), True, "error")
    assert line.startswith(start), line


@pytest.mark.parametrize(
    ("locale", "hidden", "line"),
    [
        ("el", 1, "δεν ελέγχθηκε: 1 κρυφός φάκελος (λεπτομέρειες με --verbose)"),
        ("el", 2, "δεν ελέγχθηκαν: 2 κρυφοί φάκελοι (το --verbose τα απαριθμεί)"),
        ("en", 1, "not checked: 1 hidden folder (--verbose lists it)"),
        ("de", 1, "nicht geprüft: 1 versteckter Ordner (Einzelheiten mit --verbose)"),
    ],
)
def test_what_was_not_checked_agrees_with_its_number(locale, hidden, line):
    summary = {**_summary(2), "skipped": {**NOTHING_SKIPPED, "hidden": hidden}}
    assert not_checked_line(CheckWords(locale), summary) == line


@pytest.mark.parametrize(
    ("locale", "every_day", "every_2"),
    [
        ("en", "at least every day", "at least every 2 days"),
        ("de", "mindestens jeden Tag", "mindestens alle 2 Tage"),
        ("el", "τουλάχιστον κάθε ημέρα", "τουλάχιστον κάθε 2 ημέρες"),
        ("zh", "至少每1天", "至少每2天"),
    ],
)
def test_a_rules_limit_agrees_with_its_number(tmp_path, locale, every_day, every_2):
    """A limit is a count too: plan-freshness at max_age_days 1 says "every day"."""
    plans = copy_plans(tmp_path)
    config = plans / "revplan.yaml"
    default = "plan-freshness: {severity: warning, max_age_days: 90}"
    text = config.read_text(encoding="utf-8")
    assert default in text

    def check(days: int) -> str:
        limited = text.replace(default, f"plan-freshness: {{max_age_days: {days}}}")
        config.write_text(limited, encoding="utf-8")
        return run_cli("check", str(plans), "--no-cache", "--locale", locale).output

    every_other_day = check(2)
    assert every_2 in every_other_day and every_day not in every_other_day
    daily = check(1)
    assert every_day in daily and "every 1 day" not in daily and "alle 1 Tage" not in daily
