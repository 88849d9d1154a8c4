"""`partnership risk` and `partnership negotiate`: the Risk and Agreement sheets' figures and sentences."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from engine import (
    CATEGORY_LABELS,
    RULE_COLUMNS,
    parties_without_rationality,
)
from excel_addin.cli.envelope import WORKBOOK, Outcome, command
from excel_addin.cli.formatting import json_number
from excel_addin.files.operations import check_workbook
from excel_addin.workbook import risk_figures as risk_results
from excel_addin.workbook import risk_inputs
from excel_addin.workbook.words import points_text


@command("risk", "each party's risk over simulated years, partnership against the spot market", WORKBOOK)
def risk(args: argparse.Namespace) -> Outcome:
    summary = check_workbook(args.path)
    inputs = summary.inputs
    result = risk_results.risk_of(inputs.values, inputs.params)
    sentences = risk_results.risk_sentences(result)
    u = risk_inputs.uncertainty_of(inputs.values)
    draws, seed = int(inputs.values["draws"]), int(inputs.values["seed"])
    tables = {party: result.table(party) for party in ("provider", "host")}
    data = {
        "path": str(summary.path),
        "fingerprint": inputs.fingerprint,
        "status": summary.status,
        "uncertainty": {"source": u.source, "draws": draws, "seed": seed},
        "parties": {
            party: [
                {k: v if isinstance(v, str) else json_number(v) for k, v in record.items()}
                for record in table.to_dict("records")
            ]
            for party, table in tables.items()
        },
        "sentences": sentences,
    }

    def show(out: Console) -> None:
        out.print(f"Risk – {summary.path.name} ({summary.status}).", markup=False)
        out.print(risk_results.uncertainty_words(u, draws, seed), markup=False)
        for party, table in tables.items():
            grid = Table(
                title=f"{party.capitalize()}: partnership against the spot market",
                caption="Change: partnership minus spot market; pp: percentage points.",
            )
            grid.add_column("Figure", justify="left")
            for name in ("Partnership", "Spot market", "Change"):
                grid.add_column(name, justify="right")
            for record in table.to_dict("records"):
                unit = record["unit"]
                change = record["change"]
                grid.add_row(
                    record["label"],
                    *(risk_results.value_text(record[key], unit) for key in ("partnership", "spot")),
                    points_text(change) if unit == "share" else risk_results.value_text(change, unit),
                )
            out.print(grid)
            out.print(sentences[party], markup=False, highlight=False)

    return Outcome(data, show)


@command(
    "negotiate",
    "the terms both parties accept, today's terms judged, and the balanced and equal-gains deals",
    WORKBOOK,
)
def negotiate(args: argparse.Namespace) -> Outcome:
    summary = check_workbook(args.path)
    inputs = summary.inputs
    result = risk_results.agreement_of(inputs.values, inputs.params)
    sentences = risk_results.agreement_sentences(result)
    zone = result.zone.accepted()
    data = {
        "path": str(summary.path),
        "fingerprint": inputs.fingerprint,
        "status": summary.status,
        "terms": list(result.terms),
        "rules": [dict(zip(RULE_COLUMNS, rule.to_row(), strict=True)) for rule in result.rules],
        "draws": result.draws,
        "seed": result.seed,
        "zone": {
            "pairs": len(result.zone.table),
            "shares": result.shares(),
            "ranges": {name: [float(zone[name].min()), float(zone[name].max())] for name in result.terms}
            if not zone.empty
            else None,
        },
        "points": {name: _point_json(result, name) for name in risk_results.POINTS if _listed(result, name)},
        "explanation": _explanation_json(result),
        "sentences": sentences,
    }
    return Outcome(
        data, lambda out: _show_negotiation(out, summary.path.name, summary.status, result, sentences)
    )


def _explanation_json(result: risk_results.AgreementResult) -> dict[str, Any]:
    """The zone's parts, and each rule's part in the verdicts: which alone blocks, how far short."""
    explanation = result.explanation
    return {
        "accepted_pairs": explanation.accepted_pairs,
        "parts": explanation.parts,
        "provider_accepts_any": explanation.provider_any,
        "host_accepts_any": explanation.host_any,
        "parties_without_a_no_deal_rule": list(parties_without_rationality(result.rules)),
        "rules": [
            {
                "rule": risk_results.rule_words(result.rules[int(r["rule"]) - 1]),
                "party": r["party"],
                "holds_share": json_number(r["holds_share"]),
                "blocks_alone": bool(r["blocks_alone"]),
                "closest": json_number(r["closest"]),
                "short_by": json_number(r["short_by"]),
                "closest_where": r["where"],
                "at": {term: json_number(r[f"at_{term}"]) for term in result.terms},
            }
            for _, r in explanation.rules.iterrows()
        ],
        "gaps": [
            {key: value if isinstance(value, str) else json_number(value) for key, value in gap.items()}
            for gap in explanation.gaps.to_dict("records")
        ],
    }


def _listed(result: risk_results.AgreementResult, name: str) -> bool:
    return bool((result.points["point"] == name).any())


def _point_json(result: risk_results.AgreementResult, name: str) -> dict[str, Any]:
    """One point: its terms, verdict, each party's gain and figures, and each rule's figure."""
    row = result.point(name)
    method = str(result.points.loc[result.points["point"] == name, "method"].iloc[0])
    if row is None:
        return {"found": False, "method": method}
    return {
        "found": True,
        "method": method,
        "terms": {term: float(row[term]) for term in result.terms},
        "category": row["category"],
        "provider_accepts": bool(row["provider_accepts"]),
        "host_accepts": bool(row["host_accepts"]),
        "provider_gain": json_number(row["provider_gain"]),
        "host_gain": json_number(row["host_gain"]),
        "expected_provider_surplus": json_number(row["mean(provider_surplus)"]),
        "expected_host_net_cost": json_number(row["mean(host_net_cost)"]),
        "rules": [
            {
                "rule": risk_results.rule_words(rule),
                "figure": json_number(risk_results.rule_figure(rule, row)),
                "holds": bool(row[f"rule_{index}"]),
            }
            for index, rule in enumerate(result.rules, start=1)
        ],
        "decided_by": risk_results.decided_by(result.rules, row),
        **({"held_by": risk_results.held_by(result, row)} if name == "nash" else {}),
    }


def _show_negotiation(
    out: Console, file: str, status: str, result: risk_results.AgreementResult, sentences: list[str]
) -> None:
    """The sentences, then today's terms and the balanced deals side by side."""
    out.print(f"Agreement – {file} ({status}).", markup=False)
    for line in sentences:
        out.print(line, markup=False, highlight=False)
    points = {n: p for n in risk_results.POINTS if (p := result.point(n)) is not None}
    shown = list(points)
    table = Table(title="Today's terms and the balanced deals")
    table.add_column("Figure")
    for name in shown:
        table.add_column(risk_results.POINT_LABELS[name], justify="right")
    params, rows = result.params, []
    for term in result.terms:
        unit = risk_results.term_unit(params, term)
        label = risk_results.term_label(params, term)
        rows.append((label, [risk_results.value_text(float(points[n][term]), unit) for n in shown]))
    rows.append(("Who accepts", [CATEGORY_LABELS[points[n]["category"]] for n in shown]))
    for key, label in (
        ("provider_gain", "Provider's gain over spot (£ a year)"),
        ("host_gain", "Host's gain over spot (£ a year)"),
    ):
        rows.append((label, [risk_results.money(float(points[n][key])) for n in shown]))
    for index, rule in enumerate(result.rules, start=1):
        cells = []
        for n in shown:
            figure = risk_results.value_text(
                risk_results.rule_figure(rule, points[n]), risk_results.rule_unit(rule)
            )
            cells.append(f"{figure} {'✓' if points[n][f'rule_{index}'] else '✗'}")
        rows.append((risk_results.rule_words(rule), cells))
    for label, cells in rows:
        table.add_row(label, *cells)
    out.print(table)
