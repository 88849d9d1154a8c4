"""A region: several councils hosting one partnership together, each seeing its own part.

The partnership is unchanged (docs/model.md, with the region as the host): the provider's
figures and the host totals are those of ``engine.evaluate``. This module divides the host
side among the member councils:

- fees by use share: council i's local placement-weeks are ``use_share_i · local_weeks``,
  paid at the local fee, so ``host_fees_i = use_share_i · host_fees``;
- the host contribution by contribution share (or by use share with
  ``contribution_split = "use"``, "split by use"): ``host_contribution_i = contribution_share_i · K``;
- compensation and release credit ("credits") by the credit key, profit share and deficit
  cover by the profit key, each key chosen by a rule (``RegionRules``):

  ``"contribution"``: key_i = contribution_share_i (you receive in proportion to what you put in);
  ``"use"``: key_i = use_share_i (you receive in proportion to the places you use);
  ``"mix"``: key_i = m·contribution_share_i + (1 − m)·use_share_i, m the rule's mix weight.

Then each council's net cost, cost per local week and saving follow from the same
formulas as the host's (``engine.core.model.host_results``), the saving against the council's
own spot price. Because every key sums to 1, the councils' local_weeks, host_fees,
host_contribution, compensation, release_credit, profit_share, deficit_cover and
host_net_cost add up to the host totals of docs/model.md (to floating rounding), and their cost
per local week, recomputed from the sums, is the host's. Their host_spot_cost and
host_saving add up to the host's only when every council's spot price is the
partnership's: in general they sum to the spot cost at the use-weighted spot price.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.core.cells import Coerced, format_value
from engine.core.errors import ParameterError
from engine.core.fields import ParameterSpec, SpecFields, range_problem
from engine.core.grid import default_axis
from engine.core.model import Array, as_axis, evaluate, host_results
from engine.core.parameters import SPECS, Parameters
from engine.members.table import MemberTable, Problems, heading_key, read_members

SHARE_TOLERANCE = 1e-9  # shares must add up to 1 within this

COUNCIL_COLUMNS: tuple[ParameterSpec, ...] = (
    ParameterSpec(
        "contribution_share",
        "k_i",
        "Share of the host contribution",
        "share",
        None,
        minimum=0,
        maximum=1,
        help="The council's part of the host contribution K; the councils' shares add up to 1.",
    ),
    ParameterSpec(
        "use_share",
        "u_i",
        "Share of local use",
        "share",
        None,
        minimum=0,
        maximum=1,
        help="The council's part of the local placements; the councils' shares add up to 1.",
    ),
    dataclasses.replace(
        SPECS["spot_price"],
        label="Own spot price",
        default=None,
        help="What this council pays per week on the spot market; empty = the partnership's spot price.",
    ),
)

COUNCIL_TABLE = MemberTable(
    "councils", "council", COUNCIL_COLUMNS, required=("contribution_share", "use_share")
)

# Per-council measures, named as the host measures of docs/model.md they divide.
COUNCIL_MEASURES: tuple[str, ...] = (
    "local_weeks",
    "host_fees",
    "host_contribution",
    "compensation",
    "release_credit",
    "profit_share",
    "deficit_cover",
    "host_net_cost",
    "host_cost_per_local_week",
    "host_spot_cost",
    "host_saving",
)
CREDITS = ("compensation", "release_credit")  # divided by the credit key
SHARING = ("profit_share", "deficit_cover")  # divided by the profit key

ALLOCATION_RULES: dict[str, str] = {
    "contribution": "in proportion to each council's share of the host contribution",
    "use": "in proportion to each council's share of local use",
    "mix": "by a mix: weight m on the contribution share and 1 − m on the use share",
}
CONTRIBUTION_SPLITS: dict[str, str] = {
    "entered": "as entered in the councils table (its contribution share column)",
    "use": "split by use: each council's contribution share is its use share",
}

REGION_RULES: tuple[ParameterSpec, ...] = (
    ParameterSpec(
        "contribution_split",
        "",
        "Host contribution split",
        "",
        "entered",
        help="How the councils divide the host contribution.",
        rule_text="entered or use",
    ),
    ParameterSpec(
        "credit_rule",
        "",
        "Credits shared",
        "",
        "contribution",
        help="How compensation and release credits are divided: the capacity others use is the "
        "capacity the contribution pays for, so by contribution by default.",
        rule_text="contribution, use or mix",
    ),
    ParameterSpec(
        "credit_mix",
        "m_c",
        "Credit mix: weight on contribution",
        "share",
        0.5,
        minimum=0,
        maximum=1,
        help="When credits are shared by a mix: the weight on the contribution share (the rest on the use "
        "share).",
    ),
    ParameterSpec(
        "profit_rule",
        "",
        "Profit share and deficit cover shared",
        "",
        "use",
        help="How profit share and deficit cover are divided: the share escalates with local use, so "
        "by use by default; deficit cover is the other side of the same clause and follows it.",
        rule_text="contribution, use or mix",
    ),
    ParameterSpec(
        "profit_mix",
        "m_p",
        "Profit mix: weight on contribution",
        "share",
        0.5,
        minimum=0,
        maximum=1,
        help="When profit share and deficit cover are shared by a mix: the weight on the contribution share "
        "(the rest on the use share).",
    ),
)
REGION_RULES_BY_NAME: dict[str, ParameterSpec] = {spec.name: spec for spec in REGION_RULES}
_CHOICES = {
    "contribution_split": CONTRIBUTION_SPLITS,
    "credit_rule": ALLOCATION_RULES,
    "profit_rule": ALLOCATION_RULES,
}


def _choice_parser(name: str) -> Callable[[Any], Coerced]:
    """Read a choice as people type it: "By use", "split by use", "Contribution share", "MIX"."""

    def parse(raw: Any) -> Coerced:
        words = heading_key(raw).split("_") if isinstance(raw, str) else []
        while len(words) > 1 and words[0] in ("by", "split", "as"):
            words = words[1:]
        if len(words) > 1 and words[-1] in ("share", "shares"):
            words = words[:-1]
        choice = "_".join(words)
        if choice in _CHOICES[name]:
            return Coerced(choice)
        return Coerced(None, f"{name} = {format_value(raw)} must be {REGION_RULES_BY_NAME[name].rule}")

    return parse


_CHOICE_PARSERS = {name: _choice_parser(name) for name in _CHOICES}


def rule_problems(values: Mapping[str, Any]) -> Problems:
    """Choices must be among the listed ones, mix weights within [0, 1]."""
    problems = []
    for spec in REGION_RULES:
        if spec.name not in values:
            continue
        value = values[spec.name]
        if spec.name in _CHOICES:
            if value not in _CHOICES[spec.name]:
                problems.append((spec.name, f"{spec.name} = {format_value(value)} must be {spec.rule}"))
        else:
            message = range_problem(spec, value)
            if message:
                problems.append((spec.name, message))
    return problems


@dataclass(frozen=True)
class RegionRules(
    SpecFields, specs=REGION_RULES, what="a region rule", rules=rule_problems, parsers=_CHOICE_PARSERS
):
    """How the councils of a region divide the host contribution, the credits and the profit share.

    Defaults (the ``REGION_RULES`` table's): contribution as entered; credits (compensation,
    release credit) by contribution share, because outside use takes up capacity the
    contribution paid for; profit share and deficit cover by use share, because the share
    escalates with local use and rewards the councils that place locally. Construction
    validates; ``from_mapping`` reads spreadsheet values ("By use", "Mix", "30%").
    """

    contribution_split: str
    credit_rule: str
    credit_mix: float
    profit_rule: str
    profit_mix: float

    if TYPE_CHECKING:  # the defaults come from the spec table when the class is made: mypy cannot see them

        def __init__(self, **values: Any) -> None: ...

    @property
    def split_by_use(self) -> bool:
        return self.contribution_split == "use"


def explain_rules(rules: RegionRules) -> list[str]:
    """The rules in words, for the Region sheet and reports."""

    def rule(name: str, mix: float) -> str:
        text = ALLOCATION_RULES[name]
        if name == "mix":
            text += f" (m = {mix:.0%}: {mix:.0%} by contribution, {1 - mix:.0%} by use)"
        return text

    return [
        f"Host contribution: {CONTRIBUTION_SPLITS[rules.contribution_split]}.",
        "Fees: each council pays for its own local placements (its use share of local placement-weeks).",
        f"Compensation and release credits: {rule(rules.credit_rule, rules.credit_mix)}.",
        f"Profit share and deficit cover: {rule(rules.profit_rule, rules.profit_mix)}.",
    ]


def parse_councils(rows: Any, split_by_use: bool = False) -> tuple[pd.DataFrame, Problems]:
    """The councils table and every problem with it (see ``read_councils``)."""
    table = COUNCIL_TABLE
    if split_by_use:  # the contribution_share column may stay on the sheet; it is not read
        table = dataclasses.replace(
            table,
            columns=tuple(c for c in table.columns if c.name != "contribution_share"),
            required=("use_share",),
            ignored=("contribution_share",),
        )
    frame, problems = read_members(rows, table)
    shares = ("use_share",) if split_by_use else ("contribution_share", "use_share")
    problems += _sum_problems(frame, shares)
    frame = frame.assign(contribution_share=frame[shares[0]])
    return frame[["council", *(c.name for c in COUNCIL_COLUMNS)]], problems


def read_councils(rows: Any, split_by_use: bool = False) -> pd.DataFrame:
    """The member councils of a region, validated; every problem in one ``ParameterError``.

    ``rows``: a header then one row per council (list of lists), a list of dicts, or a
    DataFrame; headings ``council`` (or ``name``), ``contribution_share``, ``use_share``,
    optionally ``spot_price`` (headings are read loosely: "Use share" works). Cells as a
    spreadsheet gives them: numbers, "25%", "£6,500", None for empty; empty rows are
    ignored. Each share must be within [0, 1] and each column must add up to 1 within 1e-9;
    with ``split_by_use`` the contribution shares are the use shares (the column may be
    absent or empty; anything in it is not used). Names must be present and different
    (ignoring case). An empty spot price means the partnership's.

    Returns columns ``council``, ``contribution_share``, ``use_share``, ``spot_price`` (NaN
    where empty), one row per council in table order.
    """
    frame, problems = parse_councils(rows, split_by_use)
    if problems:
        raise ParameterError(problems)
    return frame


def read_region(
    rows: Any, rules: Mapping[str, Any] | RegionRules | None = None
) -> tuple[pd.DataFrame, RegionRules]:
    """The councils table and the region's rules together, all their problems in one error."""
    problems: Problems = []
    if isinstance(rules, RegionRules):
        parsed = rules
    else:
        try:
            parsed = RegionRules.from_mapping(rules or {})
        except ParameterError as error:
            problems += error.problems
            parsed = RegionRules()
    frame, council_problems = parse_councils(rows, parsed.split_by_use)
    problems += council_problems
    if problems:
        raise ParameterError(problems)
    return frame, parsed


