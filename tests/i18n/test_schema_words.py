"""The plan format's rarer errors — a wrong type, pattern, bound, list length, number
written with separators, a file that is no plan — worded by the catalogues from the
validator's data, not jsonschema's English in parentheses; English as it always was."""

import pytest

from engine.i18n.words import CheckWords
from engine.parse.loader import load_bytes
from engine.parse.schema import (
    DOCUMENT_KINDS,
    another_config,
    claims_to_be_ours,
    identity_problems,
    not_ours,
    schema_problems,
)

HEADER = "apiVersion: revplan/v1\nkind: AccountPlan\n"

# kind of error -> (the file, its English, its German, its Chinese)
CASES = {
    "type": (
        HEADER + "account: {id: a, name: 5}\n",
        "account.name: 5 should be text — put it in quotes to make it text: '5'",
        "account.name: 5 muss Text sein — setzen Sie den Wert in Anführungszeichen, damit er "
        "Text ist: '5'",
        "account.name：应为文本，而不是 5——请加上引号，使其成为文本：'5'",
    ),
    "type of a mapping": (
        HEADER + "account: {id: a, name: A}\nstakeholders: {a: 1}\n",
        "stakeholders: a mapping should be a list — write each item on its own line starting "
        "with '- '",
        "stakeholders: ein Mapping muss eine Liste sein — schreiben Sie jeden Eintrag in eine "
        "eigene Zeile, beginnend mit '- '",
        "stakeholders：应为列表，而不是 映射——请每项单独一行，以“- ”开头",
    ),
    "money as people write it": (
        HEADER + "account: {id: a, name: A, arr: '480.000 EUR'}\n",
        "account.arr: '480.000 EUR' should be a number — write 480000 (digits only: no "
        "thousands separator, no currency)",
        "account.arr: '480.000 EUR' muss eine Zahl sein — schreiben Sie 480000 (nur Ziffern: "
        "ohne Tausendertrennzeichen, ohne Währung)",
        "account.arr：应为数字，而不是 '480.000 EUR'——请写 480000（只写数字：不加千位分隔符，不加货币）",
    ),
    "ambiguous yes": (
        HEADER + "account: {id: a, name: A}\nstakeholders:\n"
        "  - {id: s, name: S, group: renew, reference: 'yes'}\n",
        "stakeholders[0].reference: 'yes' is ambiguous in YAML — write true or false",
        "stakeholders[0].reference: 'yes' ist in YAML mehrdeutig — schreiben Sie true oder false",
        "stakeholders[0].reference：'yes' 在 YAML 中含义不明确——请写 true 或 false",
    ),
    "pattern of an id": (
        HEADER + "account: {id: Grow Fast, name: A}\n",
        "account.id: 'Grow Fast' is not a valid id — use lower-case letters, digits, '-' and "
        "'_' (e.g. 'grow-fast')",
        "account.id: 'Grow Fast' ist keine gültige id — verwenden Sie Kleinbuchstaben, Ziffern, "
        "'-' und '_' (z. B. 'grow-fast')",
        "account.id：'Grow Fast' 不是有效的 id——请使用小写字母、数字、“-”和“_”（例如“grow-fast”）",
    ),
    "pattern of a date": (
        HEADER + "account: {id: a, name: A}\nreviewed: 'Nov 2'\n",
        "reviewed: 'Nov 2' is not a date — write YYYY-MM-DD, e.g. 2026-11-02",
        "reviewed: 'Nov 2' ist kein Datum — schreiben Sie JJJJ-MM-TT, z. B. 2026-11-02",
        "reviewed：'Nov 2' 不是日期——请按 YYYY-MM-DD 书写，例如 2026-11-02",
    ),
    "maximum": (
        "apiVersion: revplan/v1\nkind: OKRs\nid: o\ntitle: T\nobjectives:\n"
        "  - {id: a, title: A, key_results: [{id: k, title: K, confidence: 2}]}\n",
        "objectives[0].key_results[0].confidence: 2 must be at most 1",
        "objectives[0].key_results[0].confidence: 2 darf höchstens 1 sein",
        "objectives[0].key_results[0].confidence：2 不能大于 1",
    ),
    "maximum of a margin": (
        HEADER + "account: {id: a, name: A, gross_margin: 78}\n",
        "account.gross_margin: 78 must be at most 1 — the margin is a share of 1: write 0.78",
        "account.gross_margin: 78 darf höchstens 1 sein — die Marge ist ein Anteil von 1: "
        "schreiben Sie 0.78",
        "account.gross_margin：78 不能大于 1——毛利率是 0 到 1 之间的比例：请写 0.78",
    ),
    "minItems": (
        "apiVersion: revplan/v1\nkind: Config\nwaivers:\n  - {rules: [], reason: r}\n",
        "waivers[0].rules: needs at least 1 item(s)",
        "waivers[0].rules: Die Liste braucht mindestens 1 Eintrag",
        "waivers[0].rules：至少需要1项",
    ),
    "thousands separator": (
        HEADER + "account: {id: a, name: A, arr: 480.000}\n",
        "account.arr: 480.000 is read as 480 — YAML takes '.' for the decimal point; for "
        "480,000 write 480000",
        "account.arr: 480.000 wird als 480 gelesen — YAML nimmt '.' als Dezimalzeichen; für "
        "480.000 schreiben Sie 480000",
        "account.arr：480.000 会被读作 480——YAML 以“.”作小数点；如要表示 480,000，请写 480000",
    ),
    "apiVersion": (
        "apiVersion: revplan/v2\nkind: AccountPlan\naccount: {id: a, name: A}\n",
        "apiVersion: 'revplan/v2' is not a supported apiVersion — write revplan/v1",
        "apiVersion: 'revplan/v2' ist keine unterstützte apiVersion — schreiben Sie revplan/v1",
        "apiVersion：'revplan/v2' 不是受支持的 apiVersion——请写 revplan/v1",
    ),
    "misspelt field": (
        "apiversion: revplan/v1\nkind: AccountPlan\n",
        "'apiversion' is not a field — did you mean 'apiVersion'? (field names are case-sensitive)",
        "'apiversion' ist kein Feld — meinten Sie 'apiVersion'? (Feldnamen unterscheiden Groß- "
        "und Kleinschreibung)",
        "“apiversion”不是字段——是否应为“apiVersion”？（字段名区分大小写）",
    ),
    "no plan": (
        "apiVersion: v1\nkind: Deployment\n",
        "not a revplan document (its apiVersion: 'v1' and kind: 'Deployment' are not revplan's): "
        "if it is a plan, start it with apiVersion: revplan/v1 and kind: AccountPlan or OKRs; "
        "if it is not a plan, leave it out with exclude: in revplan.yaml",
        "Kein revplan-Dokument (apiVersion: 'v1' und kind: 'Deployment' gehören nicht zu "
        "revplan): Ist die Datei ein Plan, beginnen Sie sie mit apiVersion: revplan/v1 und "
        "kind: AccountPlan oder OKRs; ist sie keiner, schließen Sie sie mit exclude: in "
        "revplan.yaml aus",
        "不是 revplan 文档（apiVersion: 'v1'、kind: 'Deployment' 不属于 revplan）：如果这是计划，"
        "请在开头写上 apiVersion: revplan/v1 和 kind: AccountPlan 或 OKRs；如果不是计划，请在 "
        "revplan.yaml 中用 exclude: 排除它",
    ),
}


