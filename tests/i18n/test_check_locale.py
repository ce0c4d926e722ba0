"""`revplan check --locale`: findings and summary in the reader's language, while rule
ids, severities, paths and positions stay as typed, and machine formats stay English."""

import json
import re
from pathlib import Path

import pytest
from conftest import TODAY, run_cli
from render_support import copy_plans, gaps_repository, plan_texts

from engine.config import load_config
from engine.i18n.catalogue import LOCALES
from engine.i18n.messages import check_catalogue
from engine.i18n.words import CheckWords, _local
from engine.session import run_check

LINE = re.compile(r"^(?P<where>[^:]+:\d+:\d+): (?P<severity>error|warning|info) (?P<rule>[a-z-]+) ")


def _finding_lines(output: str) -> list[re.Match[str]]:
    return [m for m in map(LINE.match, output.splitlines()) if m]


def test_check_speaks_german_but_keeps_ids_paths_and_positions(tmp_path):
    plans = copy_plans(tmp_path)
    english = run_cli("check", str(plans), "--no-cache", "--today", TODAY)
    german = run_cli("check", str(plans), "--no-cache", "--today", TODAY, "--locale", "de")
    assert german.exit_code == english.exit_code == 1
    en_lines, de_lines = _finding_lines(english.output), _finding_lines(german.output)
    assert [m.groups() for m in de_lines] == [m.groups() for m in en_lines]
    assert all(a.string != b.string for a, b in zip(en_lines, de_lines, strict=True))
    assert "Dateien geprüft" in german.output and "nicht bestanden" in german.output
    # People by name, with the id to type.
    assert "Ελένη Γεωργίου (georgiou, Budgetverantwortung)" in german.output
    # Dates the German way.
    assert "1. September 2026" in german.output and "2026-09-01" not in german.output


def test_machine_formats_keep_the_english_message_whatever_the_locale(tmp_path):
    plans = copy_plans(tmp_path)
    args = ("check", str(plans), "--no-cache", "--today", TODAY, "--format", "json")
    assert run_cli(*args, "--locale", "de").output == run_cli(*args).output


def test_the_cache_keeps_each_language_apart(tmp_path):
    plans = copy_plans(tmp_path)
    cache = tmp_path / "cache"
    base = ("check", str(plans), "--cache-dir", str(cache), "--today", TODAY)
    cold_de = run_cli(*base, "--locale", "de", "--no-cache").output
    cold_en = run_cli(*base, "--no-cache").output
    run_cli(*base)  # fills the cache in English
    assert run_cli(*base, "--locale", "de").output == cold_de
    assert run_cli(*base).output == cold_en


def _configure(plans: Path, lines: str) -> None:
    """The example config with ``lines`` in place of its locale."""
    config = plans / "revplan.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^locale: .*$", lines.rstrip("\n"), text), encoding="utf-8")


def test_the_config_locale_and_a_teams_catalogue_reword_the_findings(tmp_path):
    plans = copy_plans(tmp_path)
    (tmp_path / "words").mkdir()
    (tmp_path / "words" / "de.yaml").write_text(
        'check:\n  report:\n    failed: "durchgefallen"\n', encoding="utf-8"
    )
    _configure(plans, "locale: de\nlocales: ../words/\n")
    result = run_cli("check", str(plans), "--no-cache", cwd=tmp_path)
    assert result.exit_code == 1
    assert "— durchgefallen (Schwelle: error)" in result.output
    assert (
        "Rolle Einkauf hat keinen Fürsprache-Kontakt" in result.output
    )  # the rest: shipped German


