"""Every council of a region and every home of a portfolio judged over a sweep of terms × years.

``engine.negotiation.zone.assess_terms`` judges the Agreement sheet's rules for the one home
and host of the Inputs sheet. A region or a portfolio asks the same question of each member:
does this council (this home) accept at these terms? ``assess_members`` answers it for
every member and for the members combined, over the same outcomes (the Agreement sheet's
years) at every setting of the moving terms, with the columns of ``assess_terms`` plus
``member`` and ``level``.

What a verdict means for a member:

- **a council** (level "council"): the provider is the partnership's provider (one provider,
  one home), so the provider's rules are judged on the partnership's figures, the same for
  every council. The host's rules are judged on the council's own part
  (``engine.members.region.allocate``): its net cost, cost per local week and saving against
  its own spot price; a host rule on a measure a council has no part of (e.g. local use) reads
  the partnership's. The council's gain is its own expected saving.
- **the region** (level "region", member "Region total"): the host's rules on the sum of the
  councils' parts (``region_total``: the partnership's host figures, except that the spot cost
  and saving use each council's own spot price).
- **a home** (level "home"): the home as its own partnership with the host (its places, costs
  and fees; its part of the host contribution by places; its own profit share and deficit
  cover), both parties' rules on its figures.
- **the portfolio** (level "portfolio"): both parties' rules on the homes' sums, with the
  sharing clause applied per home ("Portfolio, sharing per home") and once to the pooled
  surplus ("Portfolio, pooled sharing"), as the Portfolio sheet shows both.

Every home is judged over the same simulated years (the Agreement sheet's draws, each year's
occupancy and local use applying to every home alike, as on the Portfolio sheet's grid); a
home with its own occupancy keeps it. A moving term that a home has its own value of (its
local fee, say) moves only the homes whose cell is empty, which take the partnership's value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from engine.core.errors import ParameterError
from engine.core.model import compute, terms
from engine.core.outcomes import Outcomes, outcome_terms
from engine.core.parameters import Parameters
from engine.members.portfolio import HOME_PARAMETERS, evaluate_homes, parse_homes, read_homes
from engine.members.region import (
    COUNCIL_MEASURES,
    RegionRules,
    allocate,
    allocation_keys,
    region_total,
)
from engine.negotiation.levers import DEFAULT_CHUNK_CELLS, check_values, set_levers
from engine.negotiation.rules import Rule, judge, needed_figures, parse_rules, statistic_key
from engine.negotiation.zone import CATEGORIES, PARTY_FIGURES, negotiation_outcomes
from engine.risk.measure_stats import summarise, worst_tail

REGION_TOTAL = "Region total"
PER_HOME = "Portfolio, sharing per home"
POOLED = "Portfolio, pooled sharing"
MEMBER_KINDS = ("region", "portfolio")

Figures = dict[str, np.ndarray]


@dataclass(frozen=True, eq=False)
class Members:
    """The members a sweep judges one by one: a region's councils or a portfolio's homes.

    ``table``: ``allocation_keys`` of the councils (spot price NaN where the cell was empty,
    so a swept spot price reaches those councils) or ``read_homes`` of the homes (NaN where a
    cell was empty: the partnership's value, swept or not).
    """

    kind: str
    table: pd.DataFrame

    @property
    def individual(self) -> tuple[str, ...]:
        """The councils' or homes' names, in table order."""
        return tuple(str(name) for name in self.table["council" if self.kind == "region" else "home"])

    @property
    def combined(self) -> tuple[str, ...]:
        """The rows for the members together: the region, or the portfolio under each sharing basis."""
        return (REGION_TOTAL,) if self.kind == "region" else (PER_HOME, POOLED)

    @property
    def names(self) -> tuple[str, ...]:
        """Every row of one setting, in the order the table gives them."""
        return (*self.individual, *self.combined)

    @property
    def levels(self) -> tuple[str, ...]:
        single, together = ("council", "region") if self.kind == "region" else ("home", "portfolio")
        return (single,) * len(self.individual) + (together,) * len(self.combined)

    @property
    def weight(self) -> int:
        """Arrays of the outcomes' size per setting (one for a single home): the memory a setting takes."""
        return len(self.individual) + 2


def region_members(councils: Any, rules: RegionRules | None = None) -> Members:
    """The councils of a region as sweep members (validated as ``read_councils``)."""
    return Members("region", allocation_keys(councils, rules))


def portfolio_members(homes: Any, params: Parameters) -> Members:
    """The homes of a portfolio as sweep members (validated as ``read_homes``)."""
    return Members("portfolio", read_homes(homes, params))


def check_members(params: Parameters, members: Members, assignments: Mapping[str, Any]) -> None:
    """One ParameterError if a moving term breaks a home's rule at an end of its range.

    A home whose places (or reserved places) cell is empty takes the swept value, so its
    reserved places must still fit in its places at both ends.
    """
    if members.kind != "portfolio":
        return
    problems = []
    for name in ("places", "reserved_places"):
        if name not in assignments:
            continue
        values = np.asarray(assignments[name], dtype=float)
        for value in sorted({float(values.min()), float(values.max())}):
            places = int(value) if name == "places" else params.places
            reserved = int(value) if name == "reserved_places" else params.reserved_places
            moved = dataclasses.replace(params, places=places, reserved_places=reserved)
            problems += [
                problem for problem in parse_homes(members.table, moved)[1] if problem not in problems
            ]
    if problems:
        raise ParameterError(problems)


def assess_members(
    params: Parameters,
    rules: Any,
    assignments: Mapping[str, Any],
    members: Members,
    outcomes: Outcomes | None = None,
    chunk_cells: int = DEFAULT_CHUNK_CELLS,
) -> pd.DataFrame:
    """The zone's table for every member at every setting of ``assignments`` (term → values).

    Rows: for each setting (in order), one row per ``members.names``. Columns: ``member``,
    ``level``, then those of ``assess_terms``. Memory is bounded by ``chunk_cells`` cells
    (settings × outcomes × members) per evaluation of the model.
    """
    rules = parse_rules(rules)
    check_values(params, assignments)
    check_members(params, members, assignments)
    outcomes = negotiation_outcomes(outcomes)
    arrays = {name: np.ravel(np.asarray(value, dtype=float)) for name, value in assignments.items()}
    count = len(next(iter(arrays.values())))
    per_call = max(1, chunk_cells // max(outcomes.size * members.weight, 1))
    keys = tuple(dict.fromkeys((*PARTY_FIGURES, *needed_figures(rules))))
    evaluate = _region if members.kind == "region" else _portfolio
    pieces: list[list[tuple[Figures, Figures]]] = []
    for start in range(0, count, per_call):
        chunk = {name: array[start : start + per_call, None] for name, array in arrays.items()}
        pieces.append(evaluate(params, members, chunk, outcomes, keys))
    frames = []
    for position, (name, level) in enumerate(zip(members.names, members.levels, strict=True)):
        provider = {
            key: np.concatenate([piece[position][0][key] for piece in pieces])
            for key in pieces[0][position][0]
        }
        host = {
            key: np.concatenate([piece[position][1][key] for piece in pieces])
            for key in pieces[0][position][1]
        }
        frame = _rows(rules, arrays, provider, host)
        frame.insert(0, "level", level)
        frame.insert(0, "member", name)
        frame.insert(0, "_setting", np.arange(count))
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True).sort_values("_setting", kind="stable")
    return table.drop(columns="_setting").reset_index(drop=True)


def _reduce(values: Mapping[str, Any], keys: tuple[tuple[str, str], ...], weights: Any) -> Figures:
    """Each (statistic, measure) of ``keys`` that ``values`` holds, over the last axis (the outcomes)."""
    return {
        statistic_key(statistic, name): np.asarray(
            summarise(values[name], weights, statistic, worst_tail(name))
        )
        for statistic, name in keys
        if name in values
    }


def _region(
    params: Parameters,
    members: Members,
    chunk: Mapping[str, np.ndarray],
    outcomes: Outcomes,
    keys: tuple[tuple[str, str], ...],
) -> list[tuple[Figures, Figures]]:
    """(provider's figures, host's figures) of each council and the region at these settings."""
    moved = outcome_terms(set_levers(terms(params), params, chunk), outcomes)
    totals = compute(moved, outcomes.occupancy, outcomes.local_use)
    councils = allocate(totals, moved["host_contribution"], members.table, moved["spot_price"])
    weights = outcomes.weights
    settings = len(next(iter(chunk.values())))
    partnership = {key: np.broadcast_to(v, (settings,)) for key, v in _reduce(totals, keys, weights).items()}
    own_keys = tuple(key for key in keys if key[1] in COUNCIL_MEASURES)
    each = _reduce(councils, own_keys, weights)
    shape = (len(members.individual), settings)
    result = [
        (partnership, {**partnership, **{key: np.broadcast_to(v, shape)[i] for key, v in each.items()}})
        for i in range(len(members.individual))
    ]
    region = _reduce(region_total(councils), own_keys, weights)
    result.append(
        (partnership, {**partnership, **{k: np.broadcast_to(v, (settings,)) for k, v in region.items()}})
    )
    return result


def _portfolio(
    params: Parameters,
    members: Members,
    chunk: Mapping[str, np.ndarray],
    outcomes: Outcomes,
    keys: tuple[tuple[str, str], ...],
) -> list[tuple[Figures, Figures]]:
    """(figures, figures) of each home and of the portfolio under each sharing basis at these settings."""
    moved = set_levers(terms(params), params, chunk)
    table = members.table
    homes = len(table)

    def lead(column: str) -> np.ndarray:
        return np.reshape(table[column].to_numpy(float), (homes, 1, 1))

    own: dict[str, Any] = {}
    for name in HOME_PARAMETERS:  # an empty cell takes the partnership's value, swept or not
        cell = lead(name)
        own[name] = np.where(np.isnan(cell), moved[name], cell)
    if outcomes.fixed_cost_factor is not None:
        own["fixed_cost"] = own["fixed_cost"] * outcomes.fixed_cost_factor
    places = np.broadcast_to(own["places"], np.broadcast_shapes(np.shape(own["places"]), (homes, 1, 1)))
    own["host_contribution"] = moved["host_contribution"] * (places / np.sum(places, axis=0))
    own["occupancy"] = lead("occupancy")
    values = evaluate_homes(moved, own, moved["host_contribution"], outcomes.occupancy, outcomes.local_use)
    weights = outcomes.weights
    settings = len(next(iter(chunk.values())))
    each = _reduce(values["homes"], keys, weights)
    result = []
    for i in range(homes):
        figures = {key: np.broadcast_to(v, (homes, settings))[i] for key, v in each.items()}
        result.append((figures, figures))
    for basis in ("per_home", "pooled"):
        figures = {
            key: np.broadcast_to(v, (settings,)) for key, v in _reduce(values[basis], keys, weights).items()
        }
        result.append((figures, figures))
    return result


def _rows(
    rules: tuple[Rule, ...], assignments: Mapping[str, np.ndarray], provider: Figures, host: Figures
) -> pd.DataFrame:
    """The columns of ``assess_terms`` for one member: the provider's rules judged on ``provider``,
    the host's on ``host`` (which holds every figure shown)."""
    by_provider, by_host = judge(rules, provider), judge(rules, host)
    held = {
        f"rule_{i}": (by_provider if rule.party == "provider" else by_host)[f"rule_{i}"]
        for i, rule in enumerate(rules, start=1)
    }
    accepts_provider, accepts_host = by_provider["provider_accepts"], by_host["host_accepts"]
    code = 2 * accepts_provider.astype(int) + accepts_host.astype(int)
    provider_gain = host[statistic_key("mean", "provider_gain")]
    host_gain = host[statistic_key("mean", "host_saving")]
    both_gain = (provider_gain > 0) & (host_gain > 0)
    columns: dict[str, Any] = dict(assignments)
    columns.update(
        {
            "category": np.asarray(CATEGORIES, dtype=object)[code],
            "code": code,
            "provider_accepts": accepts_provider,
            "host_accepts": accepts_host,
            "provider_gain": provider_gain,
            "host_gain": host_gain,
            "total_gain": provider_gain + host_gain,
            "nash_product": np.where(both_gain, provider_gain * host_gain, np.nan),
        }
    )
    columns.update(host)
    columns.update(held)
    return pd.DataFrame(columns)
