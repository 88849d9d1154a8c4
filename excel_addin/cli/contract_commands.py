"""`partnership compare` and `partnership term`: other contracts side by side, and the multi-year term."""

from __future__ import annotations

import argparse
import dataclasses

from rich.console import Console
from rich.table import Table

from engine import (
    ParameterError,
    measure,
    range_problems,
    read_mapping,
)
from excel_addin.cli.envelope import WORKBOOK, Outcome, arg, command
from excel_addin.cli.formatting import cell_text, json_number, nan_of, percent_text, unit_text
from excel_addin.files.operations import check_workbook
from excel_addin.workbook import contract_figures as comparison
from excel_addin.workbook import layout
from excel_addin.workbook.risk_figures import money
from excel_addin.workbook.sheets import term as term_sheet
from excel_addin.workbook.words import better_by


@command(
    "compare",
    "compare spot, block, open-book and partnership contracts: one year, their risk, cells won",
    WORKBOOK,
    arg(
        "--occupancy",
        metavar="O",
        help="the year's occupancy, e.g. 0.85 or 85%% (default: the Compare sheet's)",
    ),
    arg("--local-use", metavar="U", help="the year's local use (default: the Compare sheet's)"),
)
def compare(args: argparse.Namespace) -> Outcome:
    point = point_options({"occupancy": args.occupancy, "local_use": args.local_use})
    summary = check_workbook(args.path)
    result = comparison.compare_inputs(summary.inputs, **point)
    names = list(comparison.SHORT_LABELS)
    risk = result.risk_inputs
    data = {
        "path": str(summary.path),
        "fingerprint": summary.inputs.fingerprint,
        "status": summary.status,
        "terms": result.terms.to_mapping(),
        "contracts": names,
        "point": {"occupancy": result.occupancy, "local_use": result.local_use},
        "figures": {
            n: {m: json_number(result.at_point(m)[n]) for m in comparison.POINT_MEASURES} for n in names
        },
        "best_at_point": result.best_at_point(),
        "grid": list(result.host_best.shape),
        "counts": {
            n: {k: int(v) if str(k).endswith("_cells") else float(v) for k, v in row.items()}
            for n, row in result.counts.iterrows()
        },
        "risk": {
            "source": risk.source,
            "draws": risk.draws,
            "seed": risk.seed,
            "from_risk_sheet": risk.from_risk_sheet,
            "figures": [
                {k: v if isinstance(v, str) else json_number(v) for k, v in record.items()}
                for record in result.risk.to_dict("records")
            ],
        },
    }
    return Outcome(data, lambda out: _show_comparison(out, summary.path.name, summary.status, result))


def _show_comparison(out: Console, file: str, status: str, result: comparison.Comparison) -> None:
    """The year compared, the risk figures and the cells won, as three tables."""
    names = list(comparison.SHORT_LABELS)
    out.print(f"Contracts compared – {file} ({status}).")
    title = f"One year: occupancy {result.occupancy:.0%}, local use {result.local_use:.0%}"
    rows = []
    for name in comparison.POINT_MEASURES:
        spec = measure(name)
        values = result.at_point(name)
        rows.append(
            [f"{spec.label} ({unit_text(spec.unit)})", *(cell_text(values[n], spec.unit) for n in names)]
        )
    out.print(_contract_table(title, "measure", rows))
    best = {party: comparison.SHORT_LABELS[name].lower() for party, name in result.best_at_point().items()}
    host, provider = best["host"], best["provider"]
    out.print(f"In this year the host pays least under {host}; the provider earns most under {provider}.")
    rows = [
        [record["label"], *(cell_text(record[n], record["unit"]) for n in names)]
        for record in result.risk.to_dict("records")
    ]
    out.print(_contract_table("Risk over uncertain years", "figure", rows, result.risk_inputs.source))
    o, u = result.host_best.shape
    rows = [
        [words, *(str(int(c)) for c in result.counts[f"{party}_best_cells"].reindex(names, fill_value=0))]
        for party, words in (("host", "Cheapest for the host"), ("provider", "Best for the provider"))
    ]
    out.print(_contract_table(f"Cells won on the {o} × {u} grid", "cells", rows))


