"""A custom rule cannot be evaluated on a document.

A custom rule (``custom_rules:`` in revplan.yaml) whose expression fails on
one document — a field read without ``has()``, a string compared with a
number, a ``when`` or ``assert`` that is not true or false — would otherwise
pass silently. The run goes on, and that document gets this finding at the
item (or the document), naming the custom rule and what went wrong. Fix the
expression (usually: guard optional fields with ``has()``), or the data.

Anti-pattern::

    # file: revplan.yaml
    apiVersion: revplan/v1
    kind: Config
    custom_rules:
      - id: contact-seen
        summary: Every contact is seen every 60 days
        each: stakeholders
        assert: days_since(item.last_contact) <= 60
    ---
    # file: acme.yaml
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme}
    stakeholders:
      - {id: maria, name: Maria, group: renew, roles: [end_user], stance: advocate}

Best practice::

    # file: revplan.yaml
    apiVersion: revplan/v1
    kind: Config
    custom_rules:
      - id: contact-seen
        summary: Every contact is seen every 60 days
        each: stakeholders
        assert: has(item.last_contact) && days_since(item.last_contact) <= 60
    ---
    # file: acme.yaml
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme}
    stakeholders:
      - {id: maria, name: Maria, group: renew, roles: [end_user], stance: advocate, last_contact: 2026-11-20}
"""

from __future__ import annotations

ID = "rule-error"
SEVERITY = "error"
