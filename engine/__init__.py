"""revplan: plans-as-code for revenue teams.

The data flows one way: files (sources) -> parse -> model -> rules ->
findings -> reporters / documents; pipeline runs the per-file job, cache
keeps its results, session runs one check, cli is the command line. Each
stage is one folder or module; docs/architecture.md lists them.
"""

from __future__ import annotations

__version__ = "0.1.0"
# Where revplan's documentation lives: SARIF's informationUri and each rule's
# helpUri (docs/rules.md) point here.
HOMEPAGE = "https://github.com/revplan/revplan"
