"""The parameters of docs/model.md: one table, one frozen dataclass, one validator.

``PARAMETERS`` is the single source of truth for names, labels, units, defaults and
valid ranges; the workbook's Inputs sheet, the add-in and the docs are generated from it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.core.cells import Coerced, format_value, to_number
from engine.core.fields import ParameterSpec, SpecFields, is_number, range_problems, table_rows

ShareTiers = tuple[tuple[float, float], ...]


_MONEY_YEAR = "£/year"
_MONEY_WEEK = "£/week"
# The largest values accepted. Real partnerships are far below them (a home costs about £1m a
# year, fees are thousands a week); they are there so that every measure, at every occupancy and
# local use, stays a finite number: at most 10,000 places × 53 weeks × £10^12 a week, about 5e20,
# where floating point reaches 1.8e308 (a test computes every measure at these limits).
MONEY_MAX = 1_000_000_000_000.0  # £ per year or per week, for every money input
PLACES_MAX = 10_000

PARAMETERS: tuple[ParameterSpec, ...] = (
    ParameterSpec(
        "places",
        "N",
        "Registered places",
        "places",
        4,
        minimum=1,
        maximum=PLACES_MAX,
        integer=True,
        help="Registered places in the home.",
    ),
    ParameterSpec(
        "weeks_per_year",
        "W",
        "Weeks per year",
        "weeks",
        52.0,
        minimum=0,
        min_inclusive=False,
        maximum=53,
        help="Weeks of care in a year of the agreement.",
    ),
    ParameterSpec(
        "fixed_cost",
        "F",
        "Fixed cost",
        _MONEY_YEAR,
        775_000.0,
        minimum=0,
        maximum=MONEY_MAX,
        help="Staffing, premises and overheads per year, whatever the occupancy.",
    ),
    ParameterSpec(
        "variable_cost",
        "v",
        "Variable cost",
        _MONEY_WEEK,
        300.0,
        minimum=0,
        maximum=MONEY_MAX,
        help="Cost of each occupied place-week (food, activities, travel).",
    ),
    ParameterSpec(
        "local_fee",
        "p_L",
        "Local fee",
        _MONEY_WEEK,
        5_000.0,
        minimum=0,
        maximum=MONEY_MAX,
        help="Fee per placement-week paid by the host council.",
    ),
    ParameterSpec(
        "outside_fee",
        "p_X",
        "Outside fee",
        _MONEY_WEEK,
        5_600.0,
        minimum=0,
        maximum=MONEY_MAX,
        help="Fee per placement-week paid by outside authorities.",
    ),
    ParameterSpec(
        "spot_price",
        "s",
        "Spot price",
        _MONEY_WEEK,
        6_500.0,
        minimum=0,
        maximum=MONEY_MAX,
        help="What the host would pay per week for the same placement on the spot market.",
    ),
    ParameterSpec(
        "host_contribution",
        "K",
        "Host contribution",
        _MONEY_YEAR,
        200_000.0,
        minimum=0,
        maximum=MONEY_MAX,
        element="1. Host contribution",
        help="Fixed annual sum the host pays towards the provider's fixed costs.",
    ),
    ParameterSpec(
        "reserved_places",
        "R",
        "Reserved places",
        "places",
        3.0,
        minimum=0,
        maximum=PLACES_MAX,
        element="2. Preferred access",
        help="Places reserved for the host's own (local) placements.",
        rule_text="0 ≤ R ≤ places",
    ),
    ParameterSpec(
        "release_share",
        "r",
        "Release share",
        "share",
        0.25,
        minimum=0,
        maximum=1,
        element="3. Release",
        help="Share of the outside fee credited to the host when a reserved place is released.",
    ),
    ParameterSpec(
        "compensation_per_week",
        "c",
        "Compensation per outside week",
        _MONEY_WEEK,
        250.0,
        minimum=0,
        maximum=MONEY_MAX,
        element="4. Compensation",
        help="Paid by the provider to the host for every outside placement-week.",
    ),
    ParameterSpec(
        "reasonable_return",
        "ρ",
        "Reasonable return",
        "share",
        0.08,
        minimum=0,
        maximum=1,
        max_inclusive=False,
        element="5. Surplus sharing",
        help="Surplus up to this fraction of provider cost is the provider's alone.",
    ),
    ParameterSpec(
        "share_tiers",
        "σ",
        "Surplus share tiers",
        "share",
        ((0.0, 0.25), (0.5, 0.40), (0.75, 0.60)),
        element="5. Surplus sharing",
        help="Host's share of surplus above the reasonable return, rising with local use.",
        rule_text=(
            "first min is 0; mins strictly increase within [0, 1]; shares within [0, 1] and never decrease"
        ),
    ),
    ParameterSpec(
        "deficit_support",
        "δ",
        "Deficit support",
        "share",
        0.0,
        minimum=0,
        maximum=1,
        help="Share of a provider deficit that the host covers.",
    ),
)

SPECS: dict[str, ParameterSpec] = {spec.name: spec for spec in PARAMETERS}
NUMERIC = tuple(spec.name for spec in PARAMETERS if spec.name != "share_tiers")


def _coerce_tiers(raw: Any) -> Coerced:
    name = "share_tiers"
    if raw is None or isinstance(raw, str | bytes):
        return Coerced(None, f"{name} must be a table of (min_local_use, share) rows")
    try:
        rows = [list(row) for row in table_rows(raw)]
    except TypeError:
        return Coerced(None, f"{name} must be a table of (min_local_use, share) rows")
    tiers = []
    for index, row in enumerate(rows, start=1):
        if all(cell is None or cell == "" for cell in row):
            continue  # empty rows at the foot of a spreadsheet table
        if len(row) != 2:
            return Coerced(None, f"{name} row {index} has {len(row)} values; give min_local_use and share")
        pair = [
            to_number(f"{name} row {index} {label}", cell)
            for label, cell in zip(("min_local_use", "share"), row, strict=True)
        ]
        bad = [p.problem for p in pair if p.problem]
        if bad:
            return Coerced(None, "; ".join(bad))
        tiers.append((pair[0].value, pair[1].value))
    if not tiers:
        return Coerced(None, f"{name} needs at least one tier (min_local_use 0)")
    return Coerced(tuple(tiers))


def check(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every range rule of docs/model.md broken by ``values`` (already numbers).

    Names missing from ``values`` (because they failed to parse) are skipped, so the
    caller can report parse problems and range problems together.
    """
    problems = range_problems([spec for spec in PARAMETERS if spec.name != "share_tiers"], values)
    places, reserved = values.get("places"), values.get("reserved_places")
    if is_number(places) and is_number(reserved) and reserved > places:
        problems.append(
            (
                "reserved_places",
                f"reserved_places = {format_value(reserved)} exceeds places = {format_value(places)}",
            )
        )
    if "share_tiers" in values:
        problems += [("share_tiers", m) for m in _tier_problems(values["share_tiers"])]
    return problems


