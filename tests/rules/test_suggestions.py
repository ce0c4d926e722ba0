"""What a broken reference or id is told: the kind of thing it names, and a valid id to use."""

import pytest
from conftest import check_json

from engine.suggest import Suggester, slug

HEAD = "apiVersion: revplan/v1\nkind: AccountPlan\naccount: {id: acme, name: Acme}\n"


def messages(report, rule):
    return [f["message"] for f in report["findings"] if f["rule"] == rule]


def test_a_reference_to_an_id_of_another_kind_says_what_it_is(write):
    path = write(
        "acme.yaml",
        HEAD + "team:\n  - {id: anna, name: Anna, function: sales}\n"
        "stakeholders:\n"
        "  - {id: maria, name: Maria, group: renew, backup: anna, owner: maria}\n"
        "objectives:\n"
        "  - id: grow\n    title: Grow\n"
        "    actions: [{id: call, title: Call, owner: anna, stakeholders: [grow]}]\n"
        "renewal:\n  requirements: [{id: adoption, title: Adoption, met_by: [maria]}]\n",
    )
    _, report = check_json(path)
    assert sorted(messages(report, "unresolved-reference")) == [
        "backup 'anna' is a team member, not a stakeholder",
        "objective or action 'maria' is a stakeholder, not an objective or action",
        "relationship owner 'maria' is a stakeholder, not a team member",
        "stakeholder 'grow' is an objective, not a stakeholder",
    ]


def test_did_you_mean_proposes_only_valid_ids(write):
    # 'Schulz' is no id (a schema error of its own): it is never proposed.
    path = write(
        "acme.yaml",
        HEAD + "stakeholders:\n"
        "  - {id: Schulz, name: Hans Schulz, group: renew}\n"
        "  - {id: maria, name: Maria, group: renew, backup: schulz}\n",
    )
    _, report = check_json(path)
    assert messages(report, "unresolved-reference") == ["backup 'schulz' names nothing"]
    [id_error] = [m for m in messages(report, "schema") if "'Schulz'" in m]
    assert id_error.endswith("(e.g. 'schulz')")


@pytest.mark.parametrize(
    ("written", "suggested"),
    [("schulz-müller", "schulz-mueller"), ("Straße", "strasse"), ("Jørgensen", "joergensen"),
     ("José Núñez", "jose-nunez"), ("Ærø", "aeroe")],
)  # fmt: skip
def test_an_id_with_letters_beyond_ascii_is_suggested_transliterated(write, written, suggested):
    path = write(
        "acme.yaml", HEAD + f"stakeholders:\n  - {{id: {written}, name: X, group: renew}}\n"
    )
    _, report = check_json(path)
    [message] = [m for m in messages(report, "schema") if "is not a valid id" in m]
    assert message.endswith(f"(e.g. '{suggested}')")


def test_a_reference_written_with_accents_finds_the_transliterated_id(write):
    path = write(
        "acme.yaml",
        HEAD + "stakeholders:\n"
        "  - {id: schulz-mueller, name: Hans, group: renew}\n"
        "  - {id: maria, name: Maria, group: renew, backup: schulz-müler}\n",
    )
    _, report = check_json(path)
    assert messages(report, "unresolved-reference") == [
        "backup 'schulz-müler' names nothing — did you mean 'schulz-mueller'?"
    ]


def test_the_index_finds_near_misses_and_nothing_for_strangers():
    ids = Suggester([f"regional-lead-{i:04d}" for i in range(5000)] + ["kenji", "Bad Id"])
    assert ids.closest("kenj") == "kenji"
    assert ids.closest("knji") == "kenji"
    assert ids.closest("regional-laed-0042") == "regional-lead-0042"
    assert ids.closest("BAD ID") is None  # "Bad Id" is no id: never proposed
    assert ids.closest("zzzzzz") is None
    assert ids.closest("x" * 10_000) is None


def test_slug_keeps_ids_and_reads_other_scripts_as_nothing():
    assert slug("renew-110_a") == "renew-110_a"
    assert slug("  --Maria  Chen-- ") == "maria-chen"
    assert slug("王伟") == ""