def _contract_table(title: str, first: str, rows: list[list[str]], caption: str | None = None) -> Table:
    """A terminal table with one column per contract."""
    table = Table(title=title, caption=caption)
    table.add_column(first)
    for name in comparison.SHORT_LABELS.values():
        table.add_column(name, justify="right")
    for row in rows:
        table.add_row(*row)
    return table


def point_options(given: dict[str, str | None]) -> dict[str, float]:
    """--occupancy / --local-use as numbers in [0, 1] ("85%" reads too); ParameterError otherwise."""
    specs = [
        dataclasses.replace(layout.input_cell_of(f"compare_{name}").spec, name=name)
        for name, value in given.items()
        if value is not None
    ]
    values, problems = read_mapping(specs, {spec.name: given[spec.name] for spec in specs}, what="an option")
    problems += range_problems(specs, values)
    if problems:
        raise ParameterError([(name, f"--{name.replace('_', '-')}: {message}") for name, message in problems])
    return values


@command(
    "term",
    "the whole multi-year term: NPVs for both parties against spot, first loss year, solved fee uplift",
    WORKBOOK,
)
def term(args: argparse.Namespace) -> Outcome:
    summary = check_workbook(args.path)
    results = term_sheet.term_results(summary.inputs)
    report = term_sheet.report(results)
    data = {
        "path": str(summary.path),
        "fingerprint": summary.inputs.fingerprint,
        "status": summary.status,
        **report,
    }

    def show(out: Console) -> None:
        term_inputs = results.term
        out.print(
            f"{summary.path.name}: a {term_inputs.years}-year term at {term_sheet.point_words(results)}, "
            f"fees {term_sheet.rule_words(term_inputs.fee_uplift).lower()}, discounted at "
            f"{term_inputs.discount_rate:.1%} a year (inputs {summary.inputs.fingerprint}; "
            f"{summary.status}).",
            highlight=False,
        )
        npvs = Table(
            title="Net present value over the term (£, today's money)",
            caption="At the term's own occupancy and local use each year, not the Risk sheet's "
            "simulated years.",
        )
        for heading in ("", "Partnership", "Spot market", "Partnership against spot"):
            npvs.add_column(heading, justify="left" if not heading else "right")
        for key, label in (("provider_surplus", "Provider surplus"), ("host_net_cost", "Host net cost")):
            row = report["npv"][key]
            npvs.add_row(
                label,
                *(cell_text(nan_of(row[k]), "£") for k in ("partnership", "spot")),
                better_by(nan_of(row["better_by"]), money),
            )
        out.print(npvs)
        rules = Table(title="Each fee uplift rule (the other rules as chosen)")
        for heading in ("Fee rule", "First year with a loss", "NPV provider surplus"):
            rules.add_column(heading, justify="left" if heading == "Fee rule" else "right")
        for kind, row in results.rules.iterrows():
            year = report["first_negative_year"][kind]
            chosen = " (chosen)" if kind == term_inputs.fee_uplift.kind else ""
            rules.add_row(
                f"{term_sheet.kind_words(str(kind))}{chosen}",
                "never" if year is None else str(year),
                cell_text(row["npv_provider_surplus"], "£"),
            )
        out.print(rules)
        ret, rate = report["term_provider_return"], report["reasonable_return_uplift_rate"]
        out.print(
            f"Provider return on cost over the term: {percent_text(ret)} "
            f"(reasonable return {percent_text(report['reasonable_return'])}).",
            highlight=False,
        )
        out.print(
            "Fee uplift that gives the provider exactly its reasonable return: "
            + (f"{rate:.2%} a year." if rate is not None else "none from -50 % to +100 % a year."),
            highlight=False,
        )

    return Outcome(data, show)
