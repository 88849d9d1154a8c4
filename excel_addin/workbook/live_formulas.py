"""The model's formulas as spreadsheet formulas: the one place the workbook's live cells come from.

A new workbook has no Python behind it, yet its Provider, Host and Breakdown sheets must
answer as inputs are typed. So each of their cells holds the formula of docs/model.md for
its occupancy and local use, written over the inputs' defined names (``places``,
``fixed_cost``, ``share_tiers`` …). The engine stays the reference: each formula here
follows ``engine.core.model.compute`` operation by operation (same order, same brackets),
so Excel and LibreOffice give the engine's numbers to the last few bits.

Only functions Excel 2010 and LibreOffice share are used (MAX, IF, OR, INDEX, SUMPRODUCT,
ROUND): no LET, no LAMBDA, no dynamic arrays. Intermediate quantities are inlined, except
that a formula may use a cell that already holds a measure at the same point (``known``):
the margin divides the surplus cell beside it instead of repeating the surplus formula,
which keeps every formula well under Excel's 8,192 characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from excel_addin.workbook.formula import Formula
from excel_addin.workbook.layout import MIN_LOCAL_WEEKS

TIER_TOLERANCE = "1E-9"  # engine.core.model.TIER_TOLERANCE, as formula text
EMPTY = '""'  # what an undefined cell shows: the engine's NaN, an empty cell
EXCEL_FORMULA_LIMIT = 8192  # characters Excel accepts in one formula


@dataclass(frozen=True)
class Point:
    """Where a formula is evaluated: occupancy and local use as formula text (a cell, a name, a number).

    ``known`` maps measure names to cells that already hold that measure at this point.
    """

    occupancy: str
    local_use: str
    known: Mapping[str, str] = field(default_factory=dict)


ATOM = re.compile(r"[A-Za-z0-9_$.!']+")  # a cell, a name or a number: one operand as it is


def _p(text: str) -> str:
    """Brackets round a sub-expression, so it is one operand wherever it is put."""
    return text if ATOM.fullmatch(text) else f"({text})"


def quantity(name: str, at: Point) -> str:
    """Formula text (no "=") for a measure or intermediate quantity at a point."""
    if name in at.known:
        return at.known[name]
    return _p(_BUILDERS[name](at))


def _q(name: str) -> Callable[[Point], str]:
    return lambda at: quantity(name, at)


L, X = _q("local_places"), _q("outside_places")
L_UNRES, X_REL = _q("local_places_unreserved"), _q("released_places")
LOCAL_WEEKS, OUTSIDE_WEEKS, RELEASED_WEEKS = _q("local_weeks"), _q("outside_weeks"), _q("released_weeks")
REVENUE, COST = _q("provider_revenue"), _q("provider_cost")
COMPENSATION, RELEASE_CREDIT = _q("compensation"), _q("release_credit")
S0, THRESHOLD, SIGMA = _q("surplus_before_sharing"), _q("sharing_threshold"), _q("share_rate")
PROFIT_SHARE, DEFICIT_COVER = _q("profit_share"), _q("deficit_cover")
SURPLUS, SPOT_SURPLUS = _q("provider_surplus"), _q("provider_spot_surplus")
HOST_FEES, HOST_SPOT, HOST_NET = _q("host_fees"), _q("host_spot_cost"), _q("host_net_cost")


def share_rate_text(local_use: str) -> str:
    """σ(u): the share of the last tier whose lowest local use ≤ u + 1e-9; blank tier rows ignored.

    The lowest local uses strictly increase from 0, so the tiers reached are the first k
    rows and k is a count; SUMPRODUCT counts without array entry in Excel and LibreOffice.
    """
    mins = "INDEX(share_tiers,0,1)"
    count = f'SUMPRODUCT(({mins}<>"")*({local_use}+{TIER_TOLERANCE}>={mins}))'
    return f"INDEX(share_tiers,{count},2)"


_BUILDERS: dict[str, Callable[[Point], str]] = {
    "local_places": lambda at: f"{_p(at.local_use)}*{_p(at.occupancy)}*places",
    "outside_places": lambda at: f"(1-{_p(at.local_use)})*{_p(at.occupancy)}*places",
    "local_places_unreserved": lambda at: f"MAX({L(at)}-reserved_places,0)",
    "released_places": lambda at: f"MAX({X(at)}-(places-reserved_places-{L_UNRES(at)}),0)",
    "local_weeks": lambda at: f"weeks_per_year*{L(at)}",
    "outside_weeks": lambda at: f"weeks_per_year*{X(at)}",
    "vacant_weeks": lambda at: f"weeks_per_year*(places-{_p(at.occupancy)}*places)",
    "released_weeks": lambda at: f"weeks_per_year*{X_REL(at)}",
    "provider_fees": lambda at: f"weeks_per_year*({L(at)}*local_fee+{X(at)}*outside_fee)",
    "provider_revenue": lambda at: f"{_q('provider_fees')(at)}+host_contribution",
    "provider_cost": lambda at: f"fixed_cost+weeks_per_year*({L(at)}+{X(at)})*variable_cost",
    "compensation": lambda at: f"compensation_per_week*{OUTSIDE_WEEKS(at)}",
    "release_credit": lambda at: f"release_share*outside_fee*{RELEASED_WEEKS(at)}",
    "surplus_before_sharing": lambda at: f"{REVENUE(at)}-{COST(at)}-{COMPENSATION(at)}-{RELEASE_CREDIT(at)}",
    "sharing_threshold": lambda at: f"reasonable_return*{COST(at)}",
    "share_rate": lambda at: share_rate_text(_p(at.local_use)),
    "profit_share": lambda at: f"{SIGMA(at)}*MAX({S0(at)}-{THRESHOLD(at)},0)",
    "deficit_cover": lambda at: f"deficit_support*MAX(-{S0(at)},0)",
    "provider_surplus": lambda at: f"{S0(at)}-{PROFIT_SHARE(at)}+{DEFICIT_COVER(at)}",
    "provider_margin": lambda at: f"IF({REVENUE(at)}=0,{EMPTY},{SURPLUS(at)}/{REVENUE(at)})",
    "provider_spot_surplus": lambda at: (
        f"weeks_per_year*({L(at)}+{X(at)})*(outside_fee-variable_cost)-fixed_cost"
    ),
    "provider_gain": lambda at: f"{SURPLUS(at)}-{SPOT_SURPLUS(at)}",
    "host_fees": lambda at: f"{LOCAL_WEEKS(at)}*local_fee",
    "host_spot_cost": lambda at: f"{LOCAL_WEEKS(at)}*spot_price",
    "host_net_cost": lambda at: (
        f"{HOST_FEES(at)}+host_contribution-{COMPENSATION(at)}-{RELEASE_CREDIT(at)}"
        f"-{PROFIT_SHARE(at)}+{DEFICIT_COVER(at)}"
    ),
    "host_cost_per_local_week": lambda at: (  # empty below the minimum of local weeks, as on the sheets
        f"IF({LOCAL_WEEKS(at)}<{MIN_LOCAL_WEEKS},{EMPTY},{HOST_NET(at)}/{LOCAL_WEEKS(at)})"
    ),
    "host_saving": lambda at: f"{HOST_SPOT(at)}-{HOST_NET(at)}",
    # the Breakdown sheet's amounts that are not measures (engine.core.breakdown)
    "host_contribution": lambda at: "host_contribution",
    "fixed_cost": lambda at: "fixed_cost",
    "outside_fees": lambda at: f"{OUTSIDE_WEEKS(at)}*outside_fee",
    "variable_costs": lambda at: f"({LOCAL_WEEKS(at)}+{OUTSIDE_WEEKS(at)})*variable_cost",
}
LIVE_QUANTITIES = frozenset(_BUILDERS)


def measure_formula(name: str, at: Point, guards: tuple[str, ...] = ()) -> Formula:
    """``=`` the measure at a point; empty while a ``guards`` cell is empty (an axis past its end)."""
    body = at.known.get(name) or _BUILDERS[name](at)
    if guards:
        blank = ",".join(f'{cell}=""' for cell in guards)
        body = f"IF(OR({blank}),{EMPTY},{body})"
    text = f"={body}"
    if len(text) > EXCEL_FORMULA_LIMIT:  # a model change that made a formula too long must not ship
        raise ValueError(
            f"the formula for {name} has {len(text)} characters; Excel accepts {EXCEL_FORMULA_LIMIT}"
        )
    return Formula(text)


def axis_formula(axis: str, index: int) -> Formula:
    """The ``index``-th value (from 0) of an axis from its grid inputs, empty past the maximum.

    The engine's ``make_axis``: minimum + k·step rounded to 12 decimals, k up to
    floor((maximum − minimum)/step + 1e-9).
    """
    low, high, step = f"{axis}_min", f"{axis}_max", f"{axis}_step"
    return Formula(f"=IF({index}>({high}-{low})/{step}+1E-9,{EMPTY},ROUND({low}+{index}*{step},12))")
