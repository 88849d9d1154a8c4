"""The Risk and Agreement figures of one run, and the sentences that say them in plain words.

The Risk and Agreement sheets and the `partnership risk` / `partnership negotiate` commands
all call these functions, so a figure on the sheet and the same figure in the terminal are
one computation. Everything here is engine calls on the parsed inputs of a run
(``ModelInputs.values`` and ``.params``); no spreadsheet library.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from engine import (
    CATEGORY_LABELS,
    SPECS,
    AgreementZone,
    Outcomes,
    Parameters,
    RiskResult,
    Rule,
    Uncertainty,
    ZoneExplanation,
    agreement_zone,
    assess_terms,
    balanced_points,
    draw_outcomes,
    explain_zone,
    failing_rules,
    lever_label,
    lever_value,
    measure,
    monte_carlo,
    parties_without_rationality,
    statistic_key,
    tier_index,
    tornado,
)
from excel_addin.workbook.risk_inputs import rules_of, tornado_settings, uncertainty_of, zone_settings
from excel_addin.workbook.words import compared, moves

POINTS = ("today", "nash", "equal_gains", "equal_gains_free")
POINT_LABELS = {
    "today": "Today's terms",
    "nash": "Balanced deal",
    "equal_gains": "Equal gains",
    "equal_gains_free": "Equal gains, whatever the rules",
}
BALANCED_WORDS = (
    "(A balanced deal is the pair of terms both parties accept that makes the product of their two gains "
    "over no deal as large as possible: the Nash bargaining solution.)"
)
OPERATOR_WORDS = {"<=": "≤", ">=": "≥", "<": "<", ">": ">"}


# --- Risk ---------------------------------------------------------------------------------------


def risk_of(values: Mapping[str, Any], params: Parameters) -> RiskResult:
    """Monte Carlo figures, partnership against spot, from the Risk sheet's inputs."""
    return monte_carlo(params, uncertainty_of(values), draws=int(values["draws"]), seed=int(values["seed"]))


def uncertainty_words(u: Uncertainty, draws: int, seed: int) -> str:
    """Where the simulated years come from, in one line."""
    if u.source == "history":
        spread = f"{len(u.history)} past years, drawn at random"
    else:
        spread = "occupancy {} / {} / {} and local use {} / {} / {} (low / most likely / high)".format(
            *(_share(v) for v in (*u.triple("occupancy"), *u.triple("local_use")))
        ) + (f", rank correlation {u.correlation:g}" if u.correlation else "")
    growth = u.triple("fixed_cost_growth")
    if any(growth):
        spread += ", fixed cost growth {} / {} / {}".format(*(_share(g) for g in growth))
    return f"{draws:,} simulated years of {spread}; seed {seed}."


def risk_sentences(risk: RiskResult) -> dict[str, str]:
    """One plain-words line per party: what the partnership changes against the spot market."""
    provider = risk.table("provider").set_index("statistic")
    host = risk.table("host").set_index("statistic")
    loss = _statistic_row(provider, "probability_of_loss")
    mean, tail = _statistic_row(provider, "mean"), _statistic_row(provider, "expected_shortfall")
    chance = moves("the provider's probability of a loss", loss["spot"], loss["partnership"], _share)
    provider_line = (
        f"The partnership {chance}"
        f" of years, and {moves('its expected surplus', mean['spot'], mean['partnership'], money)} a year; "
        f"in the worst 1 year in 10 the surplus averages {money(tail['partnership'])} instead of "
        f"{money(tail['spot'])}."
    )
    cost, dearer = _statistic_row(host, "mean"), _statistic_row(host, "probability_above_spot")
    worst = _statistic_row(host, "expected_shortfall")
    host_line = (
        f"The host's expected net cost is {money(cost['partnership'])} a year against {money(cost['spot'])} "
        f"on the spot market, {compared(cost['partnership'] - cost['spot'], money)}; it pays more than spot "
        f"in {_share(dearer['partnership'])} of years, and in the worst 1 year in 10 its cost averages "
        f"{money(worst['partnership'])} against {money(worst['spot'])} at spot."
    )
    return {"provider": provider_line, "host": host_line}


def _statistic_row(table: pd.DataFrame, statistic: str) -> pd.Series:
    """One statistic's figures (a row: the index has each statistic once; pandas-stubs cannot know)."""
    return cast(pd.Series, table.loc[statistic])


