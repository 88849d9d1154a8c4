"""Why the agreement zone is where it is: its parts and extent, or which rule blocks a deal.

A facilitator's first questions after the map are "how big is the zone?" and, when there
is none, "who is blocking, and by how much?". ``explain_zone`` answers from the zone's
own table (no new model runs), so the answer holds on the swept pairs exactly:

- ``parts``: the zone's separate pieces (pairs joined through neighbouring pairs of the
  sweep, up, down, left or right), found by label propagation over the whole map at once.
- ``rules``: for every rule, the share of pairs where it holds; whether it alone blocks a
  deal (no pair is accepted by both, yet some pair meets every other rule: drop this rule
  and there is a zone); and the figure it comes closest to its threshold with where every
  other rule holds, or anywhere when nowhere does, with how far short that is.
- ``gaps``: when each party accepts some pairs but never the same one, for each swept term
  and each value of the other term, how far apart along this term the provider's accepted
  values and the host's are; the closest such value, e.g. "the provider needs £23,000 more
  host contribution than the host accepts, at the deficit support where they are closest".
- ``failing_rules(rules, row)``: the rules that fail at one set of terms and by how much,
  which is what decides a verdict such as "only the host accepts".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from engine.negotiation.rules import Rule

RULE_EXPLANATION_COLUMNS = (
    "rule",
    "party",
    "holds_share",
    "blocks_alone",
    "closest",
    "short_by",
    "where",
    "at_<term>",  # one column per swept term: where the closest figure is
)
GAP_COLUMNS = ("term", "amount", "provider_side", "other_term", "at", "provider_value", "host_value")


@dataclass(frozen=True, eq=False)
class ZoneExplanation:
    """The zone in figures: see the module docstring for each field.

    ``extent`` maps each swept term to the (lowest, highest) value of an accepted pair
    (None when no pair is accepted); ``provider_any`` / ``host_any`` say whether the
    party accepts any pair at all.
    """

    terms: tuple[str, str]
    accepted_pairs: int
    pairs: int
    parts: int
    extent: dict[str, tuple[float, float]] | None
    provider_any: bool
    host_any: bool
    rules: pd.DataFrame = field(repr=False)
    gaps: pd.DataFrame = field(repr=False)

    @property
    def blocking(self) -> pd.DataFrame:
        """The rules that alone stand between the parties and a deal (empty when there is a zone)."""
        return self.rules[self.rules["blocks_alone"]].reset_index(drop=True)


def explain_zone(zone: Any) -> ZoneExplanation:
    """Parts, extent, each rule's part in the verdicts, and the gap between the parties."""
    table = zone.table
    n0, n1 = (len(axis) for axis in zone.axes)
    both = (table["category"] == "both").to_numpy()
    extent = None
    if both.any():
        extent = {
            name: (float(table[name][both].min()), float(table[name][both].max())) for name in zone.terms
        }
    provider = table["provider_accepts"].to_numpy(dtype=bool)
    host = table["host_accepts"].to_numpy(dtype=bool)
    gaps = _gaps(zone, provider.reshape(n0, n1), host.reshape(n0, n1)) if not both.any() else _no_gaps()
    return ZoneExplanation(
        terms=tuple(zone.terms),
        accepted_pairs=int(both.sum()),
        pairs=len(table),
        parts=count_parts(both.reshape(n0, n1)),
        extent=extent,
        provider_any=bool(provider.any()),
        host_any=bool(host.any()),
        rules=_rule_table(zone.rules, zone.terms, table, both.any()),
        gaps=gaps,
    )


