"""The file is not well-formed YAML, or breaks one of the input limits.

A plan that does not parse cannot be checked at all, so this is always the
first thing to fix. Besides syntax errors it reports duplicate keys (the
second one, with the line of the first), tabs used for indentation, more than
one document in a file, YAML tags (revplan never constructs objects from
tags), text that is not UTF-8, and files over the limits set under
``limits:`` in revplan.yaml (size, aliases, nesting depth, values).

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account:
      id: acme
      name: Acme Corporation
      name: ACME Corp.

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account:
      id: acme
      name: Acme Corporation
"""

from __future__ import annotations

ID = "yaml-syntax"
SEVERITY = "error"
