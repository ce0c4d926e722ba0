"""Schema findings a plan author can act on: located, worded for people, with suggestions."""

import json

from conftest import REPO, TESTS, check_json, run_cli

FIXTURES = TESTS / "fixtures"
HEADER = "apiVersion: revplan/v1\nkind: AccountPlan\naccount: {id: acme, name: Acme}\n"


def schema_findings(report):
    return [f for f in report["findings"] if f["rule"] == "schema"]


def test_every_field_of_the_spec_examples_is_accepted():
    _, report = check_json(
        *(FIXTURES / n for n in ("spec-account.yaml", "spec-okrs.yaml", "spec-company.yaml"))
    )
    assert schema_findings(report) == []
    assert report["summary"]["plans"] == 1 and report["summary"]["okrs"] == 2


def test_spec_config_example_is_a_valid_config(tmp_path):
    config = tmp_path / "revplan.yaml"
    config.write_text((FIXTURES / "spec-config.yaml").read_text())
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "acme.yaml").write_text((FIXTURES / "spec-account.yaml").read_text())
    result = run_cli(
        "check", "--format", "json", "--no-cache", "--today", "2026-11-23", cwd=tmp_path
    )
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["summary"]["plans"] == 1


def test_enum_error_names_the_path_the_value_and_the_choices(write):
    path = write(
        "acme.yaml",
        HEADER
        + "stakeholders:\n  - {id: a, name: A, group: renew}\n  - {id: b, name: B, group: renew}\n"
        "  - {id: c, name: C, group: renew}\n  - id: d\n    name: D\n    group: renew\n"
        "    stance: champion\n",
    )
    _, report = check_json(path)
    [finding] = schema_findings(report)
    assert finding["message"] == (
        "stakeholders[3].stance: 'champion' is not one of advocate, supporter, neutral, "
        "detractor, unknown"
    )
    assert (finding["line"], finding["column"]) == (11, 13)


def test_near_miss_enum_value_gets_a_suggestion(write):
    path = write(
        "acme.yaml", HEADER + "stakeholders:\n  - {id: a, name: A, group: renew, stance: advocat}\n"
    )
    _, report = check_json(path)
    [finding] = schema_findings(report)
    assert "did you mean 'advocate'?" in finding["message"]


def test_unknown_field_is_reported_at_its_own_key_with_a_suggestion(write):
    path = write(
        "acme.yaml",
        HEADER
        + "stakeholders:\n  - id: maria\n    name: Maria\n    group: renew\n    bakup: kenji\n",
    )
    _, report = check_json(path)
    [finding] = schema_findings(report)
    assert (finding["line"], finding["column"]) == (8, 5)
    assert "unknown field 'bakup'" in finding["message"]
    assert "did you mean 'backup'?" in finding["message"]


def test_top_level_typo_is_caught(write):
    path = write("acme.yaml", HEADER + "stakholders: []\n")
    _, report = check_json(path)
    [finding] = schema_findings(report)
    assert finding["line"] == 4 and "did you mean 'stakeholders'?" in finding["message"]


def test_all_errors_in_a_file_are_reported_not_just_the_first(write):
    path = write(
        "acme.yaml",
        "apiVersion: revplan/v1\nkind: AccountPlan\naccount: {id: Acme Corp, name: Acme, arr: lots}\n"
        "reviewed: 02/11/2026\nstakeholders:\n  - {id: a, name: A, group: renew, reference: yes}\n",
    )
    _, report = check_json(path)
    messages = [f["message"] for f in schema_findings(report)]
    assert len(messages) == 4, messages
    assert any("'Acme Corp' is not a valid id" in m and "'acme-corp'" in m for m in messages)
    assert any("account.arr: 'lots' should be a number" in m for m in messages)
    assert any("reviewed: '02/11/2026' is not a date" in m for m in messages)
    assert any("reference: 'yes' is ambiguous in YAML — write true or false" in m for m in messages)


def test_missing_required_field_is_reported_on_the_object(write):
    path = write("acme.yaml", HEADER + "team:\n  - {id: dana, function: sales}\n")
    _, report = check_json(path)
    [finding] = schema_findings(report)
    assert finding["message"] == "team[0]: missing required field 'name'"
    assert finding["line"] == 5


