"""What besides a file decides its result, from the config."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from engine.config import Config
from engine.pipeline.file import Settings
from engine.rules import RULES

if TYPE_CHECKING:
    pass


def settings_for(config: Config, today: date) -> Settings:
    rules = []
    for rule_id in RULES:
        setting = config.setting(rule_id)
        rules.append(
            (
                rule_id,
                setting.severity,
                tuple(
                    (k, tuple(v) if isinstance(v, list) else v) for k, v in setting.params.items()
                ),
            )
        )
    return Settings(today=today, limits=config.limits, rules=tuple(rules))