def _sum_problems(frame: pd.DataFrame, columns: tuple[str, ...]) -> Problems:
    problems = []
    for column in columns:
        values = frame[column].to_numpy(float)
        if len(values) == 0 or np.isnan(values).any():
            continue  # a missing or unreadable share is reported already; its sum means nothing
        total = float(values.sum())
        if abs(total - 1) > SHARE_TOLERANCE:
            names = [name or f"row {row}" for name, row in zip(frame["council"], frame["row"], strict=True)]
            listed = ", ".join(f"{name} {value:.4g}" for name, value in zip(names, values, strict=True))
            hint = ", or choose contribution_split = use" if column == "contribution_share" else ""
            problems.append(
                (
                    f"councils.{column}",
                    f"the councils' {column} values add up to {total:.10g} ({listed}); "
                    f"they must add up to 1 (100 %){hint}",
                )
            )
    return problems


def allocation_keys(
    councils: Any, rules: RegionRules | None = None, spot_price: float | None = None
) -> pd.DataFrame:
    """Each council's shares and keys as the region functions use them.

    Columns: ``council``, ``contribution_share``, ``use_share`` (each rescaled to add up to
    exactly 1: they differ from the entered ones by at most 1e-9), ``credit_key`` (for
    compensation and release credit), ``profit_key`` (for profit share and deficit cover) and
    ``spot_price`` (the partnership's ``spot_price`` where the table's cell was empty).
    ``councils`` is validated again (any form ``read_councils`` takes).
    """
    rules = rules or RegionRules()
    frame = read_councils(councils, rules.split_by_use)
    use = _normalised(frame["use_share"].to_numpy(float))
    contribution = use if rules.split_by_use else _normalised(frame["contribution_share"].to_numpy(float))
    spot = frame["spot_price"].to_numpy(float)
    if spot_price is not None:
        spot = np.where(np.isnan(spot), spot_price, spot)
    return pd.DataFrame(
        {
            "council": frame["council"].to_numpy(object),
            "contribution_share": contribution,
            "use_share": use,
            "credit_key": _key(rules.credit_rule, rules.credit_mix, contribution, use),
            "profit_key": _key(rules.profit_rule, rules.profit_mix, contribution, use),
            "spot_price": spot,
        }
    )