def test_a_cached_report_is_worded_anew_when_the_teams_catalogue_changes(tmp_path):
    plans = copy_plans(tmp_path)
    words = tmp_path / "words" / "de.yaml"
    words.parent.mkdir()
    words.write_text('check:\n  report:\n    failed: "durchgefallen"\n', encoding="utf-8")
    _configure(plans, "locale: de\nlocales: ../words/\n")
    base = ("check", str(plans), "--cache-dir", str(tmp_path / "cache"), "--today", TODAY)
    assert "— durchgefallen" in run_cli(*base, cwd=tmp_path).output  # fills the cache
    words.write_text(
        'check:\n  report:\n    failed: "rot"\n  relationship-owner: "kein owner"\n'
        '  unresolved-reference: "{field} {name} fehlt"\n',
        encoding="utf-8",
    )
    _local.cache_clear()  # as a new process would read the catalogue
    again = run_cli(*base, cwd=tmp_path).output
    assert "— rot (Schwelle: error)" in again and "durchgefallen" not in again
    assert "reports_to) dean-liu fehlt" in again


def test_a_language_of_the_teams_own_falls_back_to_english_key_by_key(tmp_path):
    plans = copy_plans(tmp_path)
    (tmp_path / "words").mkdir()
    (tmp_path / "words" / "fr.yaml").write_text(
        'check:\n  report:\n    failed: "échec"\n', encoding="utf-8"
    )
    _configure(plans, "locales: ../words/\n")
    result = run_cli("check", str(plans), "--no-cache", "--locale", "fr", cwd=tmp_path)
    assert result.exit_code == 1
    assert "— échec (fail on error)" in result.output
    assert "has no usable backup" in result.output


def test_an_unknown_locale_is_exit_2_naming_the_languages(tmp_path):
    plans = copy_plans(tmp_path)
    result = run_cli("check", str(plans), "--no-cache", "--locale", "fr")
    assert result.exit_code == 2
    assert "no catalogue for the locale 'fr': choose one of en, de" in result.output


def test_github_annotations_and_step_summary_speak_the_locale(tmp_path, monkeypatch):
    plans = copy_plans(tmp_path)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run_cli(
        "check", str(plans), "--no-cache", "--today", TODAY, "--format", "github", "--locale", "de"
    )  # fmt: skip
    assert result.exit_code == 1
    assert (
        "::error file=" in result.output
        and "title=advocate-per-role::Rolle Einkauf" in result.output
    )
    page = summary.read_text(encoding="utf-8")
    assert page.startswith("## revplan check: nicht bestanden")
    assert "| Schweregrad | Stelle | Regel | Befund |" in page


def _english_fragments() -> set[str]:
    """Runs of four or more English words from the check's own messages."""
    fragments = set()
    for message in check_catalogue().messages.values():
        for text in message.values() if isinstance(message, dict) else [message]:
            literal = re.sub(r"\{[^{}]*\}", "\0", text)
            for run in literal.split("\0"):
                words = re.findall(r"[A-Za-z]+(?:'[a-z]+)?", run)
                if len(words) >= 4:
                    fragments.add(" ".join(words))
    return fragments


@pytest.mark.parametrize("locale", LOCALES[1:])
def test_no_english_sentence_is_left_in_a_localised_finding(locale, tmp_path, monkeypatch):
    plans = gaps_repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    report, _ = run_check((plans,), load_config(tmp_path / "revplan.yaml"), None)
    words = CheckWords(locale)
    fragments = _english_fragments()
    for f in report.findings:
        said = " ".join(re.findall(r"[A-Za-z]+(?:'[a-z]+)?", words.finding(f)))
        assert not [x for x in fragments if x in said], (locale, f.key, words.finding(f))
    summary = {
        "files": 2,
        "plans": 1,
        "okrs": 1,
        "errors": 2,
        "warnings": 5,
        "infos": 1,
        "waived": 1,
    }
    from engine.reporters.base import verdict_line

    line = verdict_line(words, summary, True, "error")
    assert "checked" not in line and "warnings" not in line, (locale, line)


def test_every_shipped_language_words_every_finding_of_every_rule(tmp_path, monkeypatch):
    plans = gaps_repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    report, _ = run_check((plans,), load_config(tmp_path / "revplan.yaml"), None)
    for locale in LOCALES[1:]:
        words = CheckWords(locale)
        for f in (f for f in report.findings if f.rule not in ("yaml-syntax", "schema")):
            assert words.finding(f) != f.message, (locale, f.key)


