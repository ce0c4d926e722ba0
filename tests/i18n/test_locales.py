"""Locales as data: a team's catalogue file adds a language or corrects entries, and
`revplan locales check` says what such a file lacks or gets wrong."""

import datetime
from pathlib import Path

import pytest
from babel import Locale
from conftest import run_cli

from engine.i18n.catalogue import LOCALES, Catalogue, CatalogueError, read_catalogue
from engine.resources import templates_dir

BUILTIN = templates_dir() / "locales"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_team_file_adds_a_language_that_falls_back_to_english_key_by_key(tmp_path):
    own = write(tmp_path / "locales" / "fr.yaml", "account:\n  subtitle: Plan de compte\n")
    cat = Catalogue.load("fr", BUILTIN, own.parent)
    assert cat("account.subtitle") == "Plan de compte"
    assert cat("account.health") == "Health"  # not in the file: English
    assert cat.number(1234.5) == "1\u202f234,5"  # French digits from CLDR, not English


def test_a_team_file_corrects_single_entries_of_a_shipped_language(tmp_path):
    own = write(tmp_path / "locales" / "de.yaml", "account:\n  money: Finanzen\n")
    cat = Catalogue.load("de", BUILTIN, own.parent)
    assert cat("account.money") == "Finanzen"
    assert cat("account.map") == Catalogue.load("de", BUILTIN)("account.map")


def test_a_language_with_no_catalogue_anywhere_is_refused(tmp_path):
    with pytest.raises(CatalogueError, match="no catalogue for the locale 'fr'"):
        Catalogue.load("fr", BUILTIN, tmp_path)


def test_locales_check_names_unknown_keys_with_the_nearest_one_and_their_line(tmp_path):
    own = write(
        tmp_path / "fr.yaml",
        'account:\n  subtitle: Plan de compte\n  healht: Santé\nindex:\n  subtitle:\n    one: "{count} plan"\n    other: "{n} plans"\n',
    )
    result = run_cli("locales", "check", str(own))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(
        line.endswith(
            ":3:3: error: unknown key 'account.healht'; nothing shows it — did you mean 'account.health'?"
        )
        for line in lines
    ), lines
    assert any(":5:3: error: 'index.subtitle' uses {n}" in line for line in lines), lines
    # French counts have a "many" form (CLDR): without it they read in "other".
    assert any(
        ":5:3: warning: 'index.subtitle' lacks the plural form(s) many" in line for line in lines
    )
    assert any(": note: " in line and "show in English" in line for line in lines)


def test_locales_check_passes_a_partial_file_with_only_a_note(tmp_path):
    own = write(tmp_path / "de.yaml", "account:\n  money: Finanzen\n")
    result = run_cli("locales", "check", str(own))
    assert result.exit_code == 0, result.output
    assert "note:" in result.output and "error" not in result.output


def test_locales_check_refuses_a_file_not_named_by_a_locale(tmp_path):
    own = write(tmp_path / "german.yaml", "account:\n  money: Finanzen\n")
    result = run_cli("locales", "check", str(own))
    assert result.exit_code == 1
    assert "'german' is not a locale" in result.output


@pytest.mark.parametrize("locale", LOCALES[1:])
def test_every_shipped_language_passes_its_own_check_but_for_the_check_messages(locale):
    result = run_cli("locales", "check", str(BUILTIN / f"{locale}.yaml"))
    problems = [line for line in result.output.splitlines() if ": note: " not in line]
    assert problems == [], problems


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("count", [0, 1, 2, 5, 21])
def test_every_count_is_worded_in_the_form_the_language_uses(locale, count):
    """Each plural entry has the CLDR form each count asks for, so no "1 months"."""
    babel = Locale.parse(locale)
    form = babel.plural_form(count)
    for key, message in read_catalogue(BUILTIN / f"{locale}.yaml").items():
        if isinstance(message, dict):
            assert form in message or form == "other", (locale, key, count, form)
        elif "{count}" in message:
            # A count in a plain message is fine only where the language has one form.
            assert babel.plural_form.tags == set(), (locale, key)


def test_greek_writes_the_first_of_a_month_as_an_ordinal_and_other_days_as_numbers():
    """«1η Σεπτεμβρίου 2026» (never «1 Σεπτεμβρίου»), «28 Φεβρουαρίου 2027»; English unchanged."""
    greek = Catalogue.load("el", BUILTIN)
    assert greek.date(datetime.date(2026, 9, 1)) == "1η Σεπτεμβρίου 2026"
    assert greek.date(datetime.date(2027, 2, 28)) == "28 Φεβρουαρίου 2027"
    assert Catalogue.load("en", BUILTIN).date(datetime.date(2026, 9, 1)) == "Sep 1, 2026"


@pytest.mark.parametrize("locale", [*LOCALES, "fr", "ar"])
def test_a_list_of_any_length_is_worded_as_cldr_words_it(locale, tmp_path):
    """The list is built in one pass, not Babel's pattern nested once an item (quadratic:
    the portfolio lists every account serving a lever); the words are CLDR's all the same."""
    from babel.lists import format_list

    own = write(tmp_path / "locales" / f"{locale}.yaml", "account:\n  subtitle: Plan\n")
    cat = Catalogue.load(locale, BUILTIN, own.parent)
    for count in (1, 2, 3, 4, 7, 2_000):
        items = [f"account {i}" for i in range(count)]
        assert cat.join(items) == format_list(items, locale=locale), (locale, count)
    assert cat.join(["", "a", ""]) == "a"  # empty items are left out
    assert cat.join([]) == ""


def test_lists_read_as_the_language_writes_them():
    assert Catalogue.load("en", BUILTIN).join(["a", "b", "c"]) == "a, b, and c"
    assert Catalogue.load("zh", BUILTIN).join(["甲", "乙", "丙"]) == "甲、乙和丙"
    assert Catalogue.load("el", BUILTIN).join(["α", "β", "γ"]) == "α, β και γ"


def test_a_documents_list_keeps_each_item_as_written_and_in_its_place():
    from markupsafe import Markup

    from engine.documents.environment import environment

    join = environment(Catalogue.load("en", BUILTIN), None).globals["join_local"]
    # An item may hold the private-use characters the list is built with.
    items = ["\ue0002\ue001", "A|B", Markup("**bold**"), *(f"n{i}" for i in range(3, 1_000))]
    joined = join(items)
    assert joined.startswith("\ue0002\ue001, A\\|B, **bold**, n3, n4, ")
    assert joined.endswith(", n998, and n999")


def test_a_message_called_without_the_values_it_needs_fails_every_time():
    """Messages without values are remembered once worded; one that cannot be worded
    is never remembered, so the second document that asks fails as the first did."""
    from engine.documents.environment import environment

    cat = Catalogue.load("en", BUILTIN)
    t = environment(cat, None).globals["t"]
    assert t("label.never") == t("label.never") == "never"
    for _ in range(2):
        with pytest.raises(CatalogueError, match="needs a value for 'text'"):
            t("fmt.paren")
        with pytest.raises(CatalogueError, match="needs a value"):
            cat("fmt.paren")