# --- Agreement ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AgreementResult:
    """Who accepts at every pair of terms, the balanced deals, today's terms, the tornado.

    ``points`` has one row per entry of ``POINTS`` that exists (``found`` says whether it
    does), with the zone table's columns: the two terms, the verdict, each party's gain
    and expected figures, and each rule's figure and verdict (``rule_1``…).
    """

    params: Parameters
    rules: tuple[Rule, ...]
    zone: AgreementZone
    points: pd.DataFrame
    tornado: pd.DataFrame
    tornado_measure: str
    excluded: tuple[str, ...]
    uncertainty: Uncertainty
    draws: int
    seed: int
    explanation: ZoneExplanation

    @property
    def terms(self) -> tuple[str, str]:
        return self.zone.terms

    def point(self, name: str) -> pd.Series | None:
        """One balanced point (or today's terms) as a row, None when it was not found."""
        rows = self.points[(self.points["point"] == name) & self.points["found"]]
        return None if rows.empty else rows.iloc[0]

    def shares(self) -> dict[str, float]:
        """The share of the swept pairs in each category."""
        counts = self.zone.table["category"].value_counts(normalize=True)
        return {category: float(counts.get(category, 0.0)) for category in CATEGORY_LABELS}


def agreement_of(values: Mapping[str, Any], params: Parameters) -> AgreementResult:
    """Zone, balanced points, today's terms and the tornado from the Agreement sheet's inputs."""
    uncertainty = uncertainty_of(values)
    draws, seed = int(values["draws"]), int(values["seed"])  # the Risk sheet's years: one set of draws
    outcomes = draw_outcomes(uncertainty, draws, seed)
    rules = rules_of(values)
    terms, ranges, steps = zone_settings(values)
    zone = agreement_zone(params, rules, terms, ranges, steps, outcomes)
    balanced = balanced_points(zone)
    today = assess_terms(params, rules, {name: [lever_value(params, name)] for name in terms}, outcomes)
    rows = [_row("today", True, "The terms on the Inputs sheet", today.iloc[0]), *_rows(balanced)]
    if not bool(balanced.loc[balanced["point"] == "equal_gains", "found"].iloc[0]):
        rows.append(_free_equal_gains(zone, outcomes))
    excluded, own_ranges = tornado_settings(values)
    measure_name = values["tornado_measure"]
    swing = tornado(
        params, measure_name, float(values["tornado_change"]), own_ranges, uncertainty=uncertainty
    )
    swing = swing[~swing["parameter"].isin(excluded)].reset_index(drop=True)
    return AgreementResult(
        params,
        rules,
        zone,
        pd.DataFrame(rows).reset_index(drop=True),
        swing,
        measure_name,
        excluded,
        uncertainty,
        draws,
        seed,
        explain_zone(zone),
    )


def _row(point: str, found: bool, method: str, figures: pd.Series | None) -> dict[str, Any]:
    return {
        "point": point,
        "found": found,
        "method": method,
        **({} if figures is None else {str(name): value for name, value in figures.items()}),
    }


def _rows(balanced: pd.DataFrame) -> list[dict[str, Any]]:
    columns = [c for c in balanced.columns if c not in ("point", "found", "method")]
    return [
        _row(r["point"], bool(r["found"]), r["method"], r[columns] if r["found"] else None)
        for _, r in balanced.iterrows()
    ]


def _free_equal_gains(zone: AgreementZone, outcomes: Outcomes) -> dict[str, Any]:
    """Where the gains are equal if nobody's rules counted, judged by the rules after all.

    When no accepted terms give equal gains, the facilitator still wants to know what an
    even split would take and who would refuse it. The gains at every pair do not depend on
    the rules, so the zone's own table is read as if everyone accepted (what
    ``agreement_zone`` returns with no rules) and the crossing is interpolated between the
    sweep's pairs rather than refined: a second sweep would double the run for a figure
    that is only pointed at.
    """
    everyone = zone.table.assign(category="both", code=3, provider_accepts=True, host_accepts=True)
    free = balanced_points(dataclasses.replace(zone, rules=(), table=everyone), refine=False)
    row = free[free["point"] == "equal_gains"].iloc[0]
    if not bool(row["found"]):
        return _row("equal_gains_free", False, row["method"], None)
    terms = zone.terms
    judged = assess_terms(zone.params, zone.rules, {name: [float(row[name])] for name in terms}, outcomes)
    method = "Equal gains ignoring the rules: the point of the equal-gains line nearest today's terms"
    return _row("equal_gains_free", True, method, judged.iloc[0])


def rule_unit(rule: Rule) -> str:
    """The unit of a rule's figure: a share for a probability, else the measure's unit."""
    return "share" if rule.statistic == "probability_of_loss" else measure(rule.measure).unit


