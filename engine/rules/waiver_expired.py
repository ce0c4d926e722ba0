"""A waiver is past its ``expires`` date.

A waiver accepts an exception for a while, with a reason. Once it expires it
stops waiving — the finding it covered counts again — and the waiver itself
is reported so it is renewed with a fresh reason or removed.

Anti-pattern::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    waivers:
      - {rule: plan-freshness, reason: Plan handed over to a new owner, expires: 2026-10-31}

Best practice::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    waivers:
      - {rule: plan-freshness, reason: Plan handed over to a new owner, expires: 2027-01-31}
"""

from __future__ import annotations

ID = "waiver-expired"
SEVERITY = "warning"