def count_parts(mask: np.ndarray) -> int:
    """The number of separate pieces of ``True`` in a 2-d map (4-neighbour connectivity).

    Every cell starts with its own number; each round every cell takes the smallest number
    among itself and its neighbours in the piece, then follows its number's number (pointer
    jumping), so the rounds needed grow with the logarithm of a piece's length, not with
    the number of cells.
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return 0
    size = mask.size
    labels = np.where(mask, np.arange(size).reshape(mask.shape), size)
    while True:
        smallest = labels.copy()
        for axis in (0, 1):
            if mask.shape[axis] < 2:
                continue
            cut, rest = (slice(None, -1), slice(1, None)), slice(None)
            low = (cut[0], rest) if axis == 0 else (rest, cut[0])
            high = (cut[1], rest) if axis == 0 else (rest, cut[1])
            joined = mask[low] & mask[high]
            smallest[low] = np.where(joined, np.minimum(smallest[low], labels[high]), smallest[low])
            smallest[high] = np.where(joined, np.minimum(smallest[high], labels[low]), smallest[high])
        flat = np.append(smallest.ravel(), size)
        jumped = np.where(mask, flat[np.minimum(smallest, size)], size)
        if np.array_equal(jumped, labels):
            break
        labels = jumped
    return int(np.unique(labels[mask]).size)


def failing_rules(rules: tuple[Rule, ...], row: Any) -> pd.DataFrame:
    """The rules that fail at one set of terms (a zone table row): rule number, party, figure, short_by.

    ``short_by`` is how far the figure is from the threshold, in the rule's units, always
    ≥ 0 (NaN when the figure is undefined).
    """
    records = []
    for index, rule in enumerate(rules, start=1):
        if bool(row[f"rule_{index}"]):
            continue
        figure = float(row[rule.key])
        records.append(
            {"rule": index, "party": rule.party, "figure": figure, "short_by": abs(figure - rule.threshold)}
        )
    return pd.DataFrame(records, columns=["rule", "party", "figure", "short_by"])


def _rule_table(
    rules: tuple[Rule, ...], terms: tuple[str, str], table: pd.DataFrame, zone_found: bool
) -> pd.DataFrame:
    """Per rule: where it holds, whether it alone blocks, and its closest figure to the threshold."""
    holds = {i: table[f"rule_{i}"].to_numpy(dtype=bool) for i in range(1, len(rules) + 1)}
    records = []
    for index, rule in enumerate(rules, start=1):
        others = np.ones(len(table), dtype=bool)
        for j, verdict in holds.items():
            if j != index:
                others &= verdict
        region = others if others.any() else np.ones(len(table), dtype=bool)
        figures = table[rule.key].to_numpy(dtype=float)
        # the figure nearest passing: the largest for ≥ / >, the smallest for ≤ / <
        sign = 1.0 if rule.operator in (">=", ">") else -1.0
        score = np.where(region & np.isfinite(figures), sign * figures, -np.inf)
        pick = int(np.argmax(score))
        closest = float(figures[pick]) if np.isfinite(score[pick]) else float("nan")
        records.append(
            {
                "rule": index,
                "party": rule.party,
                "holds_share": float(holds[index].mean()) if len(table) else 0.0,
                "blocks_alone": bool(not zone_found and others.any() and not holds[index][others].any()),
                "closest": closest,
                "short_by": max(0.0, sign * (rule.threshold - closest))
                if np.isfinite(closest)
                else float("nan"),
                "where": "others_hold" if others.any() else "anywhere",
                **{f"at_{name}": float(table[name].iloc[pick]) for name in terms},
            }
        )
    return pd.DataFrame(records)


def _gaps(zone: Any, provider: np.ndarray, host: np.ndarray) -> pd.DataFrame:
    """Along each swept term: the least distance between the parties' accepted values, at one value
    of the other term where each accepts something and all the provider's values lie on one side."""
    records = []
    for axis, name in enumerate(zone.terms):
        values = zone.axes[axis]
        p, h = (provider, host) if axis == 0 else (provider.T, host.T)  # rows: this term's values
        column = values[:, None]
        p_low = np.where(p, column, np.inf).min(axis=0)
        p_high = np.where(p, column, -np.inf).max(axis=0)
        h_low = np.where(h, column, np.inf).min(axis=0)
        h_high = np.where(h, column, -np.inf).max(axis=0)
        above = p_low - h_high  # > 0: every value the provider accepts is above every one the host does
        below = h_low - p_high
        amount = np.where(above > 0, above, np.where(below > 0, below, np.inf))
        if not np.isfinite(amount).any():
            continue
        k = int(np.argmin(amount))
        other = zone.terms[1 - axis]
        records.append(
            {
                "term": name,
                "amount": float(amount[k]),
                "provider_side": "above" if above[k] > 0 else "below",
                "other_term": other,
                "at": float(zone.axes[1 - axis][k]),
                "provider_value": float(p_low[k] if above[k] > 0 else p_high[k]),
                "host_value": float(h_high[k] if above[k] > 0 else h_low[k]),
            }
        )
    return pd.DataFrame(records, columns=list(GAP_COLUMNS))


def _no_gaps() -> pd.DataFrame:
    return pd.DataFrame(columns=list(GAP_COLUMNS))