def _problems(text: str) -> list:
    """The file's format problems, as the check finds them (engine.pipeline.file)."""
    doc = load_bytes(text.encode(), "plan.yaml")
    if not claims_to_be_ours(doc.data):
        return [not_ours(doc)]
    kind = doc.data.get("kind")
    return identity_problems(doc) + (schema_problems(doc, kind) if kind in DOCUMENT_KINDS else [])


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize(("locale", "column"), [("en", 1), ("de", 2), ("zh", 3)])
def test_each_kind_of_format_error_is_worded_by_the_readers_catalogue(case, locale, column):
    text, *said = CASES[case]
    words = CheckWords(locale)
    sentences = [words.sentence(p.key, p.args) for p in _problems(text)]
    assert said[column - 1] in sentences, sentences


def test_english_shows_the_same_sentence_as_the_finding_message():
    """What the JSON, SARIF and baselines keep: the finding's English message."""
    from engine.i18n.messages import english

    for text, en, *_ in CASES.values():
        assert en in [english(p.key, p.args) for p in _problems(text)]


@pytest.mark.parametrize("locale", ["de", "zh", "ja", "el"])
def test_no_format_error_keeps_english_in_parentheses(locale):
    words = CheckWords(locale)
    for text, *_ in CASES.values():
        for p in _problems(text):
            said = words.sentence(p.key, p.args)
            assert "should be" not in said and "must be" not in said and "write" not in said, said


@pytest.mark.parametrize(
    ("locale", "start"),
    [
        ("en", "a second revplan config (kind: Config) among the plans: a run reads one config"),
        ("de", "Eine zweite revplan-Konfiguration (kind: Config) zwischen den Plänen: Ein Lauf"),
        ("zh", "计划中混入了第二个 revplan 配置（kind: Config）：一次运行只读取一个配置"),
    ],
)
def test_a_second_config_among_the_plans_is_told_in_the_readers_language(locale, start):
    problem = another_config(load_bytes(b"apiVersion: revplan/v1\nkind: Config\n", "c.yaml"))
    assert CheckWords(locale).sentence(problem.key, problem.args).startswith(start)
