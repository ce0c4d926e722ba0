"""duplicate-id and unresolved-reference, within a file and across the repository."""

from conftest import check_json

HEAD = "apiVersion: revplan/v1\nkind: AccountPlan\n"


def by_rule(report, rule):
    return [f for f in report["findings"] if f["rule"] == rule]


def test_duplicate_stakeholder_id_in_a_plan_points_back_at_the_first(write):
    path = write(
        "acme.yaml",
        HEAD + "account: {id: acme, name: Acme}\nstakeholders:\n"
        "  - {id: maria, name: Maria Chen, group: renew}\n"
        "  - {id: maria, name: Maria Rossi, group: expand}\n",
    )
    _, report = check_json(path)
    [finding] = by_rule(report, "duplicate-id")
    assert (finding["line"], finding["column"]) == (6, 10)
    assert "already defined on line 5" in finding["message"]
    assert finding["target"] == "maria" and finding["plan"] == "acme"


def test_ids_share_one_namespace_inside_a_plan_but_key_results_are_per_objective(write):
    path = write(
        "acme.yaml",
        HEAD + "account: {id: acme, name: Acme}\n"
        "team:\n  - {id: renew, name: Dana, function: sales}\n"
        "objectives:\n"
        "  - id: renew\n    title: Renew\n    key_results: [{id: wau, title: W, baseline: 1, target: 2}]\n"
        "  - id: grow\n    title: Grow\n    key_results: [{id: wau, title: W, baseline: 1, target: 2}]\n",
    )
    _, report = check_json(path)
    [finding] = by_rule(report, "duplicate-id")
    assert finding["target"] == "renew" and finding["line"] == 7


def test_account_ids_must_be_unique_across_files(write):
    a = write("a.yaml", HEAD + "account: {id: acme, name: Acme}\n")
    b = write("sub/b.yaml", HEAD + "account: {id: acme, name: Acme again}\n")
    _, report = check_json(a, b)
    # Reported in both files, each naming the other.
    first, second = sorted(by_rule(report, "duplicate-id"), key=lambda f: f["file"])
    assert first["file"].endswith("/a.yaml") and first["line"] == 3
    assert "sub/b.yaml:3" in first["message"]
    assert second["file"].endswith("sub/b.yaml") and second["line"] == 3
    assert "a.yaml:3" in second["message"]


def test_unresolved_backup_owner_and_action_stakeholder_with_suggestions(write):
    path = write(
        "acme.yaml",
        HEAD + "account: {id: acme, name: Acme}\n"
        "team:\n  - {id: omar, name: Omar, function: customer_success}\n"
        "stakeholders:\n"
        "  - {id: maria, name: Maria, group: renew, backup: kenj, owner: omr}\n"
        "  - {id: kenji, name: Kenji, group: renew}\n"
        "objectives:\n  - id: renew\n    title: Renew\n    actions:\n"
        "      - {id: qbr, title: QBR, owner: omar, stakeholders: [kenji, nobody]}\n"
        "renewal:\n  requirements:\n    - {id: adoption, title: Adoption, met_by: [renw]}\n"
        "expansion:\n  - {id: fin, title: Finance, via: [mria]}\n",
    )
    _, report = check_json(path)
    found = {
        (f["line"], f["column"], f["target"]): f["message"]
        for f in by_rule(report, "unresolved-reference")
    }
    assert found == {
        (7, 52, "maria"): "backup 'kenj' names nothing — did you mean 'kenji'?",
        (7, 65, "maria"): "relationship owner 'omr' names nothing — did you mean 'omar'?",
        (13, 66, "qbr"): "stakeholder 'nobody' names nothing",
        (16, 48, "adoption"): "objective or action 'renw' names nothing — did you mean 'renew'?",
        (18, 37, "fin"): "reference 'mria' names nothing — did you mean 'maria'?",
    }


def test_aligns_to_resolves_across_files_and_reports_what_is_missing(write):
    okrs = write(
        "okrs.yaml",
        "apiVersion: revplan/v1\nkind: OKRs\nid: cro-fy27\ntitle: Revenue\nobjectives:\n"
        "  - {id: nrr-115, title: NRR, key_results: [{id: nrr, title: NRR, baseline: 104, target: 115}]}\n",
    )
    plan = write(
        "acme.yaml",
        HEAD + "account: {id: acme, name: Acme}\nobjectives:\n"
        "  - {id: renew, title: Renew, aligns_to: [cro-fy27/nrr-115, cro-fy27/nrr-120, sales-fy27/x]}\n",
    )
    _, report = check_json(okrs, plan)
    found = sorted((f["column"], f["message"]) for f in by_rule(report, "unresolved-reference"))
    assert found == [
        (61, "OKR objective 'cro-fy27/nrr-120' names nothing — did you mean 'cro-fy27/nrr-115'?"),
        (79, "OKR objective 'sales-fy27/x' names nothing"),
    ]
    # without the OKRs file, the first one no longer resolves either
    _, alone = check_json(plan, cwd=plan.parent)  # (no config, so no repository to read)
    assert len(by_rule(alone, "unresolved-reference")) == 3


def test_waiver_naming_an_unknown_rule_or_target(write):
    path = write(
        "acme.yaml",
        HEAD + "account: {id: acme, name: Acme}\nwaivers:\n"
        "  - {rule: backup-per-contat, reason: x}\n"
        "  - {rule: backup-per-contact, target: nobody, reason: x}\n",
    )
    _, report = check_json(path)
    messages = sorted(f["message"] for f in by_rule(report, "unresolved-reference"))
    assert messages == [
        "waiver rule 'backup-per-contat' names nothing — did you mean 'backup-per-contact'?",
        "waiver target 'nobody' names nothing",
    ]