def test_impossible_calendar_date_is_rejected(write):
    path = write("acme.yaml", HEADER + "reviewed: 2026-02-30\n")
    _, report = check_json(path)
    [finding] = schema_findings(report)
    assert "not a real calendar date" in finding["message"]


def test_mapping_where_a_list_belongs_says_how_to_write_it(write):
    path = write("acme.yaml", HEADER + "stakeholders:\n  id: maria\n")
    _, report = check_json(path)
    [finding] = schema_findings(report)
    assert "should be a list" in finding["message"] and "- " in finding["message"]


def test_number_in_a_text_field_says_to_quote_it(write):
    path = write("acme.yaml", HEADER.replace("name: Acme", "name: 2027"))
    _, report = check_json(path)
    [finding] = schema_findings(report)
    assert "put it in quotes" in finding["message"]


def test_wrong_kind_gets_a_suggestion(write):
    path = write("acme.yaml", HEADER.replace("kind: AccountPlan", "kind: AcountPlan"))
    _, report = check_json(path)
    [finding] = schema_findings(report)
    assert "did you mean 'AccountPlan'?" in finding["message"]


def test_schema_command_prints_each_kind():
    for kind in ("AccountPlan", "OKRs", "Config"):
        result = run_cli("schema", kind)
        assert result.exit_code == 0
        schema = json.loads(result.stdout)
        assert schema["$schema"].endswith("2020-12/schema")
    assert run_cli("schema", "Nope").exit_code == 2


def test_every_schema_property_has_title_and_description():
    def walk(node, path):
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                assert "title" in prop and "description" in prop, f"{path}.{name}"
            if node.get("type") == "object" or "properties" in node:
                assert "additionalProperties" in node, path
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")

    for name in ("accountplan", "okrs", "config"):
        walk(json.loads((REPO / "schemas" / f"{name}.schema.json").read_text()), name)


def test_an_id_with_a_final_newline_is_not_a_slug(write):
    """A block scalar (``id: |``) ends in a newline, which Python's ``$`` let through."""
    path = write(
        "acme.yaml",
        'apiVersion: revplan/v1\nkind: AccountPlan\naccount: {id: "acme\\n", name: Acme}\n',
    )
    code, report = check_json(path)
    [finding] = schema_findings(report)
    assert code == 1 and finding["line"] == 3 and "not a valid id" in finding["message"]


# A value each pattern of schemas/ accepts; a new pattern must be added here.
PATTERN_SAMPLES = {
    "^revplan/v1$": "revplan/v1",
    "^[a-z0-9][a-z0-9_-]*$": "acme",
    "^[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*$": "acme/q1",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "2026-11-23",
    "^[A-Z]{3}$": "EUR",
    "^[a-z]{2,3}(_[A-Z][a-z]{3})?(_([A-Z]{2}|[0-9]{3}))?$": "zh_Hant_TW",
}


def schema_patterns(node):
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from schema_patterns(value)
    elif isinstance(node, list):
        for item in node:
            yield from schema_patterns(item)


def test_no_pattern_in_the_schemas_lets_a_final_newline_through():
    import jsonschema

    from engine.parse.schema import _string_end_anchors

    patterns = set()
    for path in (REPO / "schemas").glob("*.json"):
        patterns |= set(schema_patterns(json.loads(path.read_text(encoding="utf-8"))))
    assert patterns <= set(PATTERN_SAMPLES), patterns - set(PATTERN_SAMPLES)
    for pattern in patterns:
        validator = jsonschema.Draft202012Validator(_string_end_anchors({"pattern": pattern}))
        assert validator.is_valid(PATTERN_SAMPLES[pattern])
        assert not validator.is_valid(PATTERN_SAMPLES[pattern] + "\n"), pattern


def test_a_waiver_without_a_rule_is_told_both_ways_to_name_one_in_the_readers_language(write):
    path = write("acme.yaml", HEADER + "waivers:\n  - {reason: later}\n")
    _, report = check_json(path)
    [finding] = schema_findings(report)
    assert finding["message"] == "waivers[0]: missing required field: give 'rule' or 'rules'"
    assert finding["line"] == 5
    german = run_cli("check", str(path), "--no-cache", "--locale", "de").stdout
    assert "waivers[0]: Pflichtfeld fehlt: geben Sie 'rule' oder 'rules' an" in german
