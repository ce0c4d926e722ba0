"""``revplan init``'s files: a new plans repository's config, examples and wiring."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

from engine import __version__
from engine.config import CONFIG_NAME
from engine.errors import UsageError
from engine.model.metrics import add_months
from engine.resources import SCHEMA_FILES, schema, templates_dir

SCHEMA_FOLDER = ".revplan/schemas"


# Destination (relative to DIR) -> template under templates/init/.
TEMPLATES = {
    CONFIG_NAME: "revplan.yaml.j2",
    "plans/accounts/northwind.yaml": "account-plan.yaml.j2",
    "plans/okrs/revenue-okrs.yaml": "okrs.yaml.j2",
    ".pre-commit-config.yaml": "pre-commit-config.yaml.j2",
    ".github/workflows/revplan.yml": "github-workflow.yml.j2",
    ".vscode/settings.json": "vscode-settings.json.j2",
    ".vscode/extensions.json": "vscode-extensions.json.j2",
    ".gitignore": "gitignore.j2",
}


def example_dates(today: date) -> dict[str, str]:
    """Dates for the example plan that keep every date-based rule quiet as of ``today``.

    They span from five months before ``today`` to two years after: a ``today`` so
    near either end of the calendar (years 1 to 9999) that they do not fit is a
    usage error, not an overflow."""
    try:
        return _example_dates(today)
    except (OverflowError, ValueError) as exc:
        raise UsageError(
            f"--today {today.isoformat()}: the example plan's dates run from five months "
            "before it to two years after, past the calendar's years 1 to 9999 — "
            "pick a day between 0002-01-01 and 9997-12-31"
        ) from exc


def _example_dates(today: date) -> dict[str, str]:
    contract_start = add_months(today, -5).replace(day=1)
    period_start = today.replace(day=1)
    dates = {
        "reviewed": today - timedelta(days=5),
        "contact_recent": today - timedelta(days=7),
        "contact_earlier": today - timedelta(days=21),
        "due_soon": today + timedelta(days=21),
        "due_later": today + timedelta(days=45),
        "contract_start": contract_start,
        "renewal_date": add_months(contract_start, 24) - timedelta(days=1),
        "onboarding_date": contract_start + timedelta(days=60),
        "onboarding_review": contract_start + timedelta(days=67),
        "renewal_milestone": add_months(contract_start, 23),
        "period_start": period_start,
        "period_end": add_months(period_start, 6) - timedelta(days=1),
        "waiver_expiry": add_months(today, 3),
    }
    return {name: day.isoformat() for name, day in dates.items()}


# Where the workflow gets revplan when init cannot tell: the Action, at a tag the docs
# (docs/ci.md) ask whoever hosts revplan's repository to create.
PLACEHOLDER_ACTION = f"your-org/revplan@v{__version__}"


class CiSource(NamedTuple):
    """How the workflow ``init`` writes gets revplan: the Action (``owner/name@rev``), or a
    pip requirement (a git URL) where the repository is not on GitHub."""

    action: str | None
    requirement: str | None

    @property
    def placeholder(self) -> bool:
        return self.action == PLACEHOLDER_ACTION


def ci_source() -> CiSource:
    """Where this revplan came from, as CI can install it: the git URL and revision it was
    installed from, or the checkout an editable install runs from (its ``origin`` and
    commit), never with credentials. revplan is not on PyPI, so never ``revplan==X``:
    when nothing says where it lives, the Action under a placeholder name."""
    import importlib.metadata  # 17 ms at start-up: for this command only

    try:
        recorded = importlib.metadata.distribution("revplan").read_text("direct_url.json")
        origin = json.loads(recorded or "{}")
    except (importlib.metadata.PackageNotFoundError, json.JSONDecodeError):
        origin = {}
    url = origin.get("url") if isinstance(origin, dict) else None
    vcs = origin.get("vcs_info") if isinstance(origin, dict) else None
    if isinstance(url, str) and isinstance(vcs, dict):
        revision = vcs.get("requested_revision") or vcs.get("commit_id")
        return _source(url, revision if isinstance(revision, str) else None)
    if isinstance(url, str) and url.startswith("file://"):
        remote, commit = _checkout_origin(urlsplit(url).path)
        if remote and commit:
            return _source(remote, commit)
    return CiSource(PLACEHOLDER_ACTION, None)


def _source(url: str, revision: str | None) -> CiSource:
    if url.startswith("git@") and ":" in url:  # scp-like: git@github.com:owner/name.git
        host, _, path = url[4:].partition(":")
        url = f"ssh://git@{host}/{path}"
    parts = urlsplit(url)
    path = parts.path.strip("/").removesuffix(".git")
    if parts.hostname == "github.com" and path.count("/") == 1 and revision:
        return CiSource(f"{path}@{revision}", None)
    # Never copy credentials into a file that gets committed.
    clean = urlunsplit(parts._replace(netloc=parts.hostname or ""))
    suffix = f"@{revision}" if revision else ""
    return CiSource(None, f"revplan @ git+{clean.removeprefix('git+')}{suffix}")


def _checkout_origin(folder: str) -> tuple[str | None, str | None]:
    """The ``origin`` URL and the commit of the git checkout at ``folder``, if any."""
    import subprocess

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", folder, *args], capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return (done.stdout.strip() or None) if done.returncode == 0 else None

    return git("remote", "get-url", "origin"), git("rev-parse", "HEAD")


def scaffold(today: date, source: CiSource) -> dict[str, str]:
    """Every file ``init`` writes: path relative to DIR -> content. Pure, for tests."""
    import jinja2  # here, not at the top: every `revplan check` would pay for its import

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "init")),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # YAML and JSON, not HTML
    )
    values = {
        **example_dates(today),
        "action": source.action,
        "placeholder": source.placeholder,
        "requirement": source.requirement,
        "version": __version__,
    }
    files = {
        path: environment.get_template(name).render(values) for path, name in TEMPLATES.items()
    }
    for kind, name in SCHEMA_FILES.items():
        files[f"{SCHEMA_FOLDER}/{name}"] = json.dumps(schema(kind), indent=2, ensure_ascii=False)
        files[f"{SCHEMA_FOLDER}/{name}"] += "\n"
    return dict(sorted(files.items()))