def _normalised(shares: np.ndarray) -> np.ndarray:
    """Shares that add up to 1 within 1e-9, rescaled so the councils' parts add up exactly."""
    return shares / shares.sum()


def _key(rule: str, mix: float, contribution: np.ndarray, use: np.ndarray) -> np.ndarray:
    if rule == "contribution":
        return contribution
    if rule == "use":
        return use
    return _normalised(mix * contribution + (1 - mix) * use)


def allocate(
    totals: Mapping[str, Array], host_contribution: Any, keys: pd.DataFrame, spot_price: Any = None
) -> dict[str, Array]:
    """The host side of ``totals`` divided among councils: council first, then the totals' shape.

    ``totals`` holds the host measures of docs/model.md (as ``engine.evaluate`` returns them),
    ``host_contribution`` the K they include, ``keys`` the table ``allocation_keys`` returns;
    a council whose spot price is empty there pays ``spot_price`` (the partnership's, which a
    sweep may move: an array that broadcasts with the totals). Arrays in, arrays out: any
    shape of totals works.
    """
    used = ("local_weeks", "host_fees", *CREDITS, *SHARING)  # a sweep may move some of them only
    ndim = max(np.ndim(host_contribution), np.ndim(spot_price), *(np.ndim(totals[name]) for name in used))

    def lead(column: str) -> np.ndarray:
        return np.reshape(keys[column].to_numpy(float), (-1,) + (1,) * ndim)

    use, credit, profit = lead("use_share"), lead("credit_key"), lead("profit_key")
    local_weeks = use * totals["local_weeks"]
    values = {
        "local_weeks": local_weeks,
        "host_fees": use * totals["host_fees"],
        "host_contribution": lead("contribution_share") * host_contribution + 0.0 * totals["host_fees"],
        **{name: credit * totals[name] for name in CREDITS},
        **{name: profit * totals[name] for name in SHARING},
        "host_spot_cost": local_weeks * _spot(lead("spot_price"), spot_price),
    }
    values.update(host_results(values))
    return {name: values[name] for name in COUNCIL_MEASURES}