def test_json_of_a_german_run_equals_the_english_one(tmp_path):
    plans = copy_plans(tmp_path)
    args = ("check", str(plans), "--no-cache", "--today", TODAY, "--format", "json")
    german = json.loads(run_cli(*args, "--locale", "de").output)
    assert all(re.search(r"[a-z]", f["message"]) for f in german["findings"])
    assert german == json.loads(run_cli(*args).output)
    assert Path(plans).is_dir()


@pytest.mark.parametrize("locale", LOCALES[1:])
def test_a_contacts_stance_is_named_in_the_readers_language(locale, tmp_path, monkeypatch):
    plans = gaps_repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    report, _ = run_check((plans,), load_config(tmp_path / "revplan.yaml"), None)
    words = CheckWords(locale)
    # Big Shot: a neutral, high-influence contact whose backup has left.
    said = [words.finding(f) for f in report.findings if f.key == "backup-per-contact.left"]
    neutral = words.cat.label("stance", "neutral")
    # (German's word is "neutral" too; elsewhere the enum value must not show through.)
    leaked = neutral != "neutral" and any("neutral" in s for s in said)
    assert said and all(neutral in s for s in said) and not leaked, (locale, said)


# A plan that breaks the format in the ways people most often do.
_BROKEN = """apiVersion: revplan/v1
kind: AccountPlan
ownr: me
reviewed: 2026-02-30
team: []
stakeholders:
  - id: a
    name: A
    stance: advocat
    stance: neutral
"""


def _tool_words(message: str) -> list[str]:
    """The message's words less what the user typed: the path it starts with, quoted
    values and lists of the values allowed."""
    text = re.sub(r"^\S+?[:：]", "", message)
    text = re.sub(r"'[^']*'|“[^”]*”|「[^」]*」|\w+(?:, \w+)+", " ", text)
    return re.findall(r"[A-Za-z]+", text)


@pytest.mark.parametrize("locale", LOCALES[1:])
def test_format_and_yaml_findings_are_worded_in_the_readers_language(locale, tmp_path):
    (tmp_path / "broken.yaml").write_text(_BROKEN, encoding="utf-8")
    (tmp_path / "binary.yaml").write_bytes(b"a: 1\0")
    english = run_cli("check", str(tmp_path), "--no-cache")
    local = run_cli("check", str(tmp_path), "--no-cache", "--locale", locale)
    assert local.exit_code == english.exit_code == 1
    en_lines, local_lines = _finding_lines(english.output), _finding_lines(local.output)
    # Positions, severities and rule ids stay; so do the paths into the plan.
    assert [m.groups() for m in local_lines] == [m.groups() for m in en_lines]
    assert len(en_lines) >= 7, english.output
    for en, said in zip(en_lines, local_lines, strict=True):
        en_message, message = en.string[en.end() :], said.string[said.end() :]
        ours, theirs = _tool_words(en_message), _tool_words(message)
        assert len(ours) >= 3, en_message
        runs = {tuple(ours[i : i + 2]) for i in range(len(ours) - 1)}
        pairs = {tuple(theirs[i : i + 2]) for i in range(len(theirs) - 1)}
        assert not runs & pairs, (locale, message)
    assert "advocate" in local.output  # the value to type is offered as typed


@pytest.mark.parametrize("locale", LOCALES[1:])
@pytest.mark.parametrize("output", ["text", "github"])
def test_no_english_tool_sentence_in_the_check_of_the_example_plans(
    locale, output, tmp_path, monkeypatch
):
    plans = copy_plans(tmp_path)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run_cli(
        "check", str(plans), "--no-cache", "--today", TODAY, "--locale", locale, "--format", output
    )
    assert result.exit_code == 1
    said = result.output + (summary.read_text(encoding="utf-8") if output == "github" else "")
    for own in plan_texts(plans):
        said = said.replace(own, " ")
    words = " ".join(re.findall(r"[A-Za-z]+(?:'[a-z]+)?", said))
    left = sorted(x for x in _english_fragments() if re.search(rf"\b{re.escape(x)}\b", words))
    assert left == [], (locale, output, left)