def _tier_problems(tiers: Any) -> list[str]:
    try:
        pairs = [(float(lo), float(share)) for lo, share in tiers]
    except (TypeError, ValueError):
        return ["share_tiers must be a table of (min_local_use, share) rows"]
    if not pairs:
        return ["share_tiers needs at least one tier (min_local_use 0)"]
    problems = []
    if any(not (math.isfinite(lo) and math.isfinite(sh)) for lo, sh in pairs):
        return ["share_tiers values must be finite numbers"]
    if pairs[0][0] != 0:
        problems.append(f"share_tiers first min_local_use = {format_value(pairs[0][0])} must be 0")
    for i, (lo, share) in enumerate(pairs, start=1):
        if not 0 <= lo <= 1:
            problems.append(f"share_tiers row {i} min_local_use = {format_value(lo)} must be within [0, 1]")
        if not 0 <= share <= 1:
            problems.append(f"share_tiers row {i} share = {format_value(share)} must be within [0, 1]")
    for i in range(1, len(pairs)):
        (lo0, sh0), (lo1, sh1) = pairs[i - 1], pairs[i]
        if lo1 <= lo0:
            problems.append(
                f"share_tiers row {i + 1} min_local_use = {format_value(lo1)} must be above "
                f"row {i}'s {format_value(lo0)}"
            )
        if sh1 < sh0:
            problems.append(
                f"share_tiers row {i + 1} share = {format_value(sh1)} "
                f"must not be below row {i}'s {format_value(sh0)}"
            )
    return problems


@dataclass(frozen=True)
class Parameters(SpecFields, specs=PARAMETERS, rules=check, parsers={"share_tiers": _coerce_tiers}):
    """The contract terms and cost base of one partnership (docs/model.md, annual, £).

    Construction validates every field and raises one ``ParameterError`` naming
    every problem, so an invalid ``Parameters`` never exists. Defaults are the
    ``PARAMETERS`` table's. ``from_mapping`` accepts numbers, numeric text ("5,000",
    "£5,000", "25%") and, for ``share_tiers``, a list of pairs or a 2-column array;
    ``to_mapping`` gives ``share_tiers`` as a list of ``[min, share]`` lists.
    """

    places: int
    weeks_per_year: float
    fixed_cost: float
    variable_cost: float
    local_fee: float
    outside_fee: float
    spot_price: float
    host_contribution: float
    reserved_places: float
    release_share: float
    compensation_per_week: float
    reasonable_return: float
    share_tiers: ShareTiers
    deficit_support: float

    if TYPE_CHECKING:  # the defaults come from the spec table when the class is made: mypy cannot see them

        def __init__(self, **values: Any) -> None: ...
