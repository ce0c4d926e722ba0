"""The sandboxed Jinja environment of documents: templates, the translator, macros."""

from __future__ import annotations

import functools
import re
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import is_dataclass
from datetime import date
from pathlib import Path
from types import FunctionType
from typing import Any

from jinja2 import BytecodeCache, ChoiceLoader, FileSystemLoader, StrictUndefined, nodes
from jinja2.bccache import Bucket
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import TemplateModule
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, LoopContext, Macro
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from engine.documents.escape import (
    _DASH,
    _bar,
    _code,
    _finalize,
    _html,
    _link,
    _md,
    _mermaid,
    block_safe,
    markup,
    md_escape,
)
from engine.documents.inputs import AlignedObjective, PlanSummary
from engine.i18n.catalogue import PLACEHOLDER, Catalogue, CatalogueError
from engine.model import types as models
from engine.model.metrics import (
    PlanMetrics,
)
from engine.paths import display_path
from engine.resources import templates_dir


def translator(cat: Catalogue) -> Callable[..., Markup]:
    """``t(key, **values)`` for templates: the message as Markdown.

    The catalogue's text and every value are escaped, except values that are
    markup already (a macro's output, a link), which go in as they are.
    """

    # message -> its text between the placeholders (escaped) and the placeholders' names:
    # documents use the same few hundred messages thousands of times.
    split: dict[str, list[str]] = {}
    # key -> the message of a call without values (headings, labels): the same every time.
    plain: dict[str, Markup] = {}

    def t(key: str, **values: Any) -> Markup:
        if not values and key in plain:
            return plain[key]
        pattern = cat.pattern(key, values.get("count"))
        parts = split.get(pattern)
        if parts is None:
            parts = PLACEHOLDER.split(pattern)
            parts[::2] = [md_escape(text, whole=False) for text in parts[::2]]
            split[pattern] = parts
        out = []
        for i, part in enumerate(parts):
            if i % 2 == 0:
                out.append(part)
            elif part not in values:
                raise CatalogueError(
                    f"message '{key}' of the {cat.locale} catalogue needs a value for '{part}'"
                )
            else:
                value = values[part]
                out.append(value if isinstance(value, Markup) else md_escape(cat.show(value)))
        message = markup(block_safe("".join(out)))
        if not values:
            plain[key] = message
        return message

    return t


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept for the life of the process, keyed by their source's hash."""

    def __init__(self) -> None:
        self.compiled: dict[tuple[str, str], bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.compiled.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[(bucket.key, bucket.checksum)] = bucket.bytecode_to_string()


_BYTECODE = _MemoryBytecodeCache()


_DICT_ATTRIBUTES = frozenset(dir(dict))


_RECORDS = frozenset(
    {
        *(cls for cls in vars(models).values() if isinstance(cls, type) and is_dataclass(cls)),
        PlanMetrics,
        PlanSummary,
        AlignedObjective,
        LoopContext,
        TemplateModule,
    }
)


# What one document's templates may build, so that a template (a user's, with
# --templates) cannot take the machine: ``('x' * 1000000000) | length`` took 1 GB,
# ``lipsum(n=1000000)`` never returned. The largest example document is 40 KB, one
# of 10,000 plans' portfolio 3 MB.
MAX_SEQUENCE = 1_000_000  # characters of a string, items of a list, a template makes
MAX_DOCUMENT = 20_000_000  # characters of one document
MAX_RANGE_ITEMS = 1_000_000  # items of all the range() calls of one document
MAX_POWER_BITS = 100_000  # bits of an integer a template raises to a power
# Steps of all the for loops of one document: loops inside loops over a short list
# multiply without building anything the limits above see. Measured on 1,000
# generated plans: at most 812 steps an account document, 1,120 the portfolio,
# 8,885 an OKR set.
MAX_LOOP_STEPS = 10_000_000
# str and list methods, and filters, whose result grows with an argument.
_GROWING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "indent", "wordwrap"})


