"""The `partnership` command line: new, run, check and show a partnership workbook.

A command is one decorated function: ``@command(name, help, arg(...), ...)`` above a
function that takes the parsed arguments and returns an ``Outcome`` (data for ``--json``
and a way to print it for people). Expected problems (a bad input, a damaged or open
file) exit with code 2 and a plain message; there is never a traceback for those.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from engine import (
    CATEGORY_LABELS,
    RULE_COLUMNS,
    ParameterError,
    __version__,
    measure,
    parties_without_rationality,
    payoff_grid,
    range_problems,
    read_mapping,
)
from excel_addin.console import INTERRUPTED
from excel_addin.files.operations import check_workbook, new_workbook, run_workbook
from excel_addin.files.upgrade import upgrade_workbook
from excel_addin.workbook import contract_figures as comparison
from excel_addin.workbook import layout, risk_inputs
from excel_addin.workbook import risk_figures as risk_results
from excel_addin.workbook.errors import InvalidInputsError, WorkbookError
from excel_addin.workbook.sheets import portfolio as portfolio_sheet
from excel_addin.workbook.sheets import region as region_sheet
from excel_addin.workbook.sheets import term as term_sheet
from excel_addin.workbook.sheets.members import as_text

OK, INVALID = 0, 2
SHOW_COLUMNS = 11  # at most this many local-use columns unless --all (fewer on a narrow terminal)


@dataclass(frozen=True)
class Outcome:
    """What a command did: ``data`` for --json, ``show`` to print it for a person."""

    data: dict[str, Any]
    show: Callable[[Console], None]
    code: int = OK


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    arguments: tuple[tuple[tuple[str, ...], dict[str, Any]], ...]
    run: Callable[[argparse.Namespace], Outcome]


COMMANDS: dict[str, Command] = {}


def arg(*flags: str, **options: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """One argument of a command, as ``argparse.add_argument`` takes it."""
    return flags, options


def command(name: str, help: str, *arguments: tuple[tuple[str, ...], dict[str, Any]]) -> Callable:
    """Register the decorated function as the subcommand ``name``."""

    def register(run: Callable[[argparse.Namespace], Outcome]) -> Callable[[argparse.Namespace], Outcome]:
        COMMANDS[name] = Command(name, help, arguments, run)
        return run

    return register


WORKBOOK = arg("path", type=Path, metavar="WORKBOOK", help="the partnership workbook (.xlsx)")


@command(
    "new",
    "write a fresh template workbook",
    arg("path", type=Path, metavar="WORKBOOK", help="where to write it (.xlsx)"),
    arg("--force", action="store_true", help="replace the file if it exists"),
)
def new(args: argparse.Namespace) -> Outcome:
    path = new_workbook(args.path, force=args.force)
    return Outcome(
        {"ok": True, "command": "new", "path": str(path)},
        lambda out: out.print(
            f"Wrote a fresh template to {path}. Type your inputs on its Inputs sheet, then run:"
            f"\n  partnership run {path}"
        ),
    )


@command(
    "run",
    "compute the results and write them into the workbook",
    WORKBOOK,
    arg("--output", "-o", type=Path, metavar="OUT", help="write to OUT instead of changing WORKBOOK"),
    arg("--force", action="store_true", help="replace OUT even if it is not a workbook the model made"),
)
def run(args: argparse.Namespace) -> Outcome:
    summary = run_workbook(args.path, args.output, force=args.force)
    data = {
        "ok": True,
        "command": "run",
        "path": str(summary.source),
        "output": str(summary.output),
        "fingerprint": summary.fingerprint,
        "computed_at": summary.computed_at.isoformat(),
        "version": summary.version,
        "grid": [summary.occupancy_count, summary.local_use_count],
        "sheets": list(summary.sheets),
        "skipped": dict(summary.skipped),
    }

    def show(out: Console) -> None:
        out.print(
            f"Wrote results to {summary.output}: {summary.occupancy_count} occupancies × "
            f"{summary.local_use_count} local uses on {', '.join(summary.sheets)} "
            f"(inputs {summary.fingerprint}, {summary.computed_at:%Y-%m-%d %H:%M})."
        )
        for sheet, why in summary.skipped:
            out.print(f"Skipped {sheet}: {why}", markup=False, highlight=False)

    return Outcome(data, show)


@command("check", "validate the inputs only, and say whether the results are up to date", WORKBOOK)
def check(args: argparse.Namespace) -> Outcome:
    summary = check_workbook(args.path)
    count = len(layout.all_inputs())
    data = {
        "ok": True,
        "command": "check",
        "path": str(summary.path),
        "fingerprint": summary.inputs.fingerprint,
        "status": summary.status,
        "changed": summary.changed,
        "problems": [],
    }

    def show(out: Console) -> None:
        out.print(
            f"All {count} inputs of {summary.path} are valid (fingerprint {summary.inputs.fingerprint})."
        )
        changed = f" (changed: {', '.join(summary.changed)})" if summary.changed else ""
        out.print(f"{summary.status}{changed}")

    return Outcome(data, show)


@command(
    "show",
    "print one measure as an occupancy × local-use table",
    WORKBOOK,
    arg(
        "--measure", "-m", default="provider_surplus", metavar="NAME", help="a measure name, e.g. host_saving"
    ),
    arg("--all", action="store_true", help="every local-use column (default: what fits, at most 11)"),
)
def show_measure(args: argparse.Namespace) -> Outcome:
    spec = measure(args.measure)
    summary = check_workbook(args.path)
    inputs = summary.inputs
    values = payoff_grid(inputs.params, inputs.occupancy, inputs.local_use).values[spec.name]
    data = {
        "ok": True,
        "command": "show",
        "path": str(summary.path),
        "measure": spec.name,
        "label": spec.label,
        "unit": spec.unit,
        "fingerprint": inputs.fingerprint,
        "occupancy": inputs.occupancy.tolist(),
        "local_use": inputs.local_use.tolist(),
        "values": [[_json_number(v) for v in row] for row in values],
    }

    def show(out: Console) -> None:
        fit = max(3, min(SHOW_COLUMNS, (out.width - 8) // 10))
        columns = _columns(len(inputs.local_use), fit, args.all)
        unit = "£ thousand per year" if spec.unit == "£/year" else spec.unit
        title = f"{spec.label} ({unit}) – {summary.path.name}, inputs {inputs.fingerprint}"
        table = Table(title=title, caption=f"Rows: occupancy. Columns: local use. {summary.status}.")
        table.add_column("occ.", justify="right", style="bold")
        for j in columns:
            table.add_column(f"{inputs.local_use[j]:.0%}", justify="right")
        for i, o in enumerate(inputs.occupancy):
            table.add_row(f"{o:.0%}", *(_cell(values[i, j], spec.unit) for j in columns))
        out.print(table)

    return Outcome(data, show)


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
    point = _point_options({"occupancy": args.occupancy, "local_use": args.local_use})
    summary = check_workbook(args.path)
    result = comparison.compare_inputs(summary.inputs, **point)
    names = list(comparison.SHORT_LABELS)
    risk = result.risk_inputs
    data = {
        "ok": True,
        "command": "compare",
        "path": str(summary.path),
        "fingerprint": summary.inputs.fingerprint,
        "status": summary.status,
        "terms": result.terms.to_mapping(),
        "contracts": names,
        "point": {"occupancy": result.occupancy, "local_use": result.local_use},
        "figures": {
            n: {m: _json_number(result.at_point(m)[n]) for m in comparison.POINT_MEASURES} for n in names
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
                {k: v if isinstance(v, str) else _json_number(v) for k, v in record.items()}
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
        rows.append([f"{spec.label} ({_unit(spec.unit)})", *(_cell(values[n], spec.unit) for n in names)])
    out.print(_contract_table(title, "measure", rows))
    best = {party: comparison.SHORT_LABELS[name].lower() for party, name in result.best_at_point().items()}
    host, provider = best["host"], best["provider"]
    out.print(f"In this year the host pays least under {host}; the provider earns most under {provider}.")
    rows = [
        [record["label"], *(_cell(record[n], record["unit"]) for n in names)]
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


def _point_options(given: dict[str, str | None]) -> dict[str, float]:
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


def _unit(unit: str) -> str:
    return {"£/year": "£k/year", "share": "%"}.get(unit, unit)


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
        "ok": True,
        "command": "term",
        "path": str(summary.path),
        "fingerprint": summary.inputs.fingerprint,
        "status": summary.status,
        **report,
    }

    def show(out: Console) -> None:
        term_inputs = results.term
        out.print(
            f"{summary.path.name}: a {term_inputs.years}-year term at {term_sheet.point_words(results)}, "
            f"fees {term_sheet.rule_words(term_inputs.fee_uplift)}, discounted at "
            f"{term_inputs.discount_rate:.1%} a year (inputs {summary.inputs.fingerprint}; "
            f"{summary.status}).",
            highlight=False,
        )
        npvs = Table(title="Net present value over the term (£, today's money)")
        for heading in ("", "Partnership", "Spot market", "Partnership better by"):
            npvs.add_column(heading, justify="left" if not heading else "right")
        for key, label in (("provider_surplus", "Provider surplus"), ("host_net_cost", "Host net cost")):
            row = report["npv"][key]
            npvs.add_row(label, *(_cell(_nan(row[k]), "£") for k in ("partnership", "spot", "better_by")))
        out.print(npvs)
        rules = Table(title="Each fee uplift rule (the other rules as chosen)")
        for heading in ("Fee rule", "First year with a loss", "NPV provider surplus"):
            rules.add_column(heading, justify="left" if heading == "Fee rule" else "right")
        for kind, row in results.rules.iterrows():
            year = report["first_negative_year"][kind]
            chosen = " (chosen)" if kind == term_inputs.fee_uplift.kind else ""
            rules.add_row(
                f"{kind}{chosen}",
                "never" if year is None else str(year),
                _cell(row["npv_provider_surplus"], "£"),
            )
        out.print(rules)
        ret, rate = report["term_provider_return"], report["reasonable_return_uplift_rate"]
        out.print(
            f"Provider return on cost over the term: {_percent(ret)} "
            f"(reasonable return {_percent(report['reasonable_return'])}).",
            highlight=False,
        )
        out.print(
            "Fee uplift that gives the provider exactly its reasonable return: "
            + (f"{rate:.2%} a year." if rate is not None else "none from -50 % to +100 % a year."),
            highlight=False,
        )

    return Outcome(data, show)


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


@command(
    "upgrade",
    "copy the inputs of a workbook made by an earlier version into a fresh one (the old file is not changed)",
    arg("path", type=Path, metavar="OLD", help="the workbook made by an earlier version"),
    arg("--output", "-o", type=Path, metavar="NEW", help="the fresh workbook (default: OLD-upgraded.xlsx)"),
    arg("--force", action="store_true", help="replace NEW if it exists"),
)
def upgrade(args: argparse.Namespace) -> Outcome:
    summary = upgrade_workbook(args.path, args.output, force=args.force)
    data = {
        "ok": True,
        "command": "upgrade",
        "path": str(summary.source),
        "output": str(summary.target),
        "made_by": summary.made_by,
        "copied": list(summary.copied),
        "defaults": list(summary.defaults),
        "skipped": [{"name": name, "reason": why} for name, why in summary.skipped],
    }

    def show(out: Console) -> None:
        made = f" (made by partnership-model {summary.made_by})" if summary.made_by else ""
        out.print(
            f"Copied {len(summary.copied)} inputs of {summary.source.name}{made} into {summary.target}; "
            f"{summary.source.name} is unchanged.",
            markup=False,
        )
        if summary.defaults:
            missing = ", ".join(summary.defaults)
            out.print(f"Not in the old workbook, so at their defaults: {missing}.", markup=False)
        for name, why in summary.skipped:
            out.print(f"  • {name} was not copied: {why}", markup=False, highlight=False)
        out.print(f"Check the new workbook, then: partnership run {summary.target}", markup=False)

    return Outcome(data, show)


def _columns(count: int, fit: int, every: bool) -> list[int]:
    """Evenly spaced column indices, first and last included, as many as fit the terminal."""
    if every or count <= fit:
        return list(range(count))
    step = -(-(count - 1) // (fit - 1))  # ceiling: a regular step (every 20 % rather than 15, 35…)
    return sorted({*range(0, count, step), count - 1})


def _json_number(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _cell(value: float, unit: str) -> str:
    if not np.isfinite(value):
        return "–"
    if unit == "share":
        text = f"{value:.1%}"
    elif unit == "£/year":
        text = f"£{abs(value) / 1000:,.0f}k"
    elif unit.startswith("£"):
        text = f"£{abs(value):,.0f}"
    else:
        text = f"{value:,.2f}"
    if unit.startswith("£") and value < 0:
        text = f"-{text}"
    return f"[red]{text}[/red]" if value < 0 else text


@command(
    "lite",
    "write main.py and requirements.txt for the xlwings Lite editor (and an unprotected workbook for it)",
    arg("folder", type=Path, metavar="FOLDER", help="where to write them (created if needed)"),
    arg("--force", action="store_true", help="replace a main.py or requirements.txt it did not write"),
)
def lite(args: argparse.Namespace) -> Outcome:
    from excel_addin.cli.lite_files import write_lite
    from excel_addin.excel.lite import bundle_modules

    try:
        files = write_lite(args.folder, force=args.force)
    except OSError as error:
        raise WorkbookError(f"cannot write in {args.folder} ({error.strerror or error}).") from None
    size = files[0].stat().st_size
    data = {
        "ok": True,
        "command": "lite",
        "folder": str(args.folder),
        "files": [str(path) for path in files],
        "modules": len(bundle_modules()),
        "main_bytes": size,
    }

    def show(out: Console) -> None:
        out.print(f"Wrote {', '.join(path.name for path in files)} to {args.folder}.")
        out.print(
            "In Excel: open the workbook, start xlwings Lite, paste main.py into its main.py tab and "
            "requirements.txt into its requirements.txt tab; then =PM_GRID(...) works and run_model runs."
        )

    return Outcome(data, show)


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
        "ok": True,
        "command": "risk",
        "path": str(summary.path),
        "fingerprint": inputs.fingerprint,
        "status": summary.status,
        "uncertainty": {"source": u.source, "draws": draws, "seed": seed},
        "parties": {
            party: [
                {k: v if isinstance(v, str) else _json_number(v) for k, v in record.items()}
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
            grid = Table(title=f"{party.capitalize()}: partnership against the spot market")
            grid.add_column("figure", justify="left")
            for name in ("partnership", "spot"):
                grid.add_column(name, justify="right")
            grid.add_column("change", justify="right")
            for record in table.to_dict("records"):
                unit = record["unit"]
                grid.add_row(
                    record["label"],
                    *(
                        risk_results.value_text(record[key], unit)
                        for key in ("partnership", "spot", "change")
                    ),
                )
            out.print(grid)
            out.print(sentences[party], markup=False, highlight=False)

    return Outcome(data, show)


@command(
    "negotiate",
    "the terms both parties accept, today's terms judged, and the balanced deals (Nash, equal gains)",
    WORKBOOK,
)
def negotiate(args: argparse.Namespace) -> Outcome:
    summary = check_workbook(args.path)
    inputs = summary.inputs
    result = risk_results.agreement_of(inputs.values, inputs.params)
    sentences = risk_results.agreement_sentences(result)
    zone = result.zone.accepted()
    data = {
        "ok": True,
        "command": "negotiate",
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
                "holds_share": _json_number(r["holds_share"]),
                "blocks_alone": bool(r["blocks_alone"]),
                "closest": _json_number(r["closest"]),
                "short_by": _json_number(r["short_by"]),
                "closest_where": r["where"],
                "at": {term: _json_number(r[f"at_{term}"]) for term in result.terms},
            }
            for _, r in explanation.rules.iterrows()
        ],
        "gaps": [
            {key: value if isinstance(value, str) else _json_number(value) for key, value in gap.items()}
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
        "provider_gain": _json_number(row["provider_gain"]),
        "host_gain": _json_number(row["host_gain"]),
        "expected_provider_surplus": _json_number(row["mean(provider_surplus)"]),
        "expected_host_net_cost": _json_number(row["mean(host_net_cost)"]),
        "rules": [
            {
                "rule": risk_results.rule_words(rule),
                "figure": _json_number(risk_results.rule_figure(rule, row)),
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
    table.add_column("figure")
    for name in shown:
        table.add_column(risk_results.POINT_LABELS[name], justify="right")
    params, rows = result.params, []
    for term in result.terms:
        unit = risk_results.term_unit(params, term)
        rows.append((term, [risk_results.value_text(float(points[n][term]), unit) for n in shown]))
    rows.append(("who accepts", [CATEGORY_LABELS[points[n]["category"]] for n in shown]))
    for key, label in (
        ("provider_gain", "provider's gain over spot"),
        ("host_gain", "host's gain over spot"),
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


POINT_OPTIONS = (
    arg("--occupancy", metavar="O", help="the occupancy, e.g. 0.9 or 90%% (default: the sheet's)"),
    arg("--local-use", metavar="U", help="the local use (default: the sheet's)"),
)


@command(
    "region",
    "each member council's part at one point: what it pays and receives, net cost, saving against spot",
    WORKBOOK,
    *POINT_OPTIONS,
)
def region(args: argparse.Namespace) -> Outcome:
    return _member_statement(args, "region", region_sheet)


@command(
    "portfolio",
    "each home and the portfolio at one point, surplus shared per home and pooled, and the difference",
    WORKBOOK,
    *POINT_OPTIONS,
)
def portfolio(args: argparse.Namespace) -> Outcome:
    return _member_statement(args, "portfolio", portfolio_sheet)


def _member_statement(args: argparse.Namespace, name: str, sheet: Any) -> Outcome:
    """The Region or Portfolio sheet's statement, computed from the inputs now in the file."""
    point = _point_options({"occupancy": args.occupancy, "local_use": args.local_use})
    summary = check_workbook(args.path)
    empty = sheet.skip(summary.inputs.values)
    if empty:
        raise WorkbookError(f"{summary.path.name}: {empty}")
    result = sheet.statement(summary.inputs, point.get("occupancy"), point.get("local_use"))
    data = {
        "ok": True,
        "command": name,
        "path": str(summary.path),
        "fingerprint": summary.inputs.fingerprint,
        "status": summary.status,
        "title": result.title,
        "columns": result.columns,
        "rules": result.explained,
        "lines": result.records(),
        "notes": result.notes,
    }

    def show(out: Console) -> None:
        table = Table(title=f"{result.title} – {summary.path.name}", caption=summary.status)
        table.add_column("")
        for column in result.columns:
            table.add_column(column, justify="right")
        for label, values, number_format, style in result.lines:
            cells = [] if style == "heading" else [as_text(v, number_format) for v in values]
            table.add_row(label, *cells, style="bold" if style in ("heading", "total") else None)
        for line in result.explained:
            out.print(line, markup=False, highlight=False)
        out.print(table)
        for note in result.notes:
            out.print(note, markup=False, highlight=False)

    return Outcome(data, show)


