"""The document breaks the JSON Schema of its kind.

Every field has a place and a type: a misspelt field (``stakholders``), a
stance that is not one of the five, a date that is not ``YYYY-MM-DD`` or a
required field left out would otherwise be silently ignored and the plan
would look complete when it is not. Each error points at the field itself
and, where a near miss is likely, suggests the right name or value. Print a
kind's schema with ``revplan schema AccountPlan`` to wire it into an editor.

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakholders:
      - {id: maria, name: Maria Chen, group: renew, stance: champion}

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, stance: advocate}
"""

from __future__ import annotations

ID = "schema"
SEVERITY = "error"
