"""A waiver matches no finding.

A waiver that waives nothing is stale: the gap was fixed, or the waiver
names the wrong rule, plan or target. Remove it, so waivers do not pile up
and hide the next real gap.

Anti-pattern::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    reviewed: 2026-11-02
    waivers:
      - {rule: plan-freshness, reason: Plan handed over to a new owner, expires: 2027-01-31}

Best practice::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    reviewed: 2026-11-02
"""

from __future__ import annotations

ID = "waiver-unused"
SEVERITY = "warning"
