"""i18n"""

from __future__ import annotations
