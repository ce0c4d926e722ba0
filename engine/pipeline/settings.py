"""What besides a file decides its result, from the config."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from engine.config import Config, ConfigError
from engine.pipeline.file import Settings
from engine.rules import RULES
from engine.rules.custom.loading import example_errors

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
    if config.custom_rules and today != (config.today or date.today()):
        # The config's examples ran with its own today: they must behave on this one too.
        errors = example_errors(config.custom_rules, today)
        if errors:
            raise ConfigError(errors)
    return Settings(
        today=today,
        limits=config.limits,
        rules=tuple(rules),
        custom=config.custom_rules,
        portfolio=config.portfolio,
    )
