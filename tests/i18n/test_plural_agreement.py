"""The words around a count agree with it: «Ελέγχθηκε 1 αρχείο», never «Ελέγχθηκαν 1 αρχείο»."""

import pytest

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