def _failure(args: argparse.Namespace, error: Exception) -> Outcome:
    """An expected problem as an outcome with exit code 2 (no traceback)."""
    name = getattr(args, "command", "")
    if isinstance(error, InvalidInputsError):
        problems = [
            {"name": p.name, "label": p.label, "cell": p.where, "message": p.message} for p in error.located
        ]
        data = {"ok": False, "command": name, "error": "invalid_inputs", "problems": problems}
        tail = "; nothing was written and the file is unchanged" if name == "run" else ""
        count = len(problems)

        def show(out: Console) -> None:
            out.print(f"The inputs of {args.path} have {count} problem{'s' if count > 1 else ''}{tail}:")
            for problem in error.located:
                out.print(f"  • {problem}", markup=False, highlight=False)

        return Outcome(data, show, INVALID)
    kind = "workbook" if isinstance(error, WorkbookError) else "invalid_argument"
    message = str(error)
    data = {"ok": False, "command": name, "error": kind, "message": message}
    return Outcome(data, lambda out: out.print(message, markup=False, highlight=False), INVALID)


def build_parser() -> argparse.ArgumentParser:
    """The parser with one subparser per registered command (and --json on each)."""
    parser = argparse.ArgumentParser(
        prog="partnership",
        description="Commissioning Partnership Model: what a host council and a provider each get.",
    )
    parser.add_argument("--version", action="version", version=f"partnership-model {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print a JSON object instead of text")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for spec in COMMANDS.values():
        sub = commands.add_parser(spec.name, help=spec.help, description=spec.help, parents=[common])
        for flags, options in spec.arguments:
            sub.add_argument(*flags, **options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 0 on success, 2 for invalid inputs, a bad workbook or bad usage."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return INVALID
    try:
        outcome = COMMANDS[args.command].run(args)
    except (WorkbookError, ParameterError) as error:
        outcome = _failure(args, error)
    except KeyboardInterrupt:
        return _interrupted(args)
    except OSError as error:  # a disk or folder failing where no message of ours was ready
        outcome = _failure(args, WorkbookError(_os_words(error)))
    except MemoryError:
        outcome = _failure(args, WorkbookError("the computer ran out of memory; no file was changed."))
    try:
        _emit(outcome, args.json)
    except KeyboardInterrupt:
        return _interrupted(args)
    return outcome.code


def _interrupted(args: argparse.Namespace) -> int:
    """Ctrl-C: one line, exit code 130. Saves are atomic, so every file is its old or new self."""
    print(
        f"Stopped (Ctrl-C) during `partnership {args.command}`: each file is as it was before or as "
        "this command finished writing it, never half-written.",
        file=sys.stderr,
    )
    return INTERRUPTED


def _os_words(error: OSError) -> str:
    """An operating-system error in one line: what failed, on which file, and that nothing is half-written."""
    where = f" ({error.filename})" if error.filename else ""
    return f"{error.strerror or error}{where}; no file was left half-written."


def _emit(outcome: Outcome, as_json: bool) -> None:
    if as_json:
        print(json.dumps(outcome.data, indent=2, ensure_ascii=False))
        return
    stream = sys.stdout if outcome.code == OK else sys.stderr
    outcome.show(Console(file=stream, highlight=False, soft_wrap=True))


from excel_addin.cli import sweep as _sweep  # noqa: E402, F401  (registers `partnership sweep`)

if __name__ == "__main__":
    sys.exit(main())