STATISTIC_WORDS = {
    "mean": "expected",
    "std": "standard deviation of",
    "probability_of_loss": "probability below zero of",
    "expected_shortfall": "worst-10 % average of",
    "min": "lowest",
    "max": "highest",
}


def rule_words(rule: Rule) -> str:
    """ "Provider: probability below zero of provider surplus ≤ 30 %", "Host: P90 of host cost…"."""
    statistic = STATISTIC_WORDS.get(rule.statistic) or percentile_words(rule.statistic)
    what = f"{statistic} {_lower(measure(rule.measure).label)}"
    threshold = value_text(rule.threshold, rule_unit(rule))
    return f"{rule.party.capitalize()}: {what} {OPERATOR_WORDS[rule.operator]} {threshold}"


def percentile_words(statistic: str) -> str:
    """ "P90 (exceeded 1 year in 10) of": a percentile said with what it means, where it is shown."""
    level = int(statistic[1:])
    above = 100 - level
    share = f"1 year in {100 // above}" if 100 % above == 0 else f"{above} % of years"
    return f"{statistic.upper()} (exceeded {share}) of"


def rule_figure(rule: Rule, row: Mapping[str, Any] | pd.Series) -> float:
    return float(row[statistic_key(rule.statistic, rule.measure)])


def term_unit(params: Parameters, name: str) -> str:
    """A swept term's unit: a tier's share is a share, any other term has its parameter's unit."""
    return "share" if tier_index(params, name) is not None else SPECS[name].unit


def term_label(params: Parameters, name: str) -> str:
    """A swept term as a person names it ("Host contribution", "Share of tier 3 …"), never its code name."""
    return lever_label(params, name)


def terms_text(params: Parameters, terms: tuple[str, str], row: Mapping[str, Any] | pd.Series) -> str:
    """ "host contribution £175,230 and deficit support 0 %"."""
    return " and ".join(
        f"{_lower(lever_label(params, name))} {value_text(float(row[name]), term_unit(params, name))}"
        for name in terms
    )


def agreement_sentences(result: AgreementResult) -> list[str]:
    """The zone (or what blocks it), today's terms and what decides them, and the balanced deals."""
    params, terms = result.params, result.terms
    shares = result.shares()
    zone = result.zone.accepted()
    explanation = result.explanation
    lines = []
    if zone.empty:
        lines.append(
            f"No terms in the sweep are accepted by both parties: only the provider accepts "
            f"{_share(shares['provider_only'])} of them, only the host {_share(shares['host_only'])}, "
            f"neither {_share(shares['neither'])}. Loosen a rule or widen the sweep."
        )
        lines += blocking_sentences(result)
    else:
        spans = [
            f"{_lower(lever_label(params, name))} from "
            f"{value_text(zone[name].min(), term_unit(params, name))}"
            f" to {value_text(zone[name].max(), term_unit(params, name))}"
            for name in terms
        ]
        parts = f", in {explanation.parts} separate parts" if explanation.parts > 1 else ""
        lines.append(
            f"Both parties accept {_share(shares['both'])} of the terms swept ({len(zone):,} of "
            f"{len(result.zone.table):,} pairs), within {' and '.join(spans)}{parts}."
        )
    today = result.point("today")
    assert today is not None  # today's terms are always assessed
    verdict = CATEGORY_LABELS[today["category"]].lower()
    decided = decided_by(result.rules, today)
    lines.append(
        f"Today's terms ({terms_text(params, terms, today)}): {verdict}"
        + (f"; decided by {'; '.join(decided)}." if decided else ".")
    )
    for name in ("nash", "equal_gains"):
        row = result.point(name)
        if row is not None:
            line = (
                f"{POINT_LABELS[name]}: {terms_text(params, terms, row)}; the provider gains "
                f"{money(row['provider_gain'])} a year over the spot market, "
                f"the host {money(row['host_gain'])}."
            )
            if name == "nash":
                line += " " + held_by(result, row) + " " + BALANCED_WORDS
            lines.append(line)
    free = result.point("equal_gains_free")
    if free is not None:
        who = CATEGORY_LABELS[free["category"]].lower()
        lines.append(
            f"No accepted terms give equal gains. An even split (about {money(free['provider_gain'])} each) "
            f"would need {terms_text(params, terms, free)}: {who}."
        )
    elif result.point("nash") is None:
        lines.append("No balanced deal: there are no terms both parties accept with a gain for each.")
    for party in parties_without_rationality(result.rules):
        gain = today["provider_gain" if party == "provider" else "host_gain"]
        lines.append(
            f"Note: no rule of the {party} asks for an expected gain over no deal of at least £0, so terms "
            f"it accepts may leave it worse off than the spot market (today its gain is {money(gain)})."
        )
    return lines


