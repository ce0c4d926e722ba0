"""An indentation mistake is named as one, at the line of the mistake."""

import pytest
from conftest import check_json

HEAD = "apiVersion: revplan/v1\nkind: AccountPlan\naccount:\n  id: acme\n  name: Acme\n"
PERSON = "stakeholders:\n  - id: maria\n    name: Maria\n"


def syntax(report):
    return [
        (f["line"], f["column"], f["message"])
        for f in report["findings"]
        if f["rule"] == "yaml-syntax"
    ]


@pytest.mark.parametrize(
    ("text", "line", "column", "says"),
    [
        # one space too deep: libyaml reads it as more words of 'Acme', then trips on ':'
        (HEAD.replace("  name", "   name"), 5, 4,
         "'name' is indented 3 spaces, deeper than the line above (2 spaces) although "
         "nothing there opens a block — indent it 2 spaces"),
        (HEAD + PERSON + "     group: renew\n", 9, 6,
         "'group' is indented 5 spaces, deeper than the line above (4 spaces)"),
        (HEAD + PERSON + "   group: renew\n", 9, 4,
         "'group' is indented 3 spaces, which lines up with no block above — indent it "
         "4 spaces or 2 spaces"),
        (HEAD.replace("  name", " name"), 5, 2,
         "'name' is indented 1 space, which lines up with no block above"),
        (HEAD + PERSON + "  group: renew\n", 9, 3,
         "'group' is indented 2 spaces, like the '- ' items of the list above, but is not "
         "one — indent it 4 spaces to belong to the item above, or start a new item"),
    ],
)  # fmt: skip
def test_an_indentation_mistake_is_named_at_its_line(write, text, line, column, says):
    _, report = check_json(write("acme.yaml", text))
    [(at_line, at_column, message)] = syntax(report)
    assert (at_line, at_column) == (line, column)
    assert message.startswith("indentation: ") and says in message


def test_a_colon_inside_a_value_is_still_told_to_quote_it(write):
    _, report = check_json(write("acme.yaml", HEAD + "notes: Renewal: the big one\n"))
    [(line, column, message)] = syntax(report)
    assert (line, column) == (6, 15) and message.endswith("a value containing ': ' needs quotes")


def test_block_scalars_and_continued_values_are_not_mistaken_for_mistakes(write):
    text = (
        HEAD + "notes: |\n  free text\n      indented as it likes\n"
        "messages:\n  renew: a value that goes on\n    over two lines\n"
        + PERSON + "   group: renew\n"
    )  # fmt: skip
    _, report = check_json(write("acme.yaml", text))
    [(line, _, message)] = syntax(report)
    assert line == 15 and "'group' is indented 3 spaces" in message
