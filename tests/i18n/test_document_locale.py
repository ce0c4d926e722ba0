"""Documents in the reader's language: no sentence of revplan's English left in a
document of another locale, and a team's catalogue file changes the documents."""

import contextlib
import re
from pathlib import Path

import pytest
import yaml
from conftest import TODAY
from render_support import copy_plans, gaps_repository, run

from engine.i18n.catalogue import LOCALES, read_catalogue
from engine.resources import templates_dir

ENGLISH = read_catalogue(templates_dir() / "locales" / "en.yaml")
WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def _english_phrases() -> set[str]:
    """Runs of three or more English words from the document catalogue."""
    phrases = set()
    for key, message in ENGLISH.items():
        if key.startswith("check."):
            continue
        for text in message.values() if isinstance(message, dict) else [message]:
            for run_ in re.sub(r"\{[^{}]*\}", "\0", text).split("\0"):
                words = WORD.findall(run_)
                if len(words) >= 3:
                    phrases.add(" ".join(words))
    return phrases


def _plan_texts(plans: Path) -> list[str]:
    """Every text a plan holds, longest first: the team's words, which may be English."""
    found: list[str] = []
    pending: list[object] = []
    for path in plans.rglob("*.yaml"):
        with contextlib.suppress(yaml.YAMLError):  # a broken plan's text is in no document
            pending.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending += [*value.keys(), *value.values()]
        elif isinstance(value, list):
            pending += value
        elif isinstance(value, str):
            found.append(value)
    return sorted(set(found), key=len, reverse=True)


def _words_of(folder: Path, plans: Path) -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.md"))]
    text = "\n".join(texts)
    for own in _plan_texts(plans):
        text = text.replace(own, " ")
    return "\n".join(" ".join(WORD.findall(line)) for line in text.splitlines())


@pytest.mark.parametrize("locale", LOCALES[1:])
def test_no_english_sentence_is_left_in_a_document(locale, tmp_path, monkeypatch):
    """The example plans and a repository that breaks every rule, rendered in ``locale``:
    every phrase of three or more words of the English catalogue is absent (plan text,
    which is the team's own, may be English)."""
    copy_plans(tmp_path / "examples")
    gaps_repository(tmp_path / "gaps")
    for repo in ("examples", "gaps"):
        result = run(
            ["render", "plans", "--out", "docs", "--locale", locale, "--today", TODAY],
            tmp_path / repo,
            monkeypatch,
        )
        assert result.exit_code == 0, result.output
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
