"""cache"""

from __future__ import annotations
