"""revplan: plans-as-code for revenue teams.

The data flows one way: files -> loader -> model -> graph -> rules ->
findings -> reporters / renderer. Each module does one of these jobs.
"""

from __future__ import annotations

__version__ = "0.1.0"
