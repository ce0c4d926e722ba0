"""The four languages of rendered documents: message catalogues and local formats.

Labels, headings and rule messages come from one catalogue per locale,
``templates/locales/<locale>.yaml`` (a file of the same name in the user's
templates folder overrides single entries). Numbers, money and dates are
formatted by Babel from the CLDR data, never by hand.

Rule messages are rebuilt here from the finding's rule id, its target and
the facts in the model (the check's own messages are English), so every
sentence of a document is in the document's language.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, format_percent

from .findings import Finding
from .metrics import PlanMetrics, backup_problem
from .model import AccountPlan, Objective, OKRSet, Stakeholder

LOCALES = ("en", "zh", "ja", "el")
PLURAL_FORMS = frozenset(("zero", "one", "two", "few", "many", "other"))
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class CatalogueError(Exception):
    """A catalogue file cannot be used (exit 2)."""


def _flatten(data: Mapping[str, Any], prefix: str, out: dict[str, str | dict[str, str]]) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, str):
            out[name] = value
        elif isinstance(value, dict) and value and set(map(str, value)) <= PLURAL_FORMS:
            if "other" not in value or not all(isinstance(v, str) for v in value.values()):
                raise CatalogueError(f"'{name}': a plural entry needs string forms and 'other'")
            out[name] = {str(k): v for k, v in value.items()}
        elif isinstance(value, dict):
            _flatten(value, f"{name}.", out)
        else:
            # A bare yes/no or number in a catalogue is a typo, not a message.
            raise CatalogueError(f"'{name}' is {value!r}; messages are quoted text")


def read_catalogue(path: Path) -> dict[str, str | dict[str, str]]:
    """A catalogue file as flat ``dotted.key -> message`` (or plural forms)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: a catalogue is a mapping of message keys")
    out: dict[str, str | dict[str, str]] = {}
    try:
        _flatten(data, "", out)
    except CatalogueError as exc:
        raise CatalogueError(f"{path}: {exc}") from exc
    return out


def placeholders(message: str | dict[str, str]) -> set[str]:
    texts = message.values() if isinstance(message, dict) else [message]
    return {name for text in texts for name in _PLACEHOLDER.findall(text)}


