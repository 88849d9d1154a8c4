"""Four contracts on the same grid: spot, block, open-book cost-plus and the partnership.

A finance officer judges the partnership against what the council buys today, and a
provider does the same from its side, so each contract is priced at every (occupancy,
local use) from the same ``Parameters``. Occupancy and local use mean what they mean in
docs/model.md: the home has o·N places filled, L = u·o·N of them by the host's children and
X = (1−u)·o·N by outside authorities' children, whatever the contract.

Every contract returns the same stable measures (``COMPARISON_MEASURES``), computed from
each side's own view of the money so that two identities check them:

    provider_surplus = host_payments + outside_income − provider_cost   (the money balances)
    host_net_cost    = host_payments + spot_premium                    (the host's bill)

``host_payments`` is the net money the host's placements bring this provider (fees, block
or cost-plus payments, less credits paid back); ``spot_premium`` is what the host pays the
spot market above this provider's outside fee p_X (agencies, dearer emergency homes). docs/model.md
prices the host's spot placements at s and the provider's at p_X, so the gap s − p_X per spot
week leaves the pair; it is negative if s < p_X.

The partnership and the spot baseline are engine.compute's own numbers (docs/model.md's
host_net_cost, provider_surplus, host_spot_cost, provider_spot_surplus), not re-typed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.contracts.inputs import ContractTerms, check_fit
from engine.core.errors import ParameterError
from engine.core.measures import Measure, measure
from engine.core.model import Array, check_axes, compute, safe_divide
from engine.core.model import terms as parameter_terms
from engine.core.parameters import Parameters

Flows = dict[str, Array]


def spot_formulas(base: Mapping[str, Array], p: Mapping[str, Any], k: Mapping[str, Any]) -> Flows:
    """Spot: no contract; the host buys every local week on the spot market (docs/model.md baseline).

        spot_weeks       = W·L                       every local placement-week is a spot purchase
        host_net_cost    = spot_weeks·s              (docs/model.md host_spot_cost)
        host_payments    = spot_weeks·p_X            this provider's fee for the host's children
        spot_premium     = spot_weeks·(s − p_X)      the rest of the spot price, paid to the market
        outside_income   = W·X·p_X
        provider_revenue = W·(L + X)·p_X
        provider_surplus = W·(L + X)·(p_X − v) − F   (docs/model.md provider_spot_surplus)

    The provider sells every placement at p_X, as docs/model.md's baseline says, so the host's
    spot price above p_X is not this provider's income. ``k`` (contract terms) is unused.
    """
    p_x, s = p["outside_fee"], p["spot_price"]
    spot_weeks = base["local_weeks"]
    flows = {
        "spot_weeks": spot_weeks,
        "host_net_cost": base["host_spot_cost"],
        "host_payments": spot_weeks * p_x,
        "spot_premium": spot_weeks * (s - p_x),
        "provider_revenue": (base["local_weeks"] + base["outside_weeks"]) * p_x,
        "provider_surplus": base["provider_spot_surplus"],
    }
    return _with_common(base, p, flows)


def block_formulas(base: Mapping[str, Array], p: Mapping[str, Any], k: Mapping[str, Any]) -> Flows:
    """Soft block: B places bought for the year at b a week, used or not; the rest on spot.

        L_block          = min(L, B)                      local places filling the block first
        L_spot           = L − L_block                    local places above the block, bought on spot
        X_rel            = max(X − (N − B), 0)             outside places sitting in unused block places
        block_payment    = W·B·b
        release_credit   = r·p_X·W·X_rel                  r = release_share, as in the partnership
        spot_weeks       = W·L_spot
        host_net_cost    = block_payment + spot_weeks·s − release_credit
        host_payments    = block_payment + spot_weeks·p_X − release_credit
        spot_premium     = spot_weeks·(s − p_X)
        outside_income   = W·X·p_X
        provider_revenue = block_payment + W·(L_spot + X)·p_X
        provider_surplus = provider_revenue − provider_cost − release_credit

    Outside children take the places outside the block first (a released block place costs
    the provider a credit), as docs/model.md's outside children take unreserved places first.
    docs/model.md's form max(X − (N − B − L_spot), 0) is the same number: when L_spot > 0 the
    block is full of local children and L + X ≤ N leaves X ≤ N − L < N − B.
    Spot weeks above the block are priced exactly as under spot, so B = 0 is spot.
    """
    n, w = p["places"], p["weeks_per_year"]
    p_x, s = p["outside_fee"], p["spot_price"]
    block = k["block_places"]
    local, outside = base["local_places"], base["outside_places"]
    block_used = np.minimum(local, block)
    spot_places = local - block_used
    released = np.maximum(outside - (n - block), 0.0)
    block_payment = w * block * k["block_fee"] + 0.0 * local
    release_credit = p["release_share"] * p_x * w * released
    spot_weeks = w * spot_places
    provider_revenue = block_payment + (spot_weeks + base["outside_weeks"]) * p_x
    flows = {
        "block_places_used": block_used,
        "spot_places": spot_places,
        "released_places": released,
        "released_weeks": w * released,
        "spot_weeks": spot_weeks,
        "block_payment": block_payment,
        "release_credit": release_credit,
        "host_net_cost": block_payment + spot_weeks * s - release_credit,
        "host_payments": block_payment + spot_weeks * p_x - release_credit,
        "spot_premium": spot_weeks * (s - p_x),
        "provider_revenue": provider_revenue,
        "provider_surplus": provider_revenue - base["provider_cost"] - release_credit,
    }
    return _with_common(base, p, flows)


def open_book_formulas(base: Mapping[str, Array], p: Mapping[str, Any], k: Mapping[str, Any]) -> Flows:
    """Open-book cost-plus: the host pays full cost plus m, less outside fees it does not leave.

        outside_income   = W·X·p_X
        cost_plus_fee    = provider_cost·(1 + m)
        outside_offset   = (1 − k)·outside_income          set against the host's bill
        retained_outside_income = k·outside_income
        host_net_cost    = cost_plus_fee − outside_offset   (negative: the host is paid)
        host_payments    = host_net_cost;  spot_premium = 0 (every local child is in the home)
        provider_revenue = cost_plus_fee + outside_income
        provider_surplus = m·provider_cost + k·outside_income

    So the provider's surplus is m × cost whatever the occupancy exactly when k = 0 (or
    there is no outside income); a retained share k adds k·outside income on top. The
    host carries all the occupancy risk: empty places are paid for at cost plus m.
    """
    margin, keep = k["cost_plus_margin"], k["provider_outside_retention"]
    cost = base["provider_cost"]
    outside_income = base["outside_weeks"] * p["outside_fee"]
    cost_plus_fee = cost * (1 + margin)
    outside_offset = (1 - keep) * outside_income
    host_net_cost = cost_plus_fee - outside_offset
    flows = {
        "cost_plus_fee": cost_plus_fee,
        "outside_offset": outside_offset,
        "retained_outside_income": keep * outside_income,
        "spot_weeks": 0.0 * cost,
        "host_net_cost": host_net_cost,
        "host_payments": host_net_cost,
        "spot_premium": 0.0 * cost,
        "provider_revenue": cost_plus_fee + outside_income,
        "provider_surplus": margin * cost + keep * outside_income,
    }
    return _with_common(base, p, flows)


def partnership_formulas(base: Mapping[str, Array], p: Mapping[str, Any], k: Mapping[str, Any]) -> Flows:
    """The partnership of docs/model.md: every measure of engine.compute, unchanged.

        host_payments = host_net_cost (docs/model.md);  spot_premium = 0
        outside_income = W·X·p_X
    and host_net_cost, provider_revenue, provider_surplus, provider_margin as docs/model.md.
    ``k`` (contract terms) is unused.
    """
    flows = {
        **base,
        "spot_weeks": 0.0 * base["host_net_cost"],
        "host_payments": base["host_net_cost"],
        "spot_premium": 0.0 * base["host_net_cost"],
    }
    return _with_common(base, p, flows)


def _with_common(base: Mapping[str, Array], p: Mapping[str, Any], flows: Flows) -> Flows:
    """Add the measures every contract derives the same way from its own flows."""
    host_net_cost, provider_surplus = flows["host_net_cost"], flows["provider_surplus"]
    common = {
        "local_weeks": base["local_weeks"],
        "outside_weeks": base["outside_weeks"],
        "provider_cost": base["provider_cost"],
        "outside_income": base["outside_weeks"] * p["outside_fee"],
        "host_cost_per_local_week": safe_divide(host_net_cost, base["local_weeks"]),
        "host_spot_cost": base["host_spot_cost"],
        "host_saving": base["host_spot_cost"] - host_net_cost,
        "provider_margin": safe_divide(provider_surplus, flows["provider_revenue"]),
        "provider_spot_surplus": base["provider_spot_surplus"],
        "provider_gain": provider_surplus - base["provider_spot_surplus"],
    }
    return {**flows, **common}


@dataclass(frozen=True)
class Contract:
    """One contract type: its name in tables, a label for people, its formulas."""

    name: str
    label: str
    description: str
    formulas: Callable[[Mapping[str, Array], Mapping[str, Any], Mapping[str, Any]], Flows]


# Order matters: it is the order of every table and the tie-break (earlier wins a tie).
CONTRACTS: tuple[Contract, ...] = (
    Contract("spot", "Spot", "Every local placement bought on the spot market; no contract.", spot_formulas),
    Contract(
        "block",
        "Block (soft block)",
        "Block places bought for the year, used or not; local use above them on spot.",
        block_formulas,
    ),
    Contract(
        "open_book",
        "Open-book cost-plus",
        "Host pays full cost plus an agreed margin, less outside income.",
        open_book_formulas,
    ),
    Contract("partnership", "Partnership", "The partnership of docs/model.md.", partnership_formulas),
)
CONTRACT_NAMES: tuple[str, ...] = tuple(c.name for c in CONTRACTS)
CONTRACTS_BY_NAME: dict[str, Contract] = {c.name: c for c in CONTRACTS}


def _comparison_measure(name: str, description: str) -> Measure:
    """A measure of the registry (label, unit, party, better reused), described for any contract."""
    return dataclasses.replace(measure(name), description=description)


# The stable columns every contract has, key measures first (the Compare sheet's order).
COMPARISON: tuple[Measure, ...] = (
    _comparison_measure("host_net_cost", "everything the host pays for its local placements, less credits"),
    _comparison_measure("host_cost_per_local_week", "host net cost / local placement-weeks"),
    _comparison_measure("host_saving", "host spot cost − host net cost"),
    _comparison_measure("provider_surplus", "host payments + outside income − provider cost"),
    _comparison_measure("provider_margin", "provider surplus / provider revenue"),
    _comparison_measure("provider_gain", "provider surplus − provider spot surplus"),
    Measure(
        "host_payments",
        "Host payments to the provider",
        "£/year",
        "host",
        "",
        "net money the host's placements bring the provider, after credits paid back",
    ),
    Measure(
        "spot_premium",
        "Spot premium paid to the market",
        "£/year",
        "host",
        "lower",
        "spot-bought local weeks × (spot price − outside fee)",
    ),
    Measure(
        "outside_income",
        "Outside fee income",
        "£/year",
        "provider",
        "higher",
        "outside placement-weeks × outside fee",
    ),
    _comparison_measure("provider_revenue", "provider income before credits paid back to the host"),
    _comparison_measure("provider_cost", "F + W·(L + X)·v"),
    _comparison_measure("host_spot_cost", "local placement-weeks × spot price"),
    _comparison_measure("provider_spot_surplus", "W·(L + X)·(p_X − v) − F"),
    _comparison_measure("local_weeks", "W·L"),
    _comparison_measure("outside_weeks", "W·X"),
)
COMPARISON_MEASURES: tuple[str, ...] = tuple(m.name for m in COMPARISON)


def contract_names(contracts: Iterable[str] | None) -> tuple[str, ...]:
    """The requested contracts in registry order, or a ``ParameterError`` naming unknown ones."""
    if contracts is None:
        return CONTRACT_NAMES
    if isinstance(contracts, str):
        contracts = [contracts]
    wanted = list(contracts)
    unknown = [name for name in wanted if name not in CONTRACTS_BY_NAME]
    if unknown:
        choices = ", ".join(CONTRACT_NAMES)
        raise ParameterError(
            [
                ("contract", f"contract = {name!r} is not a contract; choose one of {choices}")
                for name in unknown
            ]
        )
    return tuple(name for name in CONTRACT_NAMES if name in wanted)


def compute_contracts(
    model_terms: Mapping[str, Any],
    contract_terms: Mapping[str, Any],
    occupancy: Array,
    local_use: Array,
    contracts: Iterable[str] | None = None,
) -> dict[str, Flows]:
    """Every contract's flows by name; the formulas alone, no validation (like engine.compute).

    Terms may be arrays that broadcast against the axes (a sweep of block fees, say).
    engine.compute runs once and every contract builds on its output.
    """
    base = compute(model_terms, occupancy, local_use)
    return {
        name: CONTRACTS_BY_NAME[name].formulas(base, model_terms, contract_terms)
        for name in contract_names(contracts)
    }


def evaluate_contracts(
    params: Parameters,
    terms: ContractTerms | Mapping[str, Any] | None,
    occupancy: npt.ArrayLike,
    local_use: npt.ArrayLike,
    contracts: Iterable[str] | None = None,
) -> dict[str, Flows]:
    """Every contract at the given points, broadcasting the axes like engine.evaluate.

    ``terms`` may be ``ContractTerms``, spreadsheet-style values, or None for the defaults.
    Raises one ``ParameterError`` for bad axes, terms that do not fit the home, or unknown
    contract names.
    """
    contract_terms, (o, u), names = _all_problems_at_once(
        lambda: as_contract_terms(params, terms),
        lambda: check_axes(occupancy, local_use),
        lambda: contract_names(contracts),
    )
    return compute_contracts(parameter_terms(params), contract_terms.to_mapping(), o, u, names)


def _all_problems_at_once(*checks: Callable[[], Any]) -> list[Any]:
    """Run every check; one ``ParameterError`` with all their problems, else their results."""
    results, problems = [], []
    for check in checks:
        try:
            results.append(check())
        except ParameterError as error:
            problems += error.problems
    if problems:
        raise ParameterError(problems)
    return results


def evaluate_contract(
    name: str,
    params: Parameters,
    terms: ContractTerms | Mapping[str, Any] | None,
    occupancy: npt.ArrayLike,
    local_use: npt.ArrayLike,
) -> Flows:
    """One contract's flows at the given points (see ``evaluate_contracts``)."""
    return evaluate_contracts(params, terms, occupancy, local_use, [name])[name]


def as_contract_terms(params: Parameters, terms: ContractTerms | Mapping[str, Any] | None) -> ContractTerms:
    """Validated terms that fit the home: defaults for None, parsed for a mapping."""
    if terms is None:
        terms = ContractTerms()
    elif not isinstance(terms, ContractTerms):
        return ContractTerms.from_mapping(terms, params)
    check_fit(params, terms)
    return terms
