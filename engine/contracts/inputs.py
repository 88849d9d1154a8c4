"""The terms of the contracts the partnership is compared with: one table, one frozen dataclass.

``CONTRACT_TERMS`` is the single source of truth for the block and open-book terms (names,
labels, units, defaults, ranges), as ``PARAMETERS`` is for docs/model.md, so the Compare sheet,
the command line and the docs describe them the same way. The spot and partnership
contracts need no terms beyond ``Parameters``. Block places must also fit in the home
(``block_places ≤ places``), a rule that needs ``Parameters`` and is checked by
``fit_problems`` wherever both are at hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.core.cells import format_value
from engine.core.errors import ParameterError
from engine.core.fields import ParameterSpec, SpecFields, is_number
from engine.core.parameters import MONEY_MAX, Parameters

CONTRACT_TERMS: tuple[ParameterSpec, ...] = (
    ParameterSpec(
        "block_places",
        "B",
        "Block places",
        "places",
        3.0,
        minimum=0,
        element="Block",
        help="Places the host buys for the whole year under a block contract, used or not.",
        rule_text="0 ≤ B ≤ places",
    ),
    ParameterSpec(
        "block_fee",
        "b",
        "Block fee",
        "£/week",
        5_500.0,
        minimum=0,
        maximum=MONEY_MAX,
        element="Block",
        help="Fee per block place-week, paid whether or not the host fills the place.",
    ),
    ParameterSpec(
        "cost_plus_margin",
        "m",
        "Cost-plus margin",
        "share",
        0.08,
        minimum=0,
        maximum=1,
        element="Open-book cost-plus",
        help="Agreed return on the provider's full cost that the host pays on top of the cost.",
    ),
    ParameterSpec(
        "provider_outside_retention",
        "k",
        "Provider's retained share of outside income",
        "share",
        0.10,
        minimum=0,
        maximum=1,
        element="Open-book cost-plus",
        help="Share of outside fees the provider keeps; the rest is set against the host's bill.",
    ),
)


@dataclass(frozen=True)
class ContractTerms(SpecFields, specs=CONTRACT_TERMS, what="a contract term"):
    """Terms of the block and open-book contracts (the defaults are illustrative).

    Defaults (the ``CONTRACT_TERMS`` table's): the host blocks 3 places (as many as the
    partnership reserves) at £5,500 a week, between the local fee (£5,000) and the spot
    price (£6,500); open book pays cost + 8 % (the partnership's reasonable return) and
    lets the provider keep 10 % of outside fees as an incentive to sell empty places.
    Construction validates the ranges and raises one ``ParameterError`` naming every problem.
    """

    block_places: float
    block_fee: float
    cost_plus_margin: float
    provider_outside_retention: float

    if TYPE_CHECKING:  # the defaults come from the spec table when the class is made: mypy cannot see them

        def __init__(self, **values: Any) -> None: ...

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], params: Parameters | None = None) -> ContractTerms:
        """Build from plain values as a spreadsheet gives them ("£5,500", "8%", 3.0).

        Absent names take their default; unknown names, empty cells, booleans, NaN and
        infinities are problems. With ``params`` the block must also fit in the home.
        Every problem is raised together in one ``ParameterError``.
        """
        values, problems = cls._read(mapping)
        problems += cls._check(values)
        if params is not None:
            problems += fit_problems(params, values)
        return cls._build(values, problems)


def fit_problems(params: Parameters, values: Mapping[str, Any] | ContractTerms) -> list[tuple[str, str]]:
    """Rules joining the contract terms to the home: the block cannot exceed the places."""
    if isinstance(values, ContractTerms):
        values = values.to_mapping()
    block = values.get("block_places")
    if is_number(block) and block > params.places:
        message = f"block_places = {format_value(block)} exceeds places = {format_value(params.places)}"
        return [("block_places", message)]
    return []


def check_fit(params: Parameters, terms: ContractTerms) -> None:
    """Raise one ``ParameterError`` if ``terms`` do not fit the home of ``params``."""
    problems = fit_problems(params, terms)
    if problems:
        raise ParameterError(problems)