def _memoized(method: Callable[..., str]) -> Callable[..., str]:
    """A format computed once per catalogue and value: Babel is slow, and the same
    counts, scores, amounts and dates recur across a portfolio's documents."""

    @functools.wraps(method)
    def formatted(self: Catalogue, *args: Any, **kwargs: Any) -> str:
        if kwargs:
            return method(self, *args, **kwargs)
        # By type as well: 1, 1.0 and True are equal keys but may be shown differently.
        key = (method.__name__, args, tuple(map(type, args)))
        try:
            return self._formatted[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value (from a template): formatted as it comes
            return method(self, *args)
        shown = self._formatted[key] = method(self, *args)
        return shown

    return formatted


class Catalogue:
    """Messages and formats of one locale; calling it translates a key."""

    def __init__(self, locale: str, messages: Mapping[str, str | dict[str, str]]) -> None:
        self.locale = locale
        self.babel = Locale.parse(locale)
        self.messages = dict(messages)
        self._formatted: dict[tuple, str] = {}

    @classmethod
    def load(cls, locale: str, builtin: Path, override: Path | None = None) -> Catalogue:
        messages = read_catalogue(builtin / f"{locale}.yaml")
        if override is not None and (override / f"{locale}.yaml").is_file():
            messages.update(read_catalogue(override / f"{locale}.yaml"))
        return cls(locale, messages)

    # --- messages ----------------------------------------------------------

    def __call__(self, key: str, **values: Any) -> str:
        message = self.pattern(key, values.get("count"))
        shown = {k: self.show(v) for k, v in values.items()}
        try:
            return _PLACEHOLDER.sub(lambda m: shown[m.group(1)], message)
        except KeyError as exc:
            raise CatalogueError(
                f"message '{key}' of the {self.locale} catalogue needs a value for {exc}"
            ) from None

    def pattern(self, key: str, count: Any = None) -> str:
        """The message with its ``{placeholders}``, in the plural form ``count`` asks for."""
        try:
            message = self.messages[key]
        except KeyError:
            raise CatalogueError(f"no message '{key}' in the {self.locale} catalogue") from None
        if isinstance(message, dict):
            number = count if isinstance(count, int | float) else 0
            message = message.get(self.babel.plural_form(abs(number)), message["other"])
        return message

    def show(self, value: Any) -> str:
        """A placeholder's value as text: numbers and dates the local way."""
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int | float):
            return self.number(value)
        if isinstance(value, date):
            return self.date(value)
        return str(value)

    def paren(self, text: str, note: str) -> str:
        """``text (note)``, with the locale's brackets."""
        return self("fmt.paren", text=text, note=note)

    def has(self, key: str) -> bool:
        return key in self.messages

    def label(self, kind: str, value: str | None) -> str:
        """The local name of an enum value (stance, role, status...); unknown values as written."""
        if value is None:
            return ""
        key = f"enum.{kind}.{value}"
        return self(key) if key in self.messages else value

    def labels(self, kind: str, values: Iterable[str]) -> str:
        return self.join([self.label(kind, v) for v in values])

    def join(self, items: Iterable[str]) -> str:
        """``a, b and c`` the local way."""
        items = [i for i in items if i]
        return format_list(items, style="standard", locale=self.babel) if items else ""

    # --- formats -----------------------------------------------------------

    @_memoized
    def number(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and math.isinf(value):
            return "∞"
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.babel)

    @_memoized
    def fixed(self, value: float | None, digits: int = 2) -> str:
        """A number with exactly ``digits`` decimals (OKR scores: 0.62)."""
        if value is None:
            return ""
        return format_decimal(value, format="0." + "0" * digits, locale=self.babel)

    @_memoized
    def percent(self, value: float | None) -> str:
        if value is None:
            return ""
        return format_percent(value, locale=self.babel)

    @_memoized
    def money(self, value: float | None, currency: str | None) -> str:
        """Whole amounts without decimals (reviews talk in whole units)."""
        if value is None:
            return ""
        if not currency:
            return self.number(value, 2)
        pattern = None
        if float(value).is_integer():
            pattern = self.babel.currency_formats["standard"].pattern.replace(".00", "")
        try:
            return format_currency(
                value, currency, format=pattern, locale=self.babel, currency_digits=pattern is None
            )
        except ValueError:  # not an ISO currency code: the code as written
            return f"{self.number(value, 2)} {currency}"

    @_memoized
    def date(self, value: date | None, style: str = "medium") -> str:
        if value is None:
            return ""
        return format_date(value, format=style, locale=self.babel)

    @_memoized
    def month(self, value: date | None) -> str:
        """Month and year, the way the locale says it ("July 2028", "2028年7月")."""
        if value is None:
            return ""
        return format_skeleton("yMMMM", value, locale=self.babel)


# --- rule messages -------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What a finding's message may need besides the finding itself."""

    plan: AccountPlan | None
    okrs: OKRSet | None
    metrics: PlanMetrics | None
    params: Mapping[str, Any]
    today: date


def _person(plan: AccountPlan | None, ident: str | None) -> Stakeholder | None:
    if plan is None or ident is None:
        return None
    return next((s for s in plan.stakeholders if s.id == ident), None)


def _objective(owner: AccountPlan | OKRSet | None, ident: str) -> Objective | None:
    if owner is None:
        return None
    return next((o for o in owner.objectives if o.id == ident), None)


def _name(person: Stakeholder | None, ident: str | None) -> str:
    return (person.name or person.id) if person else (ident or "")