def rule_figure_text(rule: Rule, figure: float) -> str:
    return value_text(figure, rule_unit(rule))


def decided_by(rules: tuple[Rule, ...], row: Mapping[str, Any] | pd.Series) -> list[str]:
    """Each rule failing at these terms, as "the provider's expected margin ≥ 2 % (it is 1.2 %)"."""
    failing = failing_rules(rules, row)
    found = [(rules[int(r["rule"]) - 1], float(r["figure"])) for _, r in failing.iterrows()]
    return [f"{_party_rule(rule)} (it is {rule_figure_text(rule, figure)})" for rule, figure in found]


def _party_rule(rule: Rule) -> str:
    """ "the provider's expected provider margin ≥ 2 %"."""
    return f"the {rule.party}'s {rule_words(rule).split(': ', 1)[1]}"


def held_by(result: AgreementResult, row: Mapping[str, Any] | pd.Series) -> str:
    """What stops the Nash point moving further: the rules at its edge, or the end of a swept range."""
    binding = [name for name in str(row.get("binding") or "").split(",") if name]
    edge = [name for name in str(row.get("at_edge") or "").split(",") if name]
    parts = [_party_rule(result.rules[int(name.split("_")[1]) - 1]) for name in binding]
    parts += [f"the end of the swept range of {_lower(lever_label(result.params, name))}" for name in edge]
    if not parts:
        return "No rule holds it there: the product of the gains is largest inside the zone."
    return f"It is held there by {' and '.join(parts)}."


def blocking_sentences(result: AgreementResult) -> list[str]:
    """Why there is no zone: the rules that alone block it, and how far apart the parties are."""
    explanation, rules, params = result.explanation, result.rules, result.params
    lines = []
    terms = explanation.terms
    for _, r in explanation.rules.iterrows():
        rule = rules[int(r["rule"]) - 1]
        if not np.isfinite(r["closest"]) or r["short_by"] <= 0:
            continue
        where = " and ".join(
            f"{_lower(lever_label(params, t))} {value_text(float(r[f'at_{t}']), term_unit(params, t))}"
            for t in terms
        )
        short = (
            rule_figure_text(rule, r["short_by"])
            if rule.statistic != "probability_of_loss"
            else _share(r["short_by"])
        )
        if r["blocks_alone"]:
            lines.append(
                f"Blocking: {_party_rule(rule)}. Where every other rule holds, the best it reaches is "
                f"{rule_figure_text(rule, r['closest'])} (at {where}), {short} short; without it there "
                "would be a zone."
            )
        elif r["where"] == "anywhere" and r["holds_share"] == 0:
            lines.append(
                f"{_party_rule(rule).capitalize()} holds nowhere in the sweep: the best it reaches is "
                f"{rule_figure_text(rule, r['closest'])} (at {where}), {short} short."
            )
    for _, gap in explanation.gaps.iterrows():
        term, other = gap["term"], gap["other_term"]
        unit, other_unit = term_unit(params, term), term_unit(params, other)
        label = _lower(lever_label(params, term))
        more = "more" if gap["provider_side"] == "above" else "less"
        lines.append(
            f"The provider needs at least {value_text(gap['amount'], unit)} {more} {label} than the host "
            f"accepts at any {_lower(lever_label(params, other))} swept (closest at "
            f"{value_text(gap['at'], other_unit)}: the provider accepts "
            f"{'from' if more == 'more' else 'up to'} {value_text(gap['provider_value'], unit)}, the host "
            f"{'up to' if more == 'more' else 'from'} {value_text(gap['host_value'], unit)})."
        )
    if not explanation.provider_any:
        lines.append("The provider accepts none of the terms swept.")
    if not explanation.host_any:
        lines.append("The host accepts none of the terms swept.")
    return lines


# --- words and numbers ------------------------------------------------------------------------


def money(value: float) -> str:
    """£ with thousands separators, a minus sign before the £."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{'-' if value < 0 else ''}£{abs(value):,.0f}"


def _share(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    percent = value * 100
    return f"{percent:.0f} %" if abs(percent - round(percent)) < 0.05 else f"{percent:.1f} %"


def value_text(value: float, unit: str) -> str:
    """A figure as a sentence shows it: £ for money, % for shares, plain otherwise."""
    if unit.startswith("£"):
        return money(value)
    if unit == "share":
        return _share(value)
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _lower(label: str) -> str:
    """A label inside a sentence: "Host contribution" → "host contribution" (acronyms kept)."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label
