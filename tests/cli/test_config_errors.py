"""A broken config is told everything wrong with it in one run, in the file's order."""

import pytest
from conftest import run_cli

PLAN = (
    "apiVersion: revplan/v1\nkind: AccountPlan\naccount: {id: acme, name: Acme}\n"
    "stakeholders:\n  - {id: maria, name: Maria, group: renew}\n"
)
CONFIG = """\
apiVersion: revplan/v1
kind: Config
fail_on: errors
rules:
  backup-per-contct: {severity: warning}
  contact-freshness: {max_age_days: -3, maxage: 4, groups: [renew, expnd]}
  plan-freshness: {severity: loud}
waivers:
  - {rule: two-messages}
"""


def test_every_config_error_is_reported_in_one_run(write, tmp_path):
    write("plans/acme.yaml", PLAN)
    write("revplan.yaml", CONFIG)
    result = run_cli("check", "plans", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 2
    lines = [line.removeprefix("revplan: config: ") for line in result.stderr.splitlines()]
    assert [line.split(" ", 1)[0] for line in lines] == [
        "revplan.yaml:3:10:",  # fail_on
        "revplan.yaml:5:3:",  # the unknown rule
        "revplan.yaml:6:37:",  # max_age_days
        "revplan.yaml:6:41:",  # maxage
        "revplan.yaml:6:68:",  # groups[1], said once
        "revplan.yaml:7:30:",  # severity
        "revplan.yaml:9:5:",  # the waiver's reason
    ]
    assert "did you mean 'backup-per-contact'?" in lines[1]
    assert "did you mean 'max_age_days'?" in lines[3]
    assert "did you mean 'expand'?" in lines[4]


def test_a_waiver_that_names_no_rule_is_told_both_ways_to_name_one(write, tmp_path):
    write("plans/acme.yaml", PLAN)
    write("revplan.yaml", "apiVersion: revplan/v1\nkind: Config\nwaivers:\n  - {reason: later}\n")
    result = run_cli("check", "plans", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        "revplan: config: revplan.yaml:4:5: waivers[0]: missing required field: "
        "give 'rule' or 'rules'\n"
    )


# Every message revplan words about its config, each once.
WORDED = """\
apiVersion: revplan/v1
kind: Config
plans: [/abs/plans]
rules:
  backup-per-contct: {severity: warning}
  nonsense-rule: {}
  contact-freshness: {max_age_days: -3, maxage: 4}
  advocate-per-role: {roles: buyer}
  milestone-review: {perspectives: [custmer]}
  high-influence-seen: {sevrity: error}
custom_rules:
  - {id: high-influence-seen, summary: s, each: stakeholders, assert: 'true', message: m}
"""


def _config_lines(result) -> list[str]:
    assert result.exit_code == 2, result.output
    return [line.removeprefix("revplan: config: ") for line in result.stderr.splitlines()]


def test_config_errors_speak_the_locale_given_on_the_command_line(write, tmp_path):
    write("plans/acme.yaml", PLAN)
    write("revplan.yaml", WORDED)
    args = ("check", "plans", "--no-cache")
    english = _config_lines(run_cli(*args, cwd=tmp_path))
    assert english == [
        "revplan.yaml:3:9: plans: '/abs/plans' is an absolute path — write it relative to the "
        "folder of revplan.yaml, so the config works in every checkout (e.g. 'plans/**/*.yaml')",
        "revplan.yaml:5:3: unknown rule 'backup-per-contct' — did you mean 'backup-per-contact'?",
        "revplan.yaml:6:3: unknown rule 'nonsense-rule' — see `revplan rules`",
        "revplan.yaml:7:37: rules.contact-freshness.max_age_days: -3 should be a whole number, 0 or more",
        "revplan.yaml:7:41: rule contact-freshness has no parameter 'maxage' — did you mean "
        "'max_age_days'? (it takes: severity, max_age_days, groups)",
        "revplan.yaml:8:30: rules.advocate-per-role.roles: 'buyer' should be a list of names",
        "revplan.yaml:9:36: rules.milestone-review.perspectives: 'custmer' is not one of customer, "
        "sales, marketing, customer_success — did you mean 'customer'?",
        "revplan.yaml:10:25: custom rule high-influence-seen has no parameter 'sevrity' — did "
        "you mean 'severity'? (it takes: severity)",
    ]
    german = _config_lines(run_cli(*args, "--locale", "de", cwd=tmp_path))
    assert german == [
        "revplan.yaml:3:9: plans: '/abs/plans' ist ein absoluter Pfad — schreiben Sie ihn relativ "
        "zum Ordner von revplan.yaml, damit die Konfiguration in jedem Checkout funktioniert "
        "(z. B. 'plans/**/*.yaml')",
        "revplan.yaml:5:3: Unbekannte Regel 'backup-per-contct' — meinten Sie 'backup-per-contact'?",
        "revplan.yaml:6:3: Unbekannte Regel 'nonsense-rule' — siehe `revplan rules`",
        "revplan.yaml:7:37: rules.contact-freshness.max_age_days: -3 muss eine ganze Zahl ab 0 sein",
        "revplan.yaml:7:41: Die Regel contact-freshness hat keinen Parameter 'maxage' — meinten "
        "Sie 'max_age_days'? (sie kennt: severity, max_age_days, groups)",
        "revplan.yaml:8:30: rules.advocate-per-role.roles: 'buyer' muss eine Liste von Namen sein",
        "revplan.yaml:9:36: rules.milestone-review.perspectives: 'custmer' ist keiner der "
        "erlaubten Werte (customer, sales, marketing, customer_success) — meinten Sie 'customer'?",
        "revplan.yaml:10:25: Die eigene Regel high-influence-seen hat keinen Parameter 'sevrity' "
        "— meinten Sie 'severity'? (sie kennt: severity)",
    ]
    for locale in ("zh", "ja", "el"):
        local = _config_lines(run_cli(*args, "--locale", locale, cwd=tmp_path))
        # Same places, other words; what the user typed stays as typed.
        assert [line.split(" ", 1)[0] for line in local] == [
            line.split(" ", 1)[0] for line in english
        ]
        assert all(a != b for a, b in zip(english, local, strict=True))
        assert "backup-per-contct" in local[1] and "custmer" in local[6]
        assert not any("should be" in line or "unknown rule" in line for line in local), local


def test_without_locale_config_errors_speak_the_configs_own_language(write, tmp_path):
    write("plans/acme.yaml", PLAN)
    write("revplan.yaml", "apiVersion: revplan/v1\nkind: Config\nlocale: de\nfail_on: errors\n")
    lines = _config_lines(run_cli("check", "plans", "--no-cache", cwd=tmp_path))
    assert lines == [
        "revplan.yaml:4:10: fail_on: 'errors' ist kein erlaubter Wert (error, warning, info) — "
        "meinten Sie 'error'?"
    ]
    # The command line wins over the config.
    lines = _config_lines(run_cli("check", "plans", "--no-cache", "--locale", "en", cwd=tmp_path))
    assert lines[0].endswith("'errors' is not one of error, warning, info — did you mean 'error'?")


def test_a_teams_catalogue_named_by_the_config_words_its_errors(write, tmp_path):
    write("plans/acme.yaml", PLAN)
    write("words/fr.yaml", 'check:\n  config:\n    kind: "kind doit être Config dans {name}"\n')
    write("revplan.yaml", "apiVersion: revplan/v1\nkind: Plan\nlocale: fr\nlocales: words/\n")
    lines = _config_lines(run_cli("check", "plans", "--no-cache", cwd=tmp_path))
    assert lines == ["revplan.yaml:1:1: kind doit être Config dans revplan.yaml"]


def test_a_config_that_names_no_language_there_is_or_breaks_as_yaml_is_told_in_english(
    write, tmp_path
):
    write("plans/acme.yaml", PLAN)
    write("revplan.yaml", "apiVersion: revplan/v1\nkind: AccountPlan\nlocale: xx\n")
    lines = _config_lines(run_cli("check", "plans", "--no-cache", cwd=tmp_path))
    assert lines == ["revplan.yaml:1:1: kind must be Config in revplan.yaml"]
    write("revplan.yaml", "locale: de\nrules: [\n")  # not YAML: its locale is never read
    lines = _config_lines(run_cli("check", "plans", "--no-cache", cwd=tmp_path))
    assert lines == [
        "revplan.yaml:3:1: did not find expected node content (in a flow node that starts on "
        "line 3, column 1)"
    ]
    german = _config_lines(run_cli("check", "plans", "--no-cache", "--locale", "de", cwd=tmp_path))
    assert "kein gültiges YAML" in german[0], german


def test_a_config_that_cannot_be_read_is_told_in_the_readers_language(tmp_path):
    from engine.cli.options import config_messages
    from engine.config import ConfigError, load_config

    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, "revplan.yaml")  # a folder, not a file
    assert caught.value.messages[0].startswith("revplan.yaml: cannot read the config: ")
    [german] = config_messages(caught.value, "de")
    assert german.startswith("revplan.yaml: Die Konfiguration ist nicht lesbar: ")


def test_a_pattern_is_shown_as_the_schema_writes_it(write, tmp_path):
    write("plans/acme.yaml", PLAN)
    write("revplan.yaml", "apiVersion: revplan/v1\nkind: Config\nlocale: 'e n'\n")
    result = run_cli("check", "plans", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("revplan: config: revplan.yaml:3:9: locale: 'e n' does not match ^")
    assert line.endswith("$") and "\\Z" not in line  # the validator's own anchor stays inside