def _who(cat: Catalogue, person: Stakeholder) -> str:
    """ "advocate, budget owner": why this contact matters."""
    stance = (
        cat.label("stance", person.stance)
        if person.stance in ("advocate", "detractor")
        else cat("msg.high_influence")
    )
    return cat("fmt.enum").join([stance, *(cat.label("role", r) for r in person.roles)])


def _path(finding: Finding) -> list[str]:
    return finding.path.split("/") if finding.path else []


def finding_message(cat: Catalogue, finding: Finding, facts: Facts) -> str:
    """The finding in the catalogue's language, rebuilt from its rule, target and the model."""
    try:
        text = _message(cat, finding, facts)
    except (LookupError, AttributeError, TypeError, ValueError):
        text = None  # the model changed shape since the check: say what the rule says
    if text is None:
        summary = cat(f"rule.{finding.rule}") if cat.has(f"rule.{finding.rule}") else finding.rule
        return cat("msg.generic", summary=summary, target=finding.target or "-")
    return text


def _message(cat: Catalogue, f: Finding, facts: Facts) -> str | None:  # noqa: C901 - one case per rule
    rule, target, plan = f.rule, f.target, facts.plan
    key = f"msg.{rule}"
    person = _person(plan, target)
    who = _name(person, target)

    if rule in ("yaml-syntax", "schema"):
        return cat(key, detail=f.message)
    if rule == "duplicate-id":
        return cat(key, id=target or f.plan or "")
    if rule == "alignment-cycle":
        loop = re.search(r"loop: (.+?) —", f.message)
        return cat(key, loop=loop.group(1) if loop else target or "")
    if rule == "unresolved-reference":
        return _unresolved(cat, f, facts)
    if rule in ("waiver-expired", "waiver-unused"):
        parts = _path(f)
        waived_rule = parts[1] if len(parts) > 1 else ""
        scope = cat.join([p for p in (f.plan, target) if p])
        if rule == "waiver-expired":
            # The finding says which date (run.apply_waivers): several waivers may
            # share a rule and target, so looking the waiver up again could pick another.
            found = re.search(r"expired on (\S+) and no longer waives", f.message)
            expires = _iso_date(found.group(1)) if found else None
            return cat(f"{key}", rule=waived_rule, scope=scope, date=cat.date(expires) or "?")
        return cat(key, rule=waived_rule, scope=scope)
    if rule == "lever-coverage":
        okrs = facts.okrs
        covered = {o.lever for o in okrs.objectives} if okrs else set()
        missing = [lv for lv in ("generation", "growth", "retention") if lv not in covered]
        return cat(key, levers=cat.labels("lever", missing), count=len(missing))
    if rule in ("objective-has-key-results", "key-results-count", "key-result-measurable"):
        owner: AccountPlan | OKRSet | None = plan or facts.okrs
        parts = _path(f)
        objective = _objective(owner, parts[1] if len(parts) > 1 else target or "")
        if objective is None:
            return None
        if rule == "objective-has-key-results":
            return cat(key, objective=objective.title or objective.id)
        if rule == "key-results-count":
            return cat(
                key,
                objective=objective.title or objective.id,
                count=len(objective.key_results),
                min=facts.params.get("min", 1),
                max=facts.params.get("max", 5),
            )
        kr = next(k for k in objective.key_results if k.id == target)
        title = kr.title or kr.id
        missing = [n for n, v in (("baseline", kr.baseline), ("target", kr.target)) if v is None]
        if missing:
            return cat(f"{key}.missing", kr=title, fields=cat.labels("kr_field", missing))
        return cat(f"{key}.equal", kr=title, value=kr.target)
    if plan is None:
        return None

    if rule == "action-overdue" or rule == "action-owner":
        action = next(a for _, a in plan.actions() if a.id == target)
        title = action.title or action.id
        if rule == "action-owner":
            if not action.owner:
                return cat(f"{key}.none", action=title)
            return cat(f"{key}.not_on_team", action=title, owner=action.owner)
        days = (facts.today - action.due).days
        return cat(
            key,
            action=title,
            due=cat.date(action.due),
            days=days,
            count=days,
            status=cat.label("action_status", action.status),
        )
    if rule == "advocate-per-role":
        m = facts.metrics
        role = cat.label("role", target)
        advocates = m.advocates_by_role.get(target, []) if m else []
        holders = [
            _person(plan, i)
            for i in (m.holders_by_role.get(target, []) if m else [])
            if i not in advocates
        ]
        if advocates:
            return cat(
                f"{key}.too_few",
                role=role,
                count=len(advocates),
                min=facts.params.get("min", 1),
            )
        if holders:
            held = cat.join(
                cat.paren(_name(p, None), _stance_or_left(cat, p)) for p in holders if p is not None
            )
            return cat(f"{key}.not_advocate", role=role, holders=held)
        return cat(f"{key}.nobody", role=role)
    if rule == "backup-per-contact":
        people = {s.id: s for s in reversed(plan.stakeholders)}
        why = backup_problem(person, people)
        backup = _name(people.get(person.backup or ""), person.backup)
        if why == "no backup":
            return cat(f"{key}.none", person=who, who=_who(cat, person))
        if why and why.startswith("is "):
            return cat(f"{key}.self", person=who)
        if why and why.endswith("has left the company"):
            return cat(f"{key}.left", person=who, who=_who(cat, person), backup=backup)
        if why:
            return cat(f"{key}.detractor", person=who, who=_who(cat, person), backup=backup)
        return None
    if rule == "contact-freshness":
        limit = facts.params.get("max_age_days", 60)
        if person.last_contact is None:
            return cat(f"{key}.none", person=who, who=_who(cat, person))
        days = (facts.today - person.last_contact).days
        return cat(
            f"{key}.stale",
            person=who,
            who=_who(cat, person),
            days=days,
            count=days,
            date=cat.date(person.last_contact),
            limit=limit,
        )
    if rule == "relationship-owner":
        return cat(key, person=who, who=_who(cat, person))
    if rule == "audience-needs":
        return cat(key, person=who, who=_who(cat, person))
    if rule == "detractor-understood":
        return cat(key, person=who)
    if rule == "detractor-addressed":
        engaging = [a for _, a in plan.actions() if person.id in a.stakeholders]
        open_actions = [a for a in engaging if a.open]
        if not engaging:
            return cat(f"{key}.none", person=who)
        if not open_actions:
            done = cat.join(a.title or a.id for a in engaging)
            return cat(f"{key}.done", person=who, actions=done)
        incomplete = cat.join(a.title or a.id for a in open_actions)
        return cat(f"{key}.incomplete", person=who, actions=incomplete)
    if rule == "renewal-requirements":
        if target is None:
            return cat(f"{key}.none")
        requirement = next(q for q in plan.requirements if q.id == target)
        return cat(f"{key}.unmet", requirement=requirement.title or requirement.id)
    if rule == "two-messages":
        missing = [
            g
            for g, text in (("renew", plan.messages.renew), ("expand", plan.messages.expand))
            if not text
        ]
        if missing:
            return cat(f"{key}.missing", groups=cat.labels("group", missing), count=len(missing))
        return cat(f"{key}.same")
    if rule == "cross-functional-team":
        present = {m.function for m in plan.team}
        wanted = facts.params.get("functions", ["sales", "marketing", "customer_success"])
        missing = [fn for fn in wanted if fn not in present]
        return cat(key, functions=cat.labels("function", missing))
    if rule == "objective-has-actions":
        objective = _objective(plan, target or "")
        return cat(key, objective=objective.title or objective.id)
    if rule == "expansion-via-reference":
        opportunity = next(e for e in plan.expansion if e.id == target)
        title = opportunity.title or opportunity.id
        parts = _path(f)
        if len(parts) < 4:
            return cat(f"{key}.none", opportunity=title)
        via = _person(plan, parts[3])
        gaps = []
        if via.group != "renew":
            gaps.append(cat("msg.gap.not_group1"))
        if not via.reference:
            gaps.append(cat("msg.gap.not_reference"))
        if not via.outcomes:
            gaps.append(cat("msg.gap.no_outcome"))
        if via.status == "left":
            gaps.append(cat("msg.gap.left"))
        return cat(f"{key}.gaps", opportunity=title, person=_name(via, None), gaps=cat.join(gaps))
    if rule == "milestone-review":
        milestone = next(m for m in plan.milestones if m.id == target)
        title = milestone.title or milestone.id
        if milestone.review is None:
            return cat(f"{key}.none", milestone=title, date=cat.date(milestone.date))
        wanted = facts.params.get(
            "perspectives", ["customer", "sales", "marketing", "customer_success"]
        )
        missing = [p for p in wanted if p not in milestone.review.perspectives]
        return cat(
            f"{key}.missing",
            milestone=title,
            perspectives=cat.labels("perspective", missing),
            count=len(missing),
        )
    if rule == "break-even":
        m = facts.metrics
        account = plan.account
        if m is None or m.break_even_months is None or account is None:
            return None
        if math.isinf(m.break_even_months):
            return cat(
                f"{key}.never",
                contribution=cat.money(m.yearly_contribution, account.currency),
            )
        return cat(
            f"{key}.late",
            months=cat.number(m.break_even_months),
            date=cat.month(m.break_even_date),
            renewal=cat.date(account.renewal_date),
        )
    if rule == "plan-freshness":
        limit = facts.params.get("max_age_days", 90)
        if plan.reviewed is None:
            return cat(f"{key}.never", limit=limit)
        days = (facts.today - plan.reviewed).days
        return cat(f"{key}.stale", days=days, count=days, date=cat.date(plan.reviewed), limit=limit)
    return None