def _spot(own: np.ndarray, partnership: Any) -> Array:
    """Each council's spot price: its own, or the partnership's where its cell was empty."""
    return own if partnership is None else np.where(np.isnan(own), partnership, own)


def region_evaluate(
    params: Parameters,
    councils: Any,
    occupancy: npt.ArrayLike,
    local_use: npt.ArrayLike,
    rules: RegionRules | None = None,
) -> dict[str, Array]:
    """Every council's host measures (``COUNCIL_MEASURES``) at the given points.

    Arrays have the council as their first axis, then the broadcast shape of the two axes
    (as ``engine.evaluate``): ``region_evaluate(p, c, 0.8, 0.5)["host_net_cost"]`` has one
    value per council.
    """
    keys = allocation_keys(councils, rules, params.spot_price)
    return allocate(evaluate(params, occupancy, local_use), params.host_contribution, keys)


def region_total(values: Mapping[str, Array]) -> dict[str, Array]:
    """The region's totals of council measures: sums, and the host results recomputed from them.

    Equal to the host measures of docs/model.md except host_spot_cost and host_saving, which
    use each council's own spot price.
    """
    summed = {name: np.sum(values[name], axis=0) for name in COUNCIL_MEASURES}
    summed.update(host_results(summed))
    return summed


@dataclass(frozen=True)
class RegionResult:
    """Every council's host measures on an occupancy × local-use grid.

    ``values[name]`` has shape (councils, len(occupancy), len(local_use)); ``totals`` is the
    partnership itself (``engine.evaluate``: the provider's measures and the host totals).
    """

    params: Parameters
    rules: RegionRules
    councils: pd.DataFrame  # allocation_keys(...)
    occupancy: np.ndarray
    local_use: np.ndarray
    values: dict[str, np.ndarray] = dataclasses.field(repr=False)
    totals: dict[str, np.ndarray] = dataclasses.field(repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.councils["council"])

    def table(self, name: str, council: str | None = None) -> pd.DataFrame:
        """One measure for one council (or the region total with ``council=None``) as a grid:
        rows occupancy, columns local use, like ``GridResult.table``."""
        if name not in COUNCIL_MEASURES:
            message = (
                f"measure = {name!r} is not a council measure; choose one of {', '.join(COUNCIL_MEASURES)}"
            )
            raise ParameterError([("measure", message)])
        grid = region_total(self.values)[name] if council is None else self.values[name][self._index(council)]
        return pd.DataFrame(
            grid,
            index=pd.Index(self.occupancy, name="occupancy"),
            columns=pd.Index(self.local_use, name="local_use"),
        )

    def to_frame(self) -> pd.DataFrame:
        """Tidy long table: one row per (council, occupancy, local_use), one column per measure."""
        count = len(self.councils)
        c, o, u = np.meshgrid(np.arange(count), self.occupancy, self.local_use, indexing="ij")
        columns: dict[str, Any] = {
            "council": self.councils["council"].to_numpy(object)[c.ravel()],
            "occupancy": o.ravel(),
            "local_use": u.ravel(),
        }
        columns.update({name: self.values[name].ravel() for name in COUNCIL_MEASURES})
        return pd.DataFrame(columns)

    def _index(self, council: str) -> int:
        wanted = str(council).strip().casefold()
        for index, name in enumerate(self.names):
            if name.casefold() == wanted:
                return index
        raise ParameterError(
            [("council", f"council = {council!r} is not in the region ({', '.join(self.names)})")]
        )


