"""A portfolio: several homes of one provider under one agreement with the host.

Each home has its own places, costs, fees and reserved places (columns of the homes table;
an empty cell takes the partnership's value from ``Parameters``), and optionally its own
occupancy. Everything else is the agreement's and the same for every home: weeks_per_year,
spot_price, release_share, compensation_per_week, reasonable_return, share_tiers,
deficit_support, and the host contribution K, which is split across homes by places
(home h receives ``K · places_h / Σ places``).

Occupancy and local use are the grid's and apply to every home; a home with its own
occupancy keeps it whatever the grid's occupancy is. Local use u is the share of each
home's occupied places used by the host, so the portfolio's local use
(Σ local places / Σ occupied places) is u as well: the share tier σ(u) is the same whether
the sharing is per home or pooled.

Each home is the single-home model (``engine.compute`` with the homes as a leading array
axis). The agreement's sharing clause is then applied two ways, and the difference is the
point of comparing them:

- per home: each home's surplus is shared on its own (profit share and deficit cover of
  each home, as ``compute`` gives them), and the portfolio's figures are the sums;
- pooled: the sharing step (``engine.core.model.share_surplus``) is applied once, to the sum of
  the homes' surplus before sharing against the pooled threshold ρ·Σ provider_cost. A
  home's loss then offsets another's surplus: the host receives less profit share above the
  threshold and covers less deficit.

Everything before the sharing step (fees, costs, compensation, release credits, surplus
before sharing) is the same in both. Money, weeks and places of the portfolio are sums
over homes; provider_margin and host_cost_per_local_week are recomputed from the sums.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.core.cells import format_value
from engine.core.errors import ParameterError
from engine.core.fields import ParameterSpec, range_problem
from engine.core.grid import default_axis
from engine.core.measures import MEASURE_NAMES, MEASURES
from engine.core.model import (
    Array,
    as_axis,
    check_axes,
    compute,
    host_results,
    provider_results,
    share_surplus,
    terms,
)
from engine.core.parameters import SPECS, Parameters
from engine.members.table import MemberTable, Problems, label, read_members

# The parameters a home has of its own; the rest of Parameters is the agreement's.
HOME_PARAMETERS: tuple[str, ...] = (
    "places",
    "fixed_cost",
    "variable_cost",
    "local_fee",
    "outside_fee",
    "reserved_places",
)
HOME_COLUMNS: tuple[ParameterSpec, ...] = (
    *(SPECS[name] for name in HOME_PARAMETERS),
    ParameterSpec(
        "occupancy",
        "o_h",
        "Expected occupancy",
        "share",
        None,
        minimum=0,
        maximum=1,
        help="This home's own occupancy; empty = the grid's occupancy.",
    ),
)
HOME_TABLE = MemberTable("homes", "home", HOME_COLUMNS)

SHARING_BASES: tuple[str, ...] = ("per_home", "pooled", "difference")
# Measures that are sums over homes (money, weeks, places); the ratios are recomputed.
ADDITIVE: tuple[str, ...] = tuple(m.name for m in MEASURES if m.unit in ("£/year", "weeks", "places"))


def parse_homes(rows: Any, params: Parameters | None = None) -> tuple[pd.DataFrame, Problems]:
    """The homes table and every problem with it (see ``read_homes``)."""
    frame, problems = read_members(rows, HOME_TABLE)
    problems += _fit_problems(frame, params)
    return frame.drop(columns="row"), problems


def read_homes(rows: Any, params: Parameters | None = None) -> pd.DataFrame:
    """The homes of a portfolio, validated; every problem in one ``ParameterError``.

    ``rows``: a header then one row per home (list of lists), a list of dicts, or a
    DataFrame; headings ``home`` (or ``name``) and any of ``places``, ``fixed_cost``,
    ``variable_cost``, ``local_fee``, ``outside_fee``, ``reserved_places``, ``occupancy``
    (read loosely: "Fixed cost" works). Cells as a spreadsheet gives them; empty rows are
    ignored; an empty cell (or absent column) means the partnership's value, and for
    ``occupancy`` the grid's. Each value follows the rule of its parameter in docs/model.md,
    ``reserved_places`` may not exceed the home's ``places`` (checked against the
    partnership's values for empty cells when ``params`` is given), names must be present
    and different (ignoring case).

    Returns columns ``home`` and the seven number columns, NaN where empty.
    """
    frame, problems = parse_homes(rows, params)
    if problems:
        raise ParameterError(problems)
    return frame


def home_table(homes: Any, params: Parameters) -> pd.DataFrame:
    """The homes as the portfolio functions use them: empty cells filled, contribution split.

    Columns: ``home``, the six ``HOME_PARAMETERS`` (the partnership's value where the cell
    was empty), ``occupancy`` (NaN = the grid's) and ``host_contribution`` = K·places/Σ places.
    ``homes`` is validated again (any form ``read_homes`` takes).
    """
    frame = read_homes(homes, params)
    filled = frame.assign(
        **{name: frame[name].fillna(float(getattr(params, name))) for name in HOME_PARAMETERS}
    )
    places = filled["places"].to_numpy(float)
    return filled.assign(host_contribution=params.host_contribution * (places / places.sum()))


def _fit_problems(frame: pd.DataFrame, params: Parameters | None) -> Problems:
    """A home's reserved places must fit in it (docs/model.md: R ≤ N), with defaults where empty."""
    problems = []
    for record in frame[["row", "home", "places", "reserved_places"]].to_dict("records"):
        values = {}
        for name in ("places", "reserved_places"):
            values[name] = (record[name], "")
            if math.isnan(record[name]) and params is not None:
                values[name] = (float(getattr(params, name)), " (the partnership's, the cell is empty)")
        (places, places_note), (reserved, reserved_note) = values["places"], values["reserved_places"]
        if any(range_problem(SPECS[name], value) for name, (value, _) in values.items()):
            continue  # missing, unreadable or out of range: reported already
        if reserved > places:
            problems.append(
                (
                    f"homes[{record['row']}].reserved_places",
                    f"{label(HOME_TABLE, record)} reserved_places = {format_value(reserved)}{reserved_note} "
                    f"exceeds places = {format_value(places)}{places_note}",
                )
            )
    return problems


def portfolio_evaluate(
    params: Parameters,
    homes: Any,
    occupancy: npt.ArrayLike,
    local_use: npt.ArrayLike,
    per_home_axes: bool = False,
) -> dict[str, dict[str, Array]]:
    """Every measure of docs/model.md for each home and for the portfolio, per home and pooled.

    Returns ``{"homes": ..., "per_home": ..., "pooled": ..., "difference": ...}``, each a
    dict of every measure by name. ``homes`` arrays have the home as their first axis, then
    the broadcast shape of the two axes; the other three have the axes' shape:
    the portfolio with sharing per home, with pooled sharing, and pooled − per home.

    With ``per_home_axes`` the first axis of ``occupancy`` and ``local_use`` is the home
    (length 1 or the number of homes): each home has its own draws (the risk analysis).
    Then the pooled share tier is σ at the portfolio's local use Σ L / Σ (L + X) (the
    places-weighted mean of the homes' local use where no place is occupied), and the
    portfolio's ``share_rate`` is that σ under both sharing bases.
    """
    o, u = check_axes(occupancy, local_use)
    return _evaluate(params, home_table(homes, params), o, u, per_home_axes)


def _evaluate(
    params: Parameters, table: pd.DataFrame, o: Array, u: Array, per_home_axes: bool = False
) -> dict[str, dict[str, Array]]:
    """``portfolio_evaluate`` on a ``home_table`` and checked axes."""
    ndim = max(np.ndim(o), np.ndim(u)) - (1 if per_home_axes else 0)

    def lead(column: str) -> np.ndarray:
        return np.reshape(table[column].to_numpy(float), (-1,) + (1,) * ndim)

    own = {name: lead(name) for name in (*HOME_PARAMETERS, "host_contribution", "occupancy")}
    total = np.sum(table["host_contribution"].to_numpy(float))
    return evaluate_homes(terms(params), own, total, o, u, per_home_axes)


def evaluate_homes(
    agreement: Mapping[str, Any],
    own: Mapping[str, Array],
    host_contribution: Any,
    o: Array,
    u: Array,
    per_home_axes: bool = False,
) -> dict[str, dict[str, Array]]:
    """The portfolio from terms already laid out, as ``portfolio_evaluate`` returns it.

    ``agreement``: the agreement's terms (``engine.core.model.terms``, any of them arrays that
    broadcast with the axes, as a sweep's moving terms do); ``own``: each home's
    ``HOME_PARAMETERS``, ``host_contribution`` (its part of K) and ``occupancy`` (NaN = the
    axes'), the home as the first axis; ``host_contribution``: the portfolio's K. Kept apart
    from ``portfolio_evaluate`` so a sweep can move the agreement's terms without a
    ``Parameters`` per setting.
    """
    home_terms = {**agreement, **{name: own[name] for name in (*HOME_PARAMETERS, "host_contribution")}}
    occupancy = own["occupancy"]
    per_home = compute(home_terms, np.where(np.isnan(occupancy), o, occupancy), u)

    sums = {name: np.sum(per_home[name], axis=0) for name in ADDITIVE}
    sums["host_contribution"] = host_contribution
    if per_home_axes:
        local_use_grid = portfolio_local_use(per_home, own["places"], u)
    else:  # u applies to every home, so Σ L / Σ (L + X) is u: use it as it is
        local_use_grid = u + 0.0 * sums["local_places"]
    pooled = dict(sums)
    pooled.update(
        share_surplus(agreement, sums["surplus_before_sharing"], sums["provider_cost"], local_use_grid)
    )
    separate = {**sums, "share_rate": pooled["share_rate"]}
    result = {"homes": per_home}
    for basis, values in (("per_home", separate), ("pooled", pooled)):
        values.update(provider_results(values))
        values.update(host_results(values))
        result[basis] = {name: values[name] for name in MEASURE_NAMES}
    with np.errstate(invalid="ignore"):  # a ratio that is ±inf both ways (revenue of pennies) differs by NaN
        result["difference"] = {name: pooled[name] - separate[name] for name in MEASURE_NAMES}
    return result


def portfolio_local_use(per_home: Mapping[str, Array], places: Array, local_use: Array) -> Array:
    """The portfolio's local use: Σ local places / Σ occupied places over the homes.

    Where no place is occupied anywhere (the ratio is 0/0) it is the places-weighted mean
    of the homes' local use.
    """
    local = np.sum(per_home["local_places"], axis=0)
    occupied = local + np.sum(per_home["outside_places"], axis=0)
    fallback = np.sum(places * local_use, axis=0) / np.sum(places)
    some = occupied > 0
    return np.where(some, local / np.where(some, occupied, 1.0), fallback)


@dataclass(frozen=True)
class PortfolioResult:
    """Every measure for each home and for the portfolio on an occupancy × local-use grid.

    ``values["homes"][name]`` has shape (homes, len(occupancy), len(local_use));
    ``values["per_home"|"pooled"|"difference"][name]`` shape (len(occupancy), len(local_use)).
    """

    params: Parameters
    homes: pd.DataFrame  # home_table(...)
    occupancy: np.ndarray
    local_use: np.ndarray
    values: dict[str, dict[str, np.ndarray]] = dataclasses.field(repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.homes["home"])

    def table(self, name: str, home: str | None = None, sharing: str = "pooled") -> pd.DataFrame:
        """One measure as a grid (rows occupancy, columns local use, like ``GridResult.table``):
        one home's (its own deal, sharing per home), or the portfolio's with ``home=None`` and
        ``sharing`` "per_home", "pooled" or "difference" (pooled − per home)."""
        if name not in MEASURE_NAMES:
            raise ParameterError([("measure", f"measure = {name!r} is not a measure")])
        if home is not None:
            grid = self.values["homes"][name][self._index(home)]
        elif sharing in SHARING_BASES:
            grid = self.values[sharing][name]
        else:
            message = f"sharing = {sharing!r} must be one of {', '.join(SHARING_BASES)}"
            raise ParameterError([("sharing", message)])
        return pd.DataFrame(
            grid,
            index=pd.Index(self.occupancy, name="occupancy"),
            columns=pd.Index(self.local_use, name="local_use"),
        )

    def to_frame(self) -> pd.DataFrame:
        """Tidy long table: columns level, home, sharing, occupancy, local_use, every measure.

        Rows: each home (level "home", sharing "per_home"), then the portfolio (level
        "portfolio", home empty) per home, pooled and their difference, at every grid point.
        """
        o, u = np.meshgrid(self.occupancy, self.local_use, indexing="ij")
        blocks = []
        for index, home in enumerate(self.names):
            values = {name: self.values["homes"][name][index] for name in MEASURE_NAMES}
            blocks.append(_block("home", home, "per_home", o, u, values))
        for basis in SHARING_BASES:
            blocks.append(_block("portfolio", "", basis, o, u, self.values[basis]))
        return pd.concat(blocks, ignore_index=True)

    def _index(self, home: str) -> int:
        wanted = str(home).strip().casefold()
        for index, name in enumerate(self.names):
            if name.casefold() == wanted:
                return index
        raise ParameterError([("home", f"home = {home!r} is not in the portfolio ({', '.join(self.names)})")])


def _block(
    level: str, home: str, sharing: str, o: np.ndarray, u: np.ndarray, values: Mapping[str, Any]
) -> pd.DataFrame:
    columns: dict[str, Any] = {"level": level, "home": home, "sharing": sharing}
    columns.update({"occupancy": o.ravel(), "local_use": u.ravel()})
    columns.update({name: np.broadcast_to(values[name], o.shape).ravel() for name in MEASURE_NAMES})
    return pd.DataFrame(columns)


def portfolio_grid(
    params: Parameters,
    homes: Any,
    occupancy: npt.ArrayLike | None = None,
    local_use: npt.ArrayLike | None = None,
) -> PortfolioResult:
    """Every measure for each home and the portfolio at every occupancy and local use (default 21 × 21)."""
    o = default_axis() if occupancy is None else as_axis(occupancy)
    u = default_axis() if local_use is None else as_axis(local_use)
    o, u = check_axes(o, u)
    table = home_table(homes, params)
    return PortfolioResult(params, table, o, u, _evaluate(params, table, o[:, None], u[None, :]))


def portfolio_point(params: Parameters, homes: Any, occupancy: float, local_use: float) -> pd.DataFrame:
    """Every measure at one (occupancy, local_use): one row per home, then the portfolio.

    Columns: level ("home" or "portfolio"), home (empty for the portfolio), sharing
    ("per_home" for homes; "per_home", "pooled", "difference" for the portfolio), then every
    measure of docs/model.md. A home with its own occupancy is evaluated at it.
    """
    table = home_table(homes, params)
    values = _evaluate(params, table, *check_axes(occupancy, local_use))
    names = tuple(table["home"])
    rows = [
        {"level": "home", "home": home, "sharing": "per_home"}
        | {name: float(values["homes"][name][index]) for name in MEASURE_NAMES}
        for index, home in enumerate(names)
    ]
    rows += [
        {"level": "portfolio", "home": "", "sharing": basis}
        | {name: float(values[basis][name]) for name in MEASURE_NAMES}
        for basis in SHARING_BASES
    ]
    return pd.DataFrame(rows)
