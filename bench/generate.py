"""Generate a realistic revplan repository for benchmarking.

    python bench/generate.py /tmp/revplan-bench/10000 --plans 10000

Deterministic: plan ``i`` is the same bytes whatever ``--plans`` is, so the
1,000-plan repository is a prefix of the 10,000-plan one. Each account plan
is 15-25 KB: 25-40 stakeholders, 5-10 objectives with key results and
actions, renewal requirements, expansion, milestones, names in Latin,
Chinese, Japanese and Greek script. Plans have the gaps real ones have
(missing backups, detractors nobody works on, stale contacts, overdue
actions, unreviewed milestones), and a realistic few break the schema or
the YAML syntax.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

TODAY = date(2026, 11, 23)
SEED = 20261123

# One plan in this many breaks the schema, one in this many breaks the YAML.
SCHEMA_BREAK_EVERY = 97
SYNTAX_BREAK_EVERY = 1009
PLAN_BYTES = (15_000, 25_000)

ROLES = ("end_user", "administrator", "procurement", "budget_owner", "executive_sponsor")
STANCES = ("advocate", "supporter", "neutral", "detractor", "unknown")
FUNCTIONS = ("sales", "marketing", "customer_success")
PERSPECTIVES = ("customer", "sales", "marketing", "customer_success")
OPEN_STATUSES = ("planned", "in_progress", "in_progress", "blocked")

# (family, given, latin transliteration for ids) per script.
PEOPLE = {
    "latin": (
        [
            "Carter",
            "Müller",
            "García",
            "Dubois",
            "Rossi",
            "Novak",
            "Andersson",
            "O'Brien",
            "Kowalski",
            "Silva",
            "Jansen",
            "Schmidt",
            "Martínez",
            "Lefèvre",
            "Nguyen",
            "Patel",
        ],
        [
            "Emily",
            "Jürgen",
            "Lucía",
            "Camille",
            "Marco",
            "Eva",
            "Lars",
            "Siobhán",
            "Piotr",
            "João",
            "Femke",
            "Anna",
            "Diego",
            "Hélène",
            "Minh",
            "Raj",
        ],
    ),
    "zh": (
        ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙"],
        ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰"],
    ),
    "ja": (
        ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"],
        ["健", "美咲", "翔太", "由紀", "大輔", "恵美", "浩", "麻衣", "凛", "拓海"],
    ),
    "el": (
        ["Παπαδόπουλος", "Γεωργίου", "Οικονόμου", "Νικολάου", "Καραγιάννης", "Βασιλείου"],
        ["Μαρία", "Γιώργος", "Ελένη", "Δημήτρης", "Κατερίνα", "Νίκος", "Σοφία", "Άννα"],
    ),
}
TRANSLIT = {
    "zh": [
        "wang",
        "li",
        "zhang",
        "liu",
        "chen",
        "yang",
        "huang",
        "zhao",
        "wu",
        "zhou",
        "xu",
        "sun",
    ],
    "ja": [
        "sato",
        "suzuki",
        "takahashi",
        "tanaka",
        "ito",
        "watanabe",
        "yamamoto",
        "nakamura",
        "kobayashi",
        "kato",
    ],
    "el": ["papadopoulos", "georgiou", "oikonomou", "nikolaou", "karagiannis", "vasileiou"],
}
COMPANIES = {
    "latin": (
        [
            "Northwind",
            "Contoso",
            "Fabrikam",
            "Globex",
            "Initech",
            "Umbrella",
            "Tyrell",
            "Wayne",
            "Stark",
            "Soylent",
            "Acme",
            "Vandelay",
        ],
        ["Logistics", "Health", "Manufacturing", "Retail", "Energy", "Insurance", "Foods"],
    ),
    "zh": (
        ["华信", "中远", "东方", "长城", "金山", "新世纪", "海天", "天宇"],
        ["医疗", "物流", "制造", "零售", "能源", "保险"],
    ),
    "ja": (
        ["星野", "富士", "大和", "朝日", "日之出", "桜井", "青葉", "三和"],
        ["精機", "物流", "製薬", "電機", "商事", "化学"],
    ),
    "el": (
        ["Αιγαίον", "Ολυμπία", "Ερμής", "Αθηνά", "Ποσειδών", "Ίκαρος"],
        ["Γραμμές", "Υγεία", "Ενέργεια", "Ασφαλιστική", "Τρόφιμα"],
    ),
}
COMPANY_LATIN = [
    "aegean",
    "olympia",
    "hermes",
    "athena",
    "poseidon",
    "ikaros",
    "huaxin",
    "cosco",
    "dongfang",
    "changcheng",
    "jinshan",
    "xinshiji",
    "haitian",
    "tianyu",
    "hoshino",
    "fuji",
    "yamato",
    "asahi",
    "hinode",
    "sakurai",
    "aoba",
    "sanwa",
]
FORECASTS = ("commit", "commit", "commit", "best_case", "best_case", "at_risk", "churn")
CURRENCY = {"latin": ("USD", "EUR", "GBP"), "zh": ("CNY",), "ja": ("JPY",), "el": ("EUR",)}
DEPARTMENTS = [
    "Operations",
    "Finance",
    "IT",
    "Procurement",
    "Manufacturing",
    "Sales",
    "Marketing",
    "Legal",
    "Human Resources",
    "Logistics",
    "Quality",
    "Research",
]
TITLES = [
    "VP Operations",
    "Head of Procurement",
    "IT Systems Manager",
    "Line Supervisor",
    "Chief Financial Officer",
    "Buyer",
    "Systems Engineer",
    "Plant Manager",
    "Director of Finance",
    "Data Analyst",
    "Head of Quality",
    "Regional Director",
]
SEES = [
    "Adoption by region on one dashboard",
    "Payback of each new site within a year",
    "Connector health for every line in one admin view",
    "A three-year price table",
    "Weekly usage by team against the target",
    "Support tickets closed within a day",
]
HEARS = [
    "Peers in other regions succeeding",
    "Their engineers asking for the dashboards",
    "That the rollout needs no change to the ERP",
    "That the price does not move",
    "A customer of the same size that scaled",
    "Their own team's results, in their words",
]
KNOWS = [
    "The renewal locks today's price for three years",
    "Who to call on the night shift",
    "The contract fits the standard supplier terms",
    "Support hours cover every time zone",
    "The data stays in the region",
    "What the next release brings for them",
]
OUTCOMES = [
    "Cut order-processing time by 30% in Q3",
    "Line OEE up from 61% to 72%",
    "Unplanned stops down 40% in six months",
    "Closed the books two days faster",
    "Won the plant's 2026 improvement award",
    "Saved 1,200 hours of manual reporting",
]
CONCERNS = [
    "Price per seat is above the competitor's offer",
    "Worried about data residency",
    "Prefers the incumbent tool his team knows",
    "Sees the rollout as extra work",
    "Doubts the reported adoption figures",
]
COMPETITORS = ["Globex", "Initrode", "Hooli", "Massive Dynamic", "Cyberdyne"]
OBJECTIVE_TITLES = [
    "Renew at 110% of current ARR",
    "Every regional team active weekly",
    "Make three references in the renew group",
    "Open the finance division",
    "Roll out to all plants",
    "Cut support tickets by half",
    "Win the executive sponsor's renewal vote",
    "Land the data platform add-on",
    "Replace the competitor in the lab division",
    "Publish a joint case study",
]
KR_TITLES = [
    ("Weekly active users", "users"),
    ("Regional teams live", "teams"),
    ("Tickets per month", "tickets"),
    ("References willing to speak", "people"),
    ("Plants live", "plants"),
    ("Net revenue retention", "%"),
    ("Expansion pipeline", "USD thousand"),
    ("Dashboards in daily use", "dashboards"),
]
ACTION_TITLES = [
    "Quarterly value review",
    "Executive business review",
    "Admin training",
    "Pricing workshop with procurement",
    "Site visit with the sponsor",
    "Reference call with a peer customer",
    "Roll-out plan for the next region",
    "Security questionnaire answers",
    "Joint case study interview",
]
MILESTONE_TITLES = [
    "Onboarding complete",
    "First region live",
    "Executive business review",
    "Second-year renewal",
    "All sites live",
    "Case study published",
]
OKR_CORE = {
    "company-fy27": ("company", ["reach-50m-arr", "customers-for-life", "profitable-growth"]),
    "cro-fy27": ("revenue", ["new-logos", "expand-installed-base", "retain-core", "nrr-115"]),
    "cs-fy27": ("customer_success", ["adoption", "renewals", "references"]),
    "sales-fy27": ("sales", ["enterprise-wins", "multi-year-deals", "expansion"]),
}
ALIGN_TARGETS = [f"{okrs}/{obj}" for okrs in OKR_CORE for obj in OKR_CORE[okrs][1]]

_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^#]*\Z")
_SPECIAL_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "~", "y", "n"}


def q(text: str) -> str:
    """The text as a YAML scalar: plain when that reads back as the same text, else quoted."""
    if (
        _PLAIN.match(text)
        and ": " not in text
        and not text.endswith(":")
        and text.lower() not in _SPECIAL_WORDS
        and not re.match(r"[-+]?[0-9.]", text)
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def person(rng: random.Random, script: str, used: set[str]) -> tuple[str, str]:
    """(id, display name) of a person, the id unique within the plan."""
    families, givens = PEOPLE[script]
    f, g = rng.randrange(len(families)), rng.randrange(len(givens))
    family, given = families[f], givens[g]
    if script == "latin":
        name = f"{given} {family}"
        base = f"{given}-{family}"
        base = base.lower().translate(str.maketrans("üéèíóñáãçø'", "ueeioonaaco", "")) or "x"
        base = re.sub(r"[^a-z0-9-]", "", base)
    else:
        name = f"{family} {given}" if script == "el" else f"{family}{given}"
        if script == "ja":
            name = f"{family} {given}"
        base = f"{TRANSLIT[script][f]}-{g + 1}"
    ident, n = base, 2
    while ident in used:
        ident, n = f"{base}-{n}", n + 1
    used.add(ident)
    return ident, name


def account_plan(i: int, gaps: float = 1.0) -> str:
    """Plan ``i``: the first draw whose size falls in 15-25 KB, so every run gets the same one.

    ``gaps`` scales how often a plan has each kind of gap (1.0: a repository kept
    in CI, where most plans pass; 4.0: one nobody has cleaned up).
    """
    for attempt in range(100):
        rng = random.Random(f"{SEED}-{i}-{attempt}")
        text = _plan_text(i, rng, lambda p, rng=rng: rng.random() < min(1.0, p * gaps))
        if PLAN_BYTES[0] <= len(text.encode()) <= PLAN_BYTES[1]:
            return _break(i, text)
    raise RuntimeError(f"plan {i}: no draw of 15-25 KB")  # pragma: no cover


def _plan_text(i: int, rng: random.Random, gap: Callable[[float], bool]) -> str:
    script = rng.choice(("latin", "latin", "zh", "ja", "el"))
    prefixes, suffixes = COMPANIES[script]
    company = f"{rng.choice(prefixes)} {rng.choice(suffixes)}"
    if script != "latin":
        company = f"{company} ({rng.choice(COMPANIES['latin'][0])} {i})"
    plan_id = f"{rng.choice(COMPANY_LATIN)}-{i:06d}"
    arr = rng.randrange(40, 2000) * 1000
    margin = rng.choice((0.7, 0.75, 0.8, 0.85))
    start = -rng.randrange(60, 900)
    renewal = start + 365 * rng.randrange(1, 4)
    cost_ceiling = 3 if gap(0.05) else 0.9  # times ARR; above 1 break-even may come late
    out: list[str] = [
        f"# Account plan {i}: {company}.",
        "# Kept by the account team; reviewed at every quarterly business review.",
        "apiVersion: revplan/v1",
        "kind: AccountPlan",
        "",
        "account:",
        f"  id: {plan_id}",
        f"  name: {q(company)}",
        f"  segment: {rng.choice(('enterprise', 'mid-market', 'public sector', 'strategic'))}",
        f"  priority: {rng.randrange(1, 6)}",
        f"  currency: {rng.choice(CURRENCY[script])}",
        f"  arr: {arr}",
        f"  gross_margin: {margin}",
        f"  acquisition_cost: {int(arr * rng.uniform(0.2, cost_ceiling)) // 1000 * 1000}",
        f"  support_cost_per_year: {int(arr * rng.uniform(0.05, 0.2)) // 1000 * 1000}",
        f"  contract_start: {day(start)}",
        f"  renewal_date: {day(renewal)}",
    ]

    team_used: set[str] = set()
    functions = list(FUNCTIONS) + [rng.choice(FUNCTIONS + ("other",))]
    if gap(0.02):  # the team lost its marketer
        functions.remove("marketing")
    team = []
    for function in functions:
        ident, name = person(rng, rng.choice(("latin", script)), team_used)
        team.append((ident, name, function))
    out += [
        f"owner: {team[0][0]}",
        f"reviewed: {day(-rng.randrange(91, 200) if gap(0.04) else -rng.randrange(1, 85))}",
        "",
        "team:",
    ]
    out += [f"  - {{id: {t}, name: {q(n)}, function: {f}}}" for t, n, f in team]
    team_ids = [t for t, _, _ in team]

    # Stakeholders: the first ones are renew (they bought), the rest expand.
    used = set(team_used)
    count = rng.randrange(25, 41)
    renew_count = max(8, int(count * rng.uniform(0.5, 0.7)))
    people = []
    for n in range(count):
        ident, name = person(rng, script if rng.random() < 0.8 else "latin", used)
        group = "renew" if n < renew_count else "expand"
        if group == "renew" and n < len(ROLES):
            roles = [ROLES[n]]
            stance = rng.choice(STANCES[1:]) if gap(0.03) else "advocate"
        else:
            roles = rng.sample(ROLES, rng.choice((0, 1, 1, 2))) if group == "renew" else []
            stance = rng.choices(STANCES, (3, 4, 4, 1.2, 2))[0]
        people.append((ident, name, group, roles, stance))
    backups = [p[0] for p in people if p[2] == "renew" and p[4] != "detractor"]
    references = [p[0] for p in people if p[2] == "renew" and p[4] == "advocate"]
    detractors: list[str] = []
    no_backup: list[str] = []
    out += ["", "stakeholders:"]
    for n, (ident, name, group, roles, stance) in enumerate(people):
        influence = rng.choices(("high", "medium", "low"), (2, 4, 3))[0]
        out += [
            f"  - id: {ident}",
            f"    name: {q(name)}",
            f"    title: {q(rng.choice(TITLES))}",
            f"    department: {rng.choice(DEPARTMENTS)}",
        ]
        if n and rng.random() < 0.6:
            out.append(f"    reports_to: {people[rng.randrange(n)][0]}")
        out.append(f"    group: {group}")
        if roles:
            out.append(f"    roles: [{', '.join(roles)}]")
        out += [f"    stance: {stance}", f"    influence: {influence}"]
        if rng.random() < 0.02:
            out.append("    status: left")
        key = stance in ("advocate", "detractor") or influence == "high"
        if stance == "advocate" and group == "renew":
            out.append("    reference: true")
        if key and not gap(0.015):
            candidates = [r for r in backups if r != ident] or [ident]
            out.append(f"    backup: {rng.choice(candidates)}")
        elif key:  # a key person with no backup
            no_backup.append(ident)
        if key and not gap(0.01):
            out.append(f"    owner: {rng.choice(team_ids)}")
        if gap(0.015):  # a contact gone stale (the rule's limit is 60 days)
            out.append(f"    last_contact: {day(-rng.randrange(61, 200))}")
        elif key or rng.random() < 0.7:
            out.append(f"    last_contact: {day(-rng.randrange(1, 55))}")
        if (key and not gap(0.015)) or (not key and rng.random() < 0.3):
            out += [
                "    needs:",
                f"      see: {q(rng.choice(SEES))}",
                f"      hear: {q(rng.choice(HEARS))}",
                f"      know: {q(rng.choice(KNOWS))}",
            ]
        if stance == "advocate" and group == "renew":
            out.append("    outcomes:")
            out += [f"      - {q(o)}" for o in rng.sample(OUTCOMES, rng.randrange(1, 3))]
        if stance == "detractor":
            detractors.append(ident)
            if not gap(0.2):
                out.append(f"    competitor: {q(rng.choice(COMPETITORS))}")
            if not gap(0.2):
                out.append(f"    concerns: [{q(rng.choice(CONCERNS))}]")

    objectives = []
    out += ["", "objectives:"]
    all_ids = [p[0] for p in people]
    for n in range(rng.randrange(5, 11)):
        oid = f"obj-{n + 1}"
        objectives.append(oid)
        out += [
            f"  - id: {oid}",
            f"    group: {'renew' if n < 3 else rng.choice(('renew', 'expand'))}",
            f"    title: {q(rng.choice(OBJECTIVE_TITLES))}",
            f"    aligns_to: [{rng.choice(ALIGN_TARGETS)}]",
            "    key_results:",
        ]
        for k in range(6 if gap(0.02) else rng.choice((1, 2, 2, 3, 3, 4))):  # max is 5
            title, unit = rng.choice(KR_TITLES)
            baseline = rng.randrange(0, 200)
            target = baseline + rng.randrange(10, 300)
            current = rng.randrange(baseline, target + 1)
            out.append(
                f"      - {{id: kr-{k + 1}, title: {q(title)}, baseline: {baseline}, "
                f"target: {target}, current: {current}, "
                f"unit: {q(unit)}, confidence: {rng.choice((0.3, 0.5, 0.7, 0.9))}"
                f"{_checkins(rng, gap, baseline, current) if rng.random() < 0.4 else ''}}}"
            )
        if gap(0.02):  # an objective nobody acts on yet
            continue
        out.append("    actions:")
        for a in range(rng.randrange(1, 5)):
            engaged = rng.sample(all_ids, rng.randrange(1, 4))
            if detractors and rng.random() < 0.5:
                engaged.append(rng.choice(detractors))
            due = rng.randrange(-90, 180)
            # Work past its date is mostly done; some is overdue.
            status = "done" if due < 0 and not gap(0.08) else rng.choice(OPEN_STATUSES)
            out += [
                f"      - id: {oid}-a{a + 1}",
                f"        title: {q(rng.choice(ACTION_TITLES))}",
                f"        owner: {rng.choice(team_ids)}",
                f"        due: {day(due)}",
                f"        status: {status}",
                f"        stakeholders: [{', '.join(dict.fromkeys(engaged))}]",
            ]

    out += ["", "renewal:"]
    if not gap(0.03):  # the team's call (renewal-forecast wants one when renewing soon)
        out.append(f"  forecast: {rng.choice(FORECASTS)}")
        out.append(f"  probability: {rng.choice((0.1, 0.3, 0.5, 0.6, 0.8, 0.9))}")
    if rng.random() < 0.6:
        out.append(f"  notice_date: {day(renewal - 30)}")
    out.append("  requirements:")
    for n in range(rng.randrange(3, 7)):
        out += [
            f"    - id: req-{n + 1}",
            f"      title: {q(rng.choice(OBJECTIVE_TITLES))} before the renewal",
        ]
        if not gap(0.02):
            out.append(f"      met_by: [{', '.join(rng.sample(objectives, 2))}]")

    renew_message = "You bought results; here is the proof and what comes next."
    out += ["", "messages:", f"  renew: {q(renew_message)}"]
    if not gap(0.02):
        out.append(f"  expand: {q(rng.choice(OUTCOMES))} with us; your division can too.")

    expand_ids = [p[0] for p in people if p[2] == "expand"] or all_ids
    out += ["", "expansion:"]
    for n in range(rng.randrange(2, 6)):
        out += [
            f"  - id: exp-{n + 1}",
            f"    title: {q(rng.choice(OBJECTIVE_TITLES))}",
            f"    business_unit: {rng.choice(DEPARTMENTS)} {rng.choice(('EMEA', 'APAC', 'US'))}",
            f"    value: {rng.randrange(20, 900) * 1000}",
            f"    stakeholders: [{', '.join(rng.sample(expand_ids, min(2, len(expand_ids))))}]",
        ]
        if references and not gap(0.03):
            out.append(f"    via: [{rng.choice(references)}]")

    out += ["", "milestones:"]
    for n in range(rng.randrange(3, 7)):
        offset = start + 90 * (n + 1)
        past = offset < 0
        out += [
            f"  - id: ms-{n + 1}",
            f"    title: {q(rng.choice(MILESTONE_TITLES))}",
            f"    date: {day(offset)}",
            f"    status: {rng.choice(('done', 'done', 'missed')) if past else 'planned'}",
        ]
        if past and not gap(0.04):
            seen = rng.sample(PERSPECTIVES, 3 if gap(0.04) else 4)
            out += [
                "    review:",
                f"      date: {day(offset + 7)}",
                f"      perspectives: [{', '.join(p for p in PERSPECTIVES if p in seen)}]",
                f"      notes: {q(rng.choice(HEARS))}.",
            ]

    if no_backup and rng.random() < 0.3:  # accepted, with a reason
        out += [
            "",
            "waivers:",
            "  - rule: backup-per-contact",
            f"    target: {rng.choice(no_backup)}",
            "    reason: Procurement is centralised at the parent company",
            f"    expires: {day(rng.randrange(-30, 200))}",
        ]
    return "\n".join(out) + "\n"


def _checkins(rng: random.Random, gap: Callable[[float], bool], baseline: int, current: int) -> str:
    """A key result's check-ins, every two to four weeks, the last one its ``current``
    (a few stale: key-result-checkin wants one within 14 days)."""
    count = rng.randrange(2, 7)
    last = -rng.randrange(15, 60) if gap(0.03) else -rng.randrange(0, 14)
    days = [last - 21 * n - rng.randrange(0, 7) for n in reversed(range(count))]
    days[-1] = last
    values = sorted(rng.randrange(baseline, current + 1) for _ in range(count - 1)) + [current]
    items = [
        f"{{date: {day(d)}, value: {v}, confidence: {rng.choice((0.4, 0.6, 0.8))}}}"
        for d, v in zip(days, values, strict=True)
    ]
    return f", checkins: [{', '.join(items)}]"


def _break(i: int, text: str) -> str:
    """The realistic few broken files: a typo in an enum, a bad date, a tab."""
    if i % SYNTAX_BREAK_EVERY == SYNTAX_BREAK_EVERY - 1:
        return text.replace("\n    group: ", "\n\tgroup: ", 1)
    if i % SCHEMA_BREAK_EVERY == SCHEMA_BREAK_EVERY - 1:
        kind = (i // SCHEMA_BREAK_EVERY) % 3
        if kind == 0:
            return text.replace("stance: advocate", "stance: champion", 1)
        if kind == 1:
            return re.sub(r"due: \d{4}-\d{2}-\d{2}", "due: 2026-02-30", text, count=1)
        return text.replace("    department: ", "    phone: +1 555 0100\n    department: ", 1)
    return text


def okrs_file(okrs_id: str, function: str, objectives: list[str], parent: list[str]) -> str:
    rng = random.Random(f"{SEED}-{okrs_id}")
    out = [
        f"# {okrs_id}: objectives and key results for FY27.",
        "apiVersion: revplan/v1",
        "kind: OKRs",
        f"id: {okrs_id}",
        f"title: {q(okrs_id.replace('-', ' ').title())}",
        f"owner: {q(rng.choice(PEOPLE['latin'][1]) + ' ' + rng.choice(PEOPLE['latin'][0]))}",
        f"function: {function}",
        "period: {start: 2026-07-01, end: 2027-06-30}",
        "",
        "objectives:",
    ]
    levers = ("generation", "growth", "retention")
    for n, oid in enumerate(objectives):
        out += [
            f"  - id: {oid}",
            f"    title: {q(oid.replace('-', ' ').capitalize())}",
            f"    lever: {levers[n % 3]}",
            f"    type: {rng.choice(('committed', 'aspirational'))}",
            f"    owner: {q(rng.choice(PEOPLE['latin'][1]))}",
        ]
        if parent:
            out.append(f"    aligns_to: [{rng.choice(parent)}]")
        out.append("    key_results:")
        for k in range(rng.randrange(2, 4)):
            title, unit = rng.choice(KR_TITLES)
            baseline = rng.randrange(0, 100)
            target = baseline + rng.randrange(5, 100)
            out += [
                f"      - id: kr-{k + 1}",
                f"        title: {q(title)}",
                f"        baseline: {baseline}",
                f"        target: {target}",
                f"        current: {rng.randrange(baseline, target + 1)}",
                f"        unit: {q(unit)}",
                f"        confidence: {rng.choice((0.4, 0.6, 0.8))}",
            ]
    return "\n".join(out) + "\n"


CONFIG = """\
# Benchmark repository generated by bench/generate.py.
apiVersion: revplan/v1
kind: Config
plans: ["plans/**/*.yaml"]
today: {today}
fail_on: error
reporting_currency: EUR
fx_rates: {{USD: 0.92, GBP: 1.17, CNY: 0.13, JPY: 0.0061}}
"""


def generate(root: Path, plans: int, gaps: float = 1.0) -> None:
    """Write ``plans`` account plans plus OKRs files and a config under ``root``."""
    if root.exists():
        shutil.rmtree(root)
    (root / "plans" / "okrs").mkdir(parents=True)
    (root / "revplan.yaml").write_text(CONFIG.format(today=TODAY.isoformat()), encoding="utf-8")
    company = ["company-fy27/" + o for o in OKR_CORE["company-fy27"][1]]
    for okrs_id, (function, objectives) in OKR_CORE.items():
        parent = [] if okrs_id == "company-fy27" else company
        path = root / "plans" / "okrs" / f"{okrs_id}.yaml"
        path.write_text(okrs_file(okrs_id, function, objectives, parent), encoding="utf-8")
    # Regional and team OKRs: one per hundred accounts, aligned to the core ones.
    for n in range(plans // 100):
        team_id = f"team-{n + 1:04d}-fy27"
        path = root / "plans" / "okrs" / f"{team_id}.yaml"
        path.write_text(
            okrs_file(team_id, "sales", ["pipeline", "renewals", "references"], ALIGN_TARGETS),
            encoding="utf-8",
        )
    regions = ("amer", "emea", "apac", "greater-china", "japan")
    for i in range(plans):
        # A few hundred files per folder, as teams organise them.
        folder = root / "plans" / "accounts" / regions[i % len(regions)] / f"batch-{i // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"plan-{i:06d}.yaml").write_text(account_plan(i, gaps), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="folder to (re)create")
    parser.add_argument("--plans", type=int, default=1000, help="number of account plans")
    parser.add_argument(
        "--gaps", type=float, default=1.0, help="how often plans have gaps (1.0: kept in CI)"
    )
    args = parser.parse_args(argv)
    generate(args.root, args.plans, args.gaps)
    print(f"wrote {args.plans} account plans to {args.root}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