def region_grid(
    params: Parameters,
    councils: Any,
    rules: RegionRules | None = None,
    occupancy: npt.ArrayLike | None = None,
    local_use: npt.ArrayLike | None = None,
) -> RegionResult:
    """Every council's host measures at every occupancy and local use (default 21 × 21)."""
    rules = rules or RegionRules()
    o = default_axis() if occupancy is None else as_axis(occupancy)
    u = default_axis() if local_use is None else as_axis(local_use)
    keys = allocation_keys(councils, rules, params.spot_price)
    totals = evaluate(params, o[:, None], u[None, :])
    values = allocate(totals, params.host_contribution, keys)
    return RegionResult(params, rules, keys, o, u, values, totals)


def region_point(
    params: Parameters, councils: Any, occupancy: float, local_use: float, rules: RegionRules | None = None
) -> pd.DataFrame:
    """One row per council at one (occupancy, local_use): its shares, keys and measures.

    Columns: council, contribution_share, use_share, credit_key, profit_key, spot_price,
    then ``COUNCIL_MEASURES``.
    """
    keys = allocation_keys(councils, rules, params.spot_price)
    values = allocate(evaluate(params, occupancy, local_use), params.host_contribution, keys)
    return keys.assign(**{name: np.asarray(values[name], dtype=float) for name in COUNCIL_MEASURES})
