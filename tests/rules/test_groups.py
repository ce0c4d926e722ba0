"""The person rules judge the groups the method asks them of (parameter ``groups``)."""

import pytest
from conftest import check_json, run_cli

PERSON_RULES = ("backup-per-contact", "audience-needs", "contact-freshness", "relationship-owner")

# A Group 2 prospect the team has not met yet, next to a complete Group 1 contact.
PLAN = """\
apiVersion: revplan/v1
kind: AccountPlan
account: {id: acme, name: Acme}
team:
  - {id: dana, name: Dana, function: sales}
stakeholders:
  - id: maria
    name: Maria
    group: renew
    stance: advocate
    backup: kenji
    owner: dana
    last_contact: 2026-11-10
    needs: {see: Adoption, hear: Peers, know: Price}
  - {id: kenji, name: Kenji, group: renew, stance: supporter}
  - {id: sofia, name: Sofia, group: expand, stance: unknown, influence: high}
"""


def person_findings(report):
    return {(f["rule"], f["target"]) for f in report["findings"] if f["rule"] in PERSON_RULES}


def sofia_in_the_document(repo):
    """Sofia's row in the stakeholder table of the rendered account document."""
    result = run_cli("render", "plans", "--out", "docs", cwd=repo)
    assert result.exit_code == 0, result.output
    document = (repo / "docs/accounts/acme.md").read_text(encoding="utf-8")
    return next(line for line in document.splitlines() if "**Sofia**" in line)


def backups(report):
    [figures] = report["metrics"]["plans"]
    return figures["backup_coverage"], figures["contacts_without_backup"]


def test_a_group_2_prospect_fails_no_person_rule_by_default(write, tmp_path):
    write("plans/acme.yaml", PLAN)
    _, report = check_json("plans", cwd=tmp_path, extra=("--fail-on", "warning"))
    assert person_findings(report) == set()
    # The figures agree with the findings: sofia is not a backup gap either.
    assert backups(report) == (1.0, [])
    assert "⚠️" not in sofia_in_the_document(tmp_path)


def test_groups_renew_and_expand_judges_the_prospect_too(write, tmp_path):
    write("plans/acme.yaml", PLAN)
    settings = "".join(f"  {rule}: {{groups: [renew, expand]}}\n" for rule in PERSON_RULES)
    write("revplan.yaml", f"apiVersion: revplan/v1\nkind: Config\nrules:\n{settings}")
    code, report = check_json("plans", cwd=tmp_path)
    assert person_findings(report) == {(rule, "sofia") for rule in PERSON_RULES}
    assert code == 1  # backup-per-contact is an error
    assert backups(report) == (0.5, ["sofia"])
    # No backup, never contacted: both flagged in the document as in the findings.
    assert sofia_in_the_document(tmp_path).count("⚠️") == 2


def test_groups_expand_only_leaves_group_1_unjudged(write, tmp_path):
    write("plans/acme.yaml", PLAN.replace("    backup: kenji\n", ""))
    write(
        "revplan.yaml",
        "apiVersion: revplan/v1\nkind: Config\nrules:\n  backup-per-contact: {groups: [expand]}\n",
    )
    _, report = check_json("plans", cwd=tmp_path)
    assert person_findings(report) == {("backup-per-contact", "sofia")}


@pytest.mark.parametrize("rule", PERSON_RULES)
def test_a_misspelt_group_is_a_config_error_with_a_suggestion(rule, write, tmp_path):
    write("plans/acme.yaml", PLAN)
    write(
        "revplan.yaml",
        f"apiVersion: revplan/v1\nkind: Config\nrules:\n  {rule}: {{groups: [renew, expnd]}}\n",
    )
    result = run_cli("check", "plans", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 2
    assert "'expnd' is not one of renew, expand — did you mean 'expand'?" in result.output


@pytest.mark.parametrize("rule", PERSON_RULES)
def test_explain_says_what_the_method_asks_of_each_group(rule):
    page = run_cli("explain", rule).output
    prose = " ".join(page.split())
    assert "Group 1 (`group: renew`)" in prose and "Group 2 (`group: expand`)" in prose
    assert "  groups: renew" in page