def _too_big(what: str) -> SecurityError:
    return SecurityError(
        f"{what} is over the limit for a template ({MAX_SEQUENCE:,} characters or items)"
    )


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


# A width of a million or more in a format string ("%1000000s", "{:>1000000}").
_HUGE_WIDTH = re.compile(r"[%:<>^=]\D{0,3}\d{7,}")


def _check_growth(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Refuse ``'x'.center(10**9)``, ``s.replace(a, b)``, a join or a format whose result
    would be over MAX_SEQUENCE, before it is built."""
    values = [*args, *kwargs.values()]
    if name in ("format", "format_map", "mod") and any(
        isinstance(v, str) and _HUGE_WIDTH.search(v) for v in values
    ):
        raise _too_big("a format of that width")
    if name in _GROWING and any(type(v) is int and v > MAX_SEQUENCE for v in values):
        raise _too_big(f"{name}() of that width")
    if name == "replace" and len(args) >= 3 and all(isinstance(a, str) for a in args[:3]):
        text, old, new = args[:3]
        if old and text.count(old) * len(new) > MAX_SEQUENCE:
            raise _too_big("the result of replace()")
    # str.join(items) or the join filter's (items, separator)
    items = next((a for a in args if isinstance(a, list | tuple)), None) if name == "join" else None
    if items is not None and (sum(len(v) for v in items if isinstance(v, str)) > MAX_SEQUENCE):
        raise _too_big("the result of join()")


# The filter every ``{% for %}`` iterates through: a name no template can write, so
# only the compiler calls it.
_COUNTED = "revplan counted loop"


class _FinalizedOutput(CodeGenerator):
    """Compiles ``{{ value }}`` to ``_finalize(value)`` alone: it returns the value
    escaped, as markup, and the ``escape()`` Jinja puts around it would only copy that
    markup (1.2 million copies for 300 account documents)."""

    def _finalized(self, frame: Frame, finalize: Any) -> bool:
        return (
            frame.eval_ctx.autoescape
            and not frame.eval_ctx.volatile
            and finalize.src is not None
            and self.environment.finalize is _finalize
        )

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._finalized(frame, finalize):
            self.write(finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._finalized(frame, finalize):
            self.write(")")
        else:
            super()._output_child_post(node, frame, finalize)


class _Sandbox(SandboxedEnvironment):
    helpers: frozenset[Callable[..., Any]] = frozenset()
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _FinalizedOutput
    # What the range() calls and the loops of the document being rendered may still take.
    range_budget = MAX_RANGE_ITEMS
    loop_budget = MAX_LOOP_STEPS

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The template with every ``{% for %}`` iterating through ``counted``: as a
        filter, which the template calls directly (a call would go through the
        sandbox's checks once a loop)."""
        template = super()._parse(source, name, filename)
        for loop in template.find_all(nodes.For):
            loop.iter = nodes.Filter(
                loop.iter, _COUNTED, [], [], None, None, lineno=loop.iter.lineno
            )
        return template

    def counted(self, items: Any) -> Iterable[Any]:
        for item in items:
            self.loop_budget -= 1
            if self.loop_budget < 0:
                raise SecurityError(
                    f"the loops would take more than {MAX_LOOP_STEPS:,} steps in one document "
                    "(loops inside loops?)"
                )
            yield item

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """``*``, ``+`` and ``**`` with the size of their result checked first."""
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                size = _size(sequence)
                if size is not None and type(times) is int and size * times > MAX_SEQUENCE:
                    raise _too_big("a repeated string or list")
        elif operator == "+":
            sizes = (_size(left), _size(right))
            if None not in sizes and sum(sizes) > MAX_SEQUENCE:  # type: ignore[arg-type]
                raise _too_big("a joined string or list")
        elif operator == "%":
            _check_growth("mod", (left, right), {})
        elif (
            operator == "**"
            and type(left) is int
            and type(right) is int
            and right * max(left.bit_length(), 1) > MAX_POWER_BITS
        ):
            raise SecurityError(f"{left} ** {right} is too large for a template")
        return super().call_binop(context, operator, left, right)

    def bounded_range(self, *args: int) -> range:
        """``range()`` with a budget for the whole document: each call is at most the
        sandbox's 100,000 items, and loops inside loops multiplied them."""
        numbers = range(*args)
        if len(numbers) > self.range_budget:
            raise SecurityError(f"range() would go past {MAX_RANGE_ITEMS:,} items in one document")
        self.range_budget -= len(numbers)
        return numbers

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``row.name`` on the context's plain dicts, without the failed attribute lookup.

        For a name that is not a dict attribute the sandbox ends with ``obj[name]``
        anyway, after raising AttributeError; that cost a tenth of the rendering time.
        Everything else (and a missing key) takes the sandbox's own way.
        """
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES and attribute in obj:
            return obj[attribute]
        if type(obj) in _RECORDS and not attribute.startswith("_"):
            # A field of the model or a loop: is_safe_attribute's rule, without its detour.
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        """revplan's own helpers (t, link, who, ...) are plain functions, safe to call:
        called directly, without the sandbox's checks (a document makes hundreds of calls),
        and so are the templates' macros (their callers, each row of a table)."""
        if (type(obj) is FunctionType and obj in self.helpers) or type(obj) is Macro:
            # A template's own macro is as safe to call: the sandbox checks its code.
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            return obj(*args, **kwargs)
        # A str or list method (str.format as the sandbox wraps it: __wrapped__).
        method = getattr(obj, "__wrapped__", obj)
        bound = getattr(method, "__self__", None)
        if isinstance(bound, str | list | tuple):
            _check_growth(getattr(method, "__name__", ""), (bound, *args), kwargs)
        return super().call(context, obj, *args, **kwargs)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # The plan model, loops and macro modules are none of the functions, classes,
        # frames or generators whose special attributes the sandbox hides: for them its
        # rule is "no leading underscore", without the type checks on every access.
        if type(obj) in _RECORDS:
            return not attr.startswith("_")
        return super().is_safe_attribute(obj, attr, value)


def _guarded(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that checks the size of its result first: templates call filters
    directly (and fold constant ones while compiling), not through call_filter."""

    # A filter that takes the environment or context first (jinja_pass_arg) is
    # checked on the arguments after it.
    skip = 1 if getattr(function, "jinja_pass_arg", None) else 0

    @functools.wraps(function)  # keeps jinja_pass_arg: Jinja passes what it passed
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_growth(name, args[skip:], kwargs)
        return function(*args, **kwargs)

    return guarded


def environment(catalogue: Catalogue, user_templates: Path | None) -> _Sandbox:
    loaders = [FileSystemLoader(str(user_templates))] if user_templates else []
    loaders.append(FileSystemLoader(str(templates_dir())))
    env = _Sandbox(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=True,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=_BYTECODE,
    )
    cat = catalogue
    env.filters.update(
        md=_md,
        cell=_md,
        html=_html,
        mermaid=_mermaid,
        code=_code,
        bar=_bar,
        nest=lambda depth: Markup("  " * int(depth)),
        money=cat.money,
        date=cat.date,
        month=cat.month,
        number=cat.number,
        fixed=cat.fixed,
        percent=cat.percent,
        label=lambda value, kind: cat.label(kind, value),
        labels=lambda values, kind: cat.labels(kind, values),
        join_local=_joiner(cat),
        cap=lambda text: text[:1].upper() + text[1:] if text else text,
    )
    t = translator(cat)
    helpers: dict[str, Callable[..., Any]] = {
        "t": t,
        "link": _link,
        "join_local": _joiner(cat),
        **_pieces(cat, t),
    }
    env.globals.update(text=cat, locale=cat.locale, **helpers)
    for name in (*_GROWING, "replace", "join", "format"):
        if name in env.filters:
            env.filters[name] = _guarded(name, env.filters[name])
    env.globals.pop("lipsum")  # placeholder text, at any length: no document needs it
    env.globals["range"] = env.bounded_range
    env.filters[_COUNTED] = env.counted
    env.helpers = frozenset(helpers.values())
    return env


def _pieces(cat: Catalogue, t: Callable[..., Markup]) -> dict[str, Callable[..., Markup]]:
    """The small pieces of _macros.md.j2 that documents use hundreds of times, in Python.

    A Jinja macro call costs tens of microseconds; as macros these took a fifth
    of an account document's time. _macros.md.j2 names them (``m.who``, ...),
    so templates call them as before, and their output is the macros' to the byte.
    """
    icons = {"red": "🔴", "yellow": "🟡", "green": "🟢"}

    def field(obj: Any, name: str) -> Any:
        return obj[name] if isinstance(obj, Mapping) else getattr(obj, name)

    def who(p: Any) -> Markup:
        if p is None:
            return _DASH
        name = field(p, "name")
        if not field(p, "known"):
            return t("fmt.paren", text=name, note=t("label.not_in_plan"))
        if field(p, "left"):
            struck = markup(f"~~{_finalize(name)}~~")
            return t("fmt.paren", text=struck, note=t("label.left_company"))
        return _finalize(name)

    def amount(value: Any, unit: Any) -> Markup:
        if value is None:
            return _DASH
        shown = _finalize(cat.number(value))
        if unit == "%":
            return markup(f"{shown}%")
        return markup(f"{shown} {_finalize(unit)}") if unit else shown

    def since(day: date | None) -> Markup:
        # The date only: "N days ago" would change every committed document every day.
        return _DASH if day is None else _finalize(cat.date(day))

    def score(value: float | None, grade: str) -> Markup:
        if value is None:
            return t("label.no_score")
        return markup(f"{icons[grade]} {_finalize(cat.fixed(value))}")

    def rating(health: Any) -> Markup:
        # An account's health: 🟢 82 (docs/health.md).
        icon = {"green": "🟢", "amber": "🟡", "red": "🔴"}[health.rating]
        return markup(f"{icon} {_finalize(cat.number(health.score))}")

    def progress(value: float | None) -> Markup:
        if value is None:
            return t("label.not_measurable")
        return markup(f"{_bar(value)} {_finalize(cat.percent(value))}")

    return {
        "_who": who,
        "_amount": amount,
        "_since": since,
        "_score": score,
        "_progress": progress,
        "_rating": rating,
    }


_TOKEN = re.compile("\ue000([0-9]+)\ue001")


def _joiner(cat: Catalogue) -> Callable[[Iterable[Any]], Markup]:
    """``a, b and c`` the local way, each item escaped unless it is markup already."""

    def join(items: Iterable[Any]) -> Markup:
        shown = [i if isinstance(i, Markup) else Markup(md_escape(str(i))) for i in items if i]
        if len(shown) < 2:
            return Markup(shown[0]) if shown else Markup("")
        # format_list joins placeholders (private-use characters) that escaping leaves
        # alone; the escaped items take their places afterwards.
        tokens = [f"\ue000{i}\ue001" for i in range(len(shown))]
        joined = md_escape(cat.join(tokens), whole=False)
        # In one pass: a replace a token scanned the whole list once an item.
        return markup(_TOKEN.sub(lambda token: shown[int(token[1])], joined))

    return join


def _template_place(exc: BaseException) -> str:
    """``file:line`` of the template frame that failed, if the traceback has one."""
    line, filename = getattr(exc, "lineno", None), getattr(exc, "filename", None)
    if line and filename:  # a TemplateSyntaxError knows where it is
        return f"{display_path(Path(filename))}:{line}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if frames:
        return f"{display_path(Path(frames[-1].filename))}:{frames[-1].lineno}"
    return ""