def _stance_or_left(cat: Catalogue, person: Stakeholder) -> str:
    if not person.active:
        return cat("label.left_company")
    return cat.label("stance", person.stance)


# path field -> what the reference names (the "<field>" of unresolved-reference paths)
_REFERENCE_FIELDS = ("owner", "backup", "reports_to", "stakeholders", "via", "met_by", "aligns_to")


def _unresolved(cat: Catalogue, f: Finding, facts: Facts) -> str | None:
    parts = _path(f)
    if parts and parts[0] == "waivers":
        # waivers/<rule>/<name>: the waiver's rule, plan or target names nothing
        return cat("msg.unresolved-reference.waiver", name=parts[-1])
    # "owner/<name>" (the plan's owner) or "<section>/<id>/<field>/<name>"; aligns_to
    # names hold a slash themselves ("cro-fy27/nrr-115").
    if len(parts) >= 2 and parts[0] == "owner":
        field, name = "plan_owner", "/".join(parts[1:])
    elif len(parts) >= 4 and parts[2] in _REFERENCE_FIELDS:
        field, name = parts[2], "/".join(parts[3:])
    else:
        return None
    holder = f.target
    plan = facts.plan
    if holder and plan is not None:
        found = _person(plan, holder)
        if found is not None:
            holder = _name(found, holder)
        else:
            work = {o.id: o.title for o in plan.objectives}
            work.update({a.id: a.title for _, a in plan.actions()})
            work.update({e.id: e.title for e in plan.expansion})
            work.update({q.id: q.title for q in plan.requirements})
            holder = work.get(holder) or holder
    elif holder and facts.okrs is not None:
        objective = _objective(facts.okrs, holder)
        holder = objective.title if objective and objective.title else holder
    what = cat.label("reference", field)
    if holder:
        return cat("msg.unresolved-reference.of", holder=holder, field=what, name=name)
    return cat("msg.unresolved-reference.plain", field=what, name=name)


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
