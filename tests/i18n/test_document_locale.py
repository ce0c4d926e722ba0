"""Documents in the reader's language: no sentence of revplan's English left in a
document of another locale, and a team's catalogue file changes the documents."""

import re
from pathlib import Path

import pytest
from conftest import TODAY
from render_support import copy_plans, gaps_repository, plan_texts, run

from engine.i18n.catalogue import LOCALES, read_catalogue
from engine.resources import templates_dir

ENGLISH = read_catalogue(templates_dir() / "locales" / "en.yaml")
WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def _english_phrases(section: str = "", least: int = 3) -> set[str]:
    """Runs of ``least`` or more English words of the catalogue: the documents' entries,
    or those under ``section`` (a rule id such as duplicate-id is no English)."""
    phrases = set()
    for key, message in ENGLISH.items():
        if key.startswith("check.") or not key.startswith(section):
            continue
        for text in message.values() if isinstance(message, dict) else [message]:
            for run_ in re.sub(r"\{[^{}]*\}", "\0", text.replace("duplicate-id", "")).split("\0"):
                words = WORD.findall(run_)
                if len(words) >= least:
                    phrases.add(" ".join(words))
    return phrases


def _words_of(folder: Path, plans: Path) -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.md"))]
    text = "\n".join(texts)
    for own in plan_texts(plans):
        text = text.replace(own, " ")
    return "\n".join(" ".join(WORD.findall(line)) for line in text.splitlines())


def _rendered_repositories(locale: str, tmp_path: Path, monkeypatch) -> list[str]:
    """The example plans and a repository that breaks every rule, rendered in ``locale``
    to each one's docs/."""
    copy_plans(tmp_path / "examples")
    gaps_repository(tmp_path / "gaps")
    for repo in ("examples", "gaps"):
        result = run(
            ["render", "plans", "--out", "docs", "--locale", locale, "--today", TODAY],
            tmp_path / repo,
            monkeypatch,
        )
        assert result.exit_code == 0, result.output
    return ["examples", "gaps"]


@pytest.mark.parametrize("locale", LOCALES[1:])
def test_no_english_sentence_is_left_in_a_document(locale, tmp_path, monkeypatch):
    """The example plans and a repository that breaks every rule, rendered in ``locale``:
    every phrase of three or more words of the English catalogue is absent (plan text,
    which is the team's own, may be English)."""
    for repo in _rendered_repositories(locale, tmp_path, monkeypatch):
        said = _words_of(tmp_path / repo / "docs", tmp_path / repo / "plans")
        left = sorted(p for p in _english_phrases() if re.search(rf"\b{re.escape(p)}\b", said))
        assert left == [], (locale, repo, left)


def test_a_teams_catalogue_changes_the_documents_without_a_change_to_revplan(tmp_path, monkeypatch):
    copy_plans(tmp_path)
    (tmp_path / "words").mkdir()
    (tmp_path / "words" / "de.yaml").write_text(
        "account:\n  money: Finanzen des Accounts\n", encoding="utf-8"
    )
    config = tmp_path / "plans" / "revplan.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^locale: .*$", "locale: de\nlocales: ../words/", text))
    result = run(["render", "plans", "--out", "docs"], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    doc = (tmp_path / "docs" / "accounts" / "aegean-lines.md").read_text(encoding="utf-8")
    assert "## Finanzen des Accounts" in doc
    assert "## Beziehungslandkarte" in doc  # the rest: the shipped German


def test_a_language_of_the_teams_own_renders_with_english_beneath(tmp_path, monkeypatch):
    copy_plans(tmp_path)
    (tmp_path / "templates" / "locales").mkdir(parents=True)
    (tmp_path / "templates" / "locales" / "fr.yaml").write_text(
        "account:\n  map: Carte des relations\n", encoding="utf-8"
    )
    result = run(
        ["render", "plans", "--out", "docs", "--locale", "fr", "--templates", "templates"],
        tmp_path,
        monkeypatch,
    )
    assert result.exit_code == 0, result.output
    doc = (tmp_path / "docs" / "accounts" / "aegean-lines.md").read_text(encoding="utf-8")
    assert "## Carte des relations" in doc and "Open findings" in doc
    assert "240\u202f000\u00a0€" in doc  # French numbers from CLDR


# Full-width punctuation carries its own space: an ASCII space after it is a gap
# (Markdown's own spaces, before a table's pipe, are not shown).
_GAP_AFTER_FULL_WIDTH = re.compile(r"[：。、，；！？](?:\*\*)? (?!\|)")


@pytest.mark.parametrize("locale", ["zh", "ja"])
def test_no_ascii_space_after_full_width_punctuation(locale, tmp_path, monkeypatch):
    catalogue = read_catalogue(templates_dir() / "locales" / f"{locale}.yaml")
    for key, message in catalogue.items():
        for text in message.values() if isinstance(message, dict) else [message]:
            assert not _GAP_AFTER_FULL_WIDTH.search(text), (locale, key, text)
    for repo in _rendered_repositories(locale, tmp_path, monkeypatch):
        plans = tmp_path / repo / "plans"
        checked = run(
            ["check", "plans", "--no-cache", "--locale", locale], tmp_path / repo, monkeypatch
        )
        texts = [p.read_text(encoding="utf-8") for p in sorted((tmp_path / repo).rglob("*.md"))]
        said = "\n".join([*texts, checked.output])
        for own in plan_texts(plans):  # the team's own words are theirs to space
            said = said.replace(own, "\ue000")
        gaps = [
            said[max(0, m.start() - 20) : m.end() + 5] for m in _GAP_AFTER_FULL_WIDTH.finditer(said)
        ]
        assert gaps == [], (locale, repo, gaps)


@pytest.mark.parametrize("locale", LOCALES[1:])
def test_the_notes_of_plans_render_skips_speak_the_locale(locale, tmp_path, monkeypatch):
    plans = copy_plans(tmp_path)
    evil = (plans / "accounts" / "aegean-lines.yaml").read_text(encoding="utf-8")
    (plans / "accounts" / "twin.yaml").write_text(evil, encoding="utf-8")
    bad = re.sub(r"(?m)^(  id: )aegean-lines$", r"\1Not_A_Slug!", evil, count=1)
    assert bad != evil
    (plans / "accounts" / "bad-id.yaml").write_text(bad, encoding="utf-8")
    result = run(["render", "plans", "--out", "docs", "--locale", locale], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("revplan: ")]
    # The file each note is about, and the id as typed, stay.
    assert any("bad-id.yaml" in n and "'Not_A_Slug!'" in n for n in notes), notes
    assert any("twin.yaml" in n and "aegean-lines" in n for n in notes), notes
    said = "\n".join(" ".join(WORD.findall(n)) for n in notes)
    left = sorted(
        p for p in _english_phrases("note.", 2) if re.search(rf"\b{re.escape(p)}\b", said)
    )
    assert left == [], (locale, left)
