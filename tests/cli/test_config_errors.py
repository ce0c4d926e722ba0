"""A broken config is told everything wrong with it in one run, in the file's order."""

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
