"""Custom rules: completeness rules a team writes in ``revplan.yaml``, in CEL.

``definition`` reads ``custom_rules:`` into ``CustomRule`` values (plain data:
they travel to the workers and name the cache); ``compile`` compiles every
expression once and checks what each reads; ``evaluate`` runs them on one
document, converted once for all its rules; ``adapter`` makes each a ``Rule``
for ``revplan rules``, ``revplan explain`` and SARIF's rule list.
"""
