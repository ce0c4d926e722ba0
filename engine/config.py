"""Config: ``revplan.yaml`` (kind Config) — discovery, validation, defaults.

A config that cannot be read or is invalid stops the run with exit 2 and a
located message: running with half a config would silently change results.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from engine.findings import Arg, Phrase, Text, args
from engine.i18n.messages import english
from engine.model.build import reader, waivers
from engine.model.portfolio import PortfolioSettings, portfolio_settings
from engine.model.types import Waiver
from engine.parse.loader import Limits, load_bytes
from engine.parse.schema import schema_problems
from engine.paths import display_path, repository_root
from engine.rules import RULES
from engine.rules.custom.definition import CustomRule
from engine.rules.custom.extends import Missing, Tree, extended
from engine.rules.custom.loading import load_rules

CONFIG_NAME = "revplan.yaml"


@dataclass(frozen=True)
class ConfigMessage:
    """One thing wrong with the config: where (``file:line:col``, or the file), and a
    message key under ``check.`` of the catalogues with its arguments, so the reader's
    language words it (the config is read before the run's language is known)."""

    where: str
    key: str
    args: tuple[Arg, ...] = ()

    def __str__(self) -> str:
        return f"{self.where}: {english(self.key, self.args)}"


class ConfigError(Exception):
    """The config cannot be used; each message is located ``file:line:col: ...``.

    ``problems`` are worded by a catalogue (custom rules' own messages are English
    text); ``locale`` and ``catalogues`` are the config's own, where it was read that
    far, for wording them when the command line names no locale."""

    def __init__(
        self,
        problems: Sequence[ConfigMessage | str],
        locale: str | None = None,
        catalogues: tuple[Path, ...] = (),
    ) -> None:
        self.problems = list(problems)
        self.messages = [str(p) for p in problems]
        super().__init__("\n".join(self.messages))
        self.locale = locale
        self.catalogues = catalogues


def _hint(close: list[str], otherwise: str = "hint.none") -> Phrase:
    """\" — did you mean 'x'?\" for the nearest name, else ``otherwise``."""
    if close:
        return Phrase("hint.suggest", args(close=Text(close[0])))
    return Phrase(otherwise)


def _own_language(data: Any, path: Path) -> tuple[str | None, tuple[Path, ...]]:
    """The locale and catalogue folders a config names, as far as it could be read
    (as ``Config.catalogues`` finds them)."""
    if not isinstance(data, dict):
        return None, ()
    locale, templates, locales = (data.get(k) for k in ("locale", "templates", "locales"))
    found = []
    if isinstance(templates, str) and templates:
        found.append(path.parent / templates / "locales")
    if isinstance(locales, str) and locales:
        found.append(path.parent / locales)
    return (locale if isinstance(locale, str) and locale else None), tuple(found)


@dataclass(frozen=True)
class RuleSetting:
    severity: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    plans: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    locale: str = "en"
    today: date | None = None
    fail_on: str = "error"
    templates: Path | None = None
    locales: Path | None = None
    cache_dir: Path | None = None
    render_history: bool = False  # documents end with their trend (render --history)
    rules: dict[str, RuleSetting] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    limits: Limits = Limits()
    # ``custom_rules:``, each with its severity after ``rules:``.
    custom_rules: tuple[CustomRule, ...] = ()
    # ``reporting_currency``, ``fx_rates``, ``renewal_window_days``, ``health``.
    portfolio: PortfolioSettings = PortfolioSettings()

    def catalogues(self, templates: Path | None = None) -> tuple[Path, ...]:
        """Where a team's catalogues are, weakest first: ``templates``' (else the config's
        templates folder's) ``locales/``, then the config's ``locales:`` folder."""
        folder = templates or self.templates
        found = (folder / "locales" if folder else None, self.locales)
        return tuple(path for path in found if path is not None)

    @property
    def root(self) -> Path:
        """The folder the config's relative paths are relative to."""
        return self.path.parent if self.path else Path.cwd()

    def setting(self, rule_id: str) -> RuleSetting:
        if rule_id in self.rules:
            return self.rules[rule_id]
        for custom in self.custom_rules:
            if custom.id == rule_id:
                return RuleSetting(custom.severity, {})
        rule = RULES[rule_id]
        return RuleSetting(rule.severity, dict(rule.params))


def find_config(starts: list[Path]) -> Path | None:
    """The config that a run without ``--config`` uses (docs/cli.md, "Which config").

    For each start in turn (the paths given, then the current directory), from
    its folder upwards: ``revplan.yaml`` there, else ``plans/revplan.yaml`` there
    (the layout ``revplan init`` and this repository use); never above the git
    work tree that holds the start.
    """
    for start in [*starts, Path.cwd()]:
        try:
            folder = start.resolve()
        except (OSError, RuntimeError):  # a symlink loop: the check reports it
            folder = start.absolute()
        if not folder.is_dir():
            folder = folder.parent
        for candidate in (folder, *folder.parents):
            for path in (candidate / CONFIG_NAME, candidate / "plans" / CONFIG_NAME):
                if path.is_file():
                    return path
            if (candidate / ".git").exists():
                break  # the work tree's root: a config above it is not this repository's
    return None


def default_config() -> Config:
    return Config(rules={rule_id: _defaults(rule_id) for rule_id in RULES})


def _defaults(rule_id: str) -> RuleSetting:
    rule = RULES[rule_id]
    return RuleSetting(rule.severity, dict(rule.params))


def load_config(
    path: Path,
    display: str | None = None,
    raw: bytes | None = None,
    tree: tuple[Path, Tree] | None = None,
) -> Config:
    """The config at ``path``; ``raw``: its bytes as read elsewhere (a revision in git),
    with ``path`` still the folder its relative paths start from; ``tree``: the
    repository's root and where its shared rule files (``extends:``) are read, if not
    from the work tree holding ``path``."""
    display = display or str(path)
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            reason = Text(exc.strerror or str(exc))
            unreadable = ConfigMessage(display, "config.unreadable", args(reason=reason))
            raise ConfigError([unreadable]) from exc
    doc = load_bytes(raw, display)
    errors: list[ConfigMessage] = [ConfigMessage(str(p.loc), p.key, p.args) for p in doc.problems]
    if not errors and doc.kind != "Config":
        named = args(name=Text(CONFIG_NAME))
        errors.append(ConfigMessage(f"{display}:1:1", "config.kind", named))
    language = _own_language(doc.data, path)
    if errors:
        raise ConfigError(errors, *language)
    # Every error in one run: the schema's, then the rules' own (ids, parameters).
    problems = schema_problems(doc, "Config")
    errors = [ConfigMessage(str(p.loc), p.key, p.args) for p in problems]
    root, files = tree or (repository_root(path.parent), work_tree(repository_root(path.parent)))
    folder = Path(os.path.abspath(path.parent)).resolve()  # as the root is: symlinks followed
    here = os.path.relpath(folder / path.name, root).replace(os.sep, "/")
    shared, shared_errors = extended(doc, here, files)
    rules: dict[str, RuleSetting] = {rule_id: _defaults(rule_id) for rule_id in RULES}
    settings = doc.data.get("rules")
    custom_ids = [i for d in [*(s.doc for s in shared), doc] for i in _custom_ids(d.data)]
    severities: dict[str, str] = {}
    for rule_id, values in (settings if isinstance(settings, dict) else {}).items():
        key_loc = doc.key_loc(("rules", rule_id))
        if rule_id in custom_ids and rule_id not in RULES:
            if isinstance(values, dict | None):
                errors += _custom_setting(rule_id, values or {}, doc, severities)
            continue
        if rule_id not in RULES:
            known = [*RULES, *custom_ids]
            close = difflib.get_close_matches(rule_id, known, n=1, cutoff=0.6)
            named = args(rule=Text(rule_id), hint=_hint(close, "config.hint.rules"))
            errors.append(ConfigMessage(str(key_loc), "config.unknown_rule", named))
            continue
        if not isinstance(values, dict | None):
            continue  # the schema has said what it must be
        flagged = {p.path for p in problems if p.path}
        setting, wrong = _rule_setting(rule_id, values or {}, doc, ("rules", rule_id), flagged)
        errors += wrong
        rules[rule_id] = setting
    for index, pattern in enumerate(doc.data.get("plans") or []):
        if isinstance(pattern, str) and (
            PurePosixPath(pattern).is_absolute() or PureWindowsPath(pattern).is_absolute()
        ):
            named = args(pattern=Text(pattern), name=Text(CONFIG_NAME))
            errors.append(ConfigMessage(str(doc.loc(("plans", index))), "config.absolute", named))
    if errors or shared_errors:
        errors.sort(key=_place)
        raise ConfigError([*errors, *shared_errors], *language)
    r = reader(doc)
    # Examples run with the config's today; a run with another today checks them again
    # (engine.pipeline.settings).
    sources = [*((s.doc, s.path) for s in shared), (doc, "")]
    custom, custom_errors = load_rules(sources, RULES, severities, r.day("today") or date.today())
    if custom_errors:
        raise ConfigError(custom_errors, *language)

    limit_values = doc.data.get("limits") or {}
    templates = r.text("templates")
    locales = r.text("locales")
    cache_dir = r.text("cache_dir")
    return Config(
        path=path,
        plans=r.texts("plans"),
        exclude=r.texts("exclude"),
        locale=r.text("locale") or "en",
        today=r.day("today"),
        fail_on=r.text("fail_on") or "error",
        templates=(path.parent / templates) if templates else None,
        locales=(path.parent / locales) if locales else None,
        cache_dir=(path.parent / cache_dir) if cache_dir else None,
        render_history=doc.data.get("render_history") is True,
        rules=rules,
        waivers=tuple(w for item in r.items("waivers") for w in waivers(item)),
        limits=Limits(**{k: v for k, v in limit_values.items()}),
        custom_rules=custom,
        portfolio=portfolio_settings(doc.data),
    )


def _custom_ids(data: Any) -> list[Any]:
    entries = data.get("custom_rules") if isinstance(data, dict) else None
    return (
        [e.get("id") for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
    )


def work_tree(root: Path) -> Tree:
    """The work tree's files for ``extends:``: regular files whose real path (symlinks
    followed) is inside ``root``; nothing outside it is read, or even listed."""
    real_root = root.resolve()

    def inside(relative: str) -> Path | None:
        real = (root / relative).resolve()
        return real if real.is_relative_to(real_root) else None

    def read(relative: str) -> bytes:
        real = inside(relative)
        if real is None:
            raise LookupError("leads outside the repository through a symlink — extends reads "
                              "only files inside it")  # fmt: skip
        if not real.is_file():
            raise LookupError("is not a file") if real.exists() else Missing("does not exist")
        try:
            with real.open("rb") as file:  # past the limit, the loader says so
                return file.read(Limits().max_file_bytes + 1)
        except OSError as exc:
            raise LookupError(f"cannot be read: {exc.strerror}") from None

    def names(folder: str) -> list[str]:
        real = inside(folder or ".")
        try:
            return sorted(p.name for p in real.iterdir() if p.is_file()) if real else []
        except OSError:
            return []

    return Tree(read=read, names=names, show=lambda relative: display_path(root / relative))


def _custom_setting(
    rule_id: str, values: dict[str, Any], doc: Any, severities: dict[str, str]
) -> list[ConfigMessage]:
    """A custom rule's entry under ``rules:``: its severity only (it has no parameters)."""
    errors = []
    for name, value in values.items():
        if name == "severity":
            severities[rule_id] = value  # the schema has checked the value
            continue
        where = str(doc.key_loc(("rules", rule_id, name)))
        close = difflib.get_close_matches(name, ["severity"])
        named = args(rule=Text(rule_id), name=Text(name), hint=_hint(close))
        errors.append(ConfigMessage(where, "config.custom_parameter", named))
    return errors


def _place(message: ConfigMessage) -> tuple[int, int]:
    """A located message's line and column, to list a config's errors in its order."""
    found = re.match(r".*?:(\d+):(\d+)$", message.where)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


def _rule_setting(
    rule_id: str, values: dict[str, Any], doc: Any, path: tuple[str, ...], flagged: set[str]
) -> tuple[RuleSetting, list[ConfigMessage]]:
    """The rule's setting, and what is wrong with it that the schema (``flagged``: the
    places of its errors) has not already said."""
    rule = RULES[rule_id]
    errors: list[ConfigMessage] = []
    params = dict(rule.params)
    severity = rule.severity
    for name, value in values.items():
        where = doc.key_loc(path + (name,))
        value_loc = doc.loc(path + (name,))
        if name == "severity":
            severity = value  # the schema has checked the value
            continue
        place = f"rules.{rule_id}.{name}"
        if any(f == place or f.startswith((place + ".", place + "[")) for f in flagged):
            continue
        if name not in rule.params:
            known = ["severity", *rule.params]
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            named = args(
                rule=Text(rule_id), name=Text(name), hint=_hint(close), known=Text(", ".join(known))
            )
            errors.append(ConfigMessage(str(where), "config.no_parameter", named))
            continue
        default = rule.params[name]
        problem = _check_param(value, default, rule.choices.get(name))
        if problem:
            key, wrong = problem
            field_arg = Arg("field", Text(place))
            errors.append(ConfigMessage(str(value_loc), key, (field_arg, *wrong)))
        else:
            params[name] = value
    return RuleSetting(severity, params), errors


def _check_param(
    value: Any, default: Any, choices: tuple[str, ...] | None
) -> tuple[str, tuple[Arg, ...]] | None:
    """What is wrong with a rule parameter's value: a message key and its arguments."""
    shown = args(value=Text(repr(value)))
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return "config.param.whole", shown
        return None
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "config.param.names", shown
        for item in value:
            if choices and item not in choices:
                close = difflib.get_close_matches(item, list(choices), n=1, cutoff=0.6)
                wrong = args(item=Text(item), choices=Text(", ".join(choices)), hint=_hint(close))
                return "config.param.choice", wrong
        return None
    return None
