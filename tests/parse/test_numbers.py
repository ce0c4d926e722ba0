"""Money and margins written the way people write them are told the number they meant."""

import pytest
from conftest import check_json

HEAD = "apiVersion: revplan/v1\nkind: AccountPlan\n"


def schema_messages(report):
    return [
        (f["line"], f["column"], f["message"]) for f in report["findings"] if f["rule"] == "schema"
    ]


def account(field_lines: str) -> str:
    return HEAD + "account:\n  id: acme\n  name: Acme\n" + field_lines


@pytest.mark.parametrize(
    ("written", "read", "meant"),
    [("480.000", "480", "480000"), ("12.500", "12.5", "12500"), ("1.250", "1.25", "1250")],
)
def test_a_thousands_separator_read_as_a_decimal_point_is_a_located_error(
    write, written, read, meant
):
    path = write("acme.yaml", account(f"  arr: {written}\n"))
    code, report = check_json(path)
    assert code == 1
    assert schema_messages(report) == [
        (6, 8, f"account.arr: {written} is read as {read} — YAML takes '.' for the decimal "
               f"point; for {int(meant):,} write {meant}"),
    ]  # fmt: skip


def test_every_money_field_and_an_expansion_value_are_read_for_separators(write):
    path = write(
        "acme.yaml",
        account("  acquisition_cost: 150.000\n  support_cost_per_year: 60.000\n")
        + "expansion:\n  - {id: emea, title: EMEA, value: 200.000}\n",
    )
    _, report = check_json(path)
    assert [m[:2] for m in schema_messages(report)] == [(6, 21), (7, 26), (9, 36)]
    assert all("is read as" in m[2] for m in schema_messages(report))


def test_a_real_decimal_and_a_separator_outside_money_are_left_alone(write):
    path = write(
        "acme.yaml",
        account("  arr: 480000.5\n  gross_margin: 0.780\n")
        + "objectives:\n  - id: grow\n    title: Grow\n"
        "    key_results: [{id: k, title: K, baseline: 1.500, target: 2.000}]\n",
    )
    _, report = check_json(path)
    assert schema_messages(report) == []


@pytest.mark.parametrize(
    ("written", "meant"),
    [("480,000", "480000"), ("'1.200.000'", "1200000"), ("€480,000", "480000"),
     ("480 000 EUR", "480000"), ("US$1,250,000", "1250000")],
)  # fmt: skip
def test_money_written_as_text_with_separators_is_told_the_number(write, written, meant):
    path = write("acme.yaml", account(f"  arr: {written}\n"))
    _, report = check_json(path)
    [(_, _, message)] = schema_messages(report)
    assert message.endswith(f"should be a number — write {meant} (digits only: no thousands "
                            "separator, no currency)")  # fmt: skip


@pytest.mark.parametrize(
    ("written", "share"), [("78", "0.78"), ("78.5", "0.785"), ("'78%'", "0.78"), ("0,78", "0.78")]
)
def test_a_margin_written_as_a_percentage_is_told_the_share(write, written, share):
    path = write("acme.yaml", account(f"  gross_margin: {written}\n"))
    _, report = check_json(path)
    [(line, _, message)] = schema_messages(report)
    assert line == 6
    assert message.endswith(f" — the margin is a share of 1: write {share}")


def test_a_margin_beyond_any_percentage_gets_no_guess(write):
    path = write("acme.yaml", account("  gross_margin: 780\n"))
    _, report = check_json(path)
    [(_, _, message)] = schema_messages(report)
    assert message == "account.gross_margin: 780 must be at most 1"


def test_three_decimals_are_an_amount_in_a_currency_of_three_decimals(write):
    path = write("acme.yaml", account("  currency: KWD\n  arr: 480.000\n"))
    _, report = check_json(path)
    assert schema_messages(report) == []
