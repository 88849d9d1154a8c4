"""`partnership sweep`: the Agreement sheet's rules over a fine sweep of terms × simulated years.

The Agreement sheet sweeps two terms over at most 101 values each under up to 100,000 years;
a commissioning body pricing a region asks for hundreds of values of two or three terms. This
command reads the sheet's rules, uncertainty and seed from the workbook, plans the sweep with
the engine (``engine.plan_sweep``) and runs its chunks in this process or on a dask cluster
(``excel_addin.cli.cluster``). Nothing is written into the workbook.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from engine import (
    CATEGORY_LABELS,
    ParameterError,
    as_zone,
    balanced_points,
    best_accepted,
    default_range,
    member_summaries,
    parse_lever,
    plan_sweep,
    portfolio_members,
    region_members,
    sweep_summary,
)
from excel_addin.cli.cluster import parse_scheduler, run_chunks
from excel_addin.cli.envelope import WORKBOOK, Outcome, arg, command
from excel_addin.cli.formatting import json_number, nan_of
from excel_addin.files.operations import check_workbook
from excel_addin.workbook import risk_figures as figures
from excel_addin.workbook import risk_inputs
from excel_addin.workbook.errors import WorkbookError
from excel_addin.workbook.sheets import portfolio as portfolio_sheet
from excel_addin.workbook.sheets import region as region_sheet

STOPPED = 130  # the shell's code for a run stopped by Ctrl-C
BEST_METHOD = "Best accepted point of the sweep: the largest product of gains among the swept combinations"
PROGRESS_AFTER = 2.0  # seconds: a quicker run shows no progress bar
OUT_FORMATS = {".parquet": "Parquet", ".pq": "Parquet", ".csv": "CSV"}
MEMBER_SHEETS = {"region": ("Region", region_sheet), "portfolio": ("Portfolio", portfolio_sheet)}


@command(
    "sweep",
    "the Agreement sheet's rules over a fine sweep of terms × simulated years, here or on a dask cluster",
    WORKBOOK,
    arg(
        "--terms",
        action="append",
        metavar="NAME=LOW:HIGH:COUNT",
        help="a term to sweep, e.g. host_contribution=100000:300000:201; repeat for each term "
        "(default: the Agreement sheet's two terms)",
    ),
    arg("--draws", type=int, metavar="N", help="simulated years (default: the Risk sheet's)"),
    arg(
        "--scheduler",
        default="none",
        metavar="WHERE",
        help="none (this process), local[:WORKERS] (a local dask cluster, default one worker per core) "
        "or a scheduler's address such as tcp://host:8786",
    ),
    arg("--memory-gb", type=float, default=1.0, metavar="GB", help="memory bound of one worker (default 1)"),
    arg("--out", type=Path, metavar="FILE", help="write every term combination's figures (.parquet or .csv)"),
    arg(
        "--members",
        choices=("auto", "region", "portfolio", "none"),
        default="auto",
        help="judge every council of the Region table or every home of the Portfolio table, and them "
        "together (default: the filled table, the Region table if both are; none: the Inputs sheet's home)",
    ),
)
def sweep(args: argparse.Namespace) -> Outcome:
    scheduler = parse_scheduler(args.scheduler)
    out_format = _out_format(args.out)
    summary = check_workbook(args.path)
    values, params = summary.inputs.values, summary.inputs.params
    rules = risk_inputs.rules_of(values)
    uncertainty = risk_inputs.uncertainty_of(values)
    draws = int(values["draws"]) if args.draws is None else args.draws  # the Risk sheet's years
    seed = int(values["seed"])
    terms = [parse_lever(text) for text in args.terms] if args.terms else _sheet_terms(values, params)
    if not math.isfinite(args.memory_gb) or args.memory_gb <= 0:
        raise ParameterError([("memory", f"--memory-gb {args.memory_gb:g} must be more than 0")])
    filled = [kind for kind, (_, sheet) in MEMBER_SHEETS.items() if sheet.skip(values) is None]
    kind = _members_kind(args.members, filled)
    members = None
    if kind == "region":
        members = region_members(region_sheet.councils_of(values), region_sheet.rules_of(values))
    elif kind == "portfolio":
        members = portfolio_members(portfolio_sheet.homes_of(values), params)
    plan = plan_sweep(
        params,
        rules,
        terms,
        uncertainty,
        draws,
        seed,
        memory_bytes=int(args.memory_gb * 2**30),
        members=members,
    )
    started = time.perf_counter()
    try:
        with _ProgressBar(plan.chunks, args.json) as progress:
            table = run_chunks(plan, scheduler, progress)
    except KeyboardInterrupt:
        message = "Stopped: the sweep was interrupted and its workers closed; nothing was written."
        stopped: dict[str, Any] = {"error": "stopped", "message": message}
        return Outcome(stopped, lambda out: out.print(message, markup=False), STOPPED)
    seconds = time.perf_counter() - started
    if members is None:
        zone, points, by_member = sweep_summary(plan, table), _points(plan, table), None
    else:
        by_member = member_summaries(plan, table)
        zone = by_member["members"][members.combined[0]]
        points = {
            name: _point(plan, best_accepted(table[table["member"] == name]), BEST_METHOD)
            for name in members.names
        }
    if args.out is not None:
        _write(table, args.out, out_format)
    not_swept = [MEMBER_SHEETS[name][0] for name in filled if name != kind]
    data: dict[str, Any] = {
        "path": str(summary.path),
        "fingerprint": summary.inputs.fingerprint,
        "scheduler": args.scheduler,
        "cells": plan.cells,
        "combinations": plan.combinations,
        "draws": plan.draws,
        "seed": plan.seed,
        "chunks": plan.chunks,
        "seconds": seconds,
        "rules": [rule.text for rule in plan.rules],
        "members": kind,
        "zone": zone,
        "points": points,
        "by_member": by_member,
        "out": str(args.out) if args.out is not None else None,
        "not_swept": not_swept,
    }
    return Outcome(data, lambda out: _show(out, summary.path.name, scheduler.text, data, plan))


def _members_kind(choice: str, filled: list[str]) -> str:
    """Which members to judge: the one asked for (its table must be filled), or the filled table."""
    if choice == "auto":
        return filled[0] if filled else "none"
    if choice != "none" and choice not in filled:
        name = MEMBER_SHEETS[choice][0]
        raise ParameterError(
            [("members", f"--members {choice}: the {name} table on the Inputs sheet is empty")]
        )
    return choice


def _sheet_terms(values: dict[str, Any], params: Any) -> list[tuple[str, float, float, int]]:
    """The Agreement sheet's two terms, ranges (or their usual ranges) and steps."""
    names, ranges, steps = risk_inputs.zone_settings(values)
    found = []
    for name, count in zip(names, steps, strict=True):
        low, high = ranges[name] if name in ranges else default_range(params, name)
        found.append((name, float(low), float(high), int(count)))
    return found


def _points(plan: Any, table: pd.DataFrame) -> dict[str, Any]:
    """The balanced points: the workbook's (two terms), or the best accepted point of the sweep."""
    zone = as_zone(plan, table)
    if zone is not None:
        balanced = balanced_points(zone).set_index("point")
        rows = {name: balanced.loc[name] for name in ("nash", "equal_gains")}
        return {
            name: _point(plan, row if bool(row["found"]) else None, str(row["method"]))
            for name, row in rows.items()
        }
    return {"best_accepted": _point(plan, best_accepted(table), BEST_METHOD)}


def _point(plan: Any, row: Any, method: str) -> dict[str, Any]:
    if row is None:
        return {"found": False, "method": method}
    return {
        "found": True,
        "method": method,
        "terms": {name: float(row[name]) for name in plan.terms},
        "category": row["category"],
        "provider_gain": json_number(row["provider_gain"]),
        "host_gain": json_number(row["host_gain"]),
        "rules": [
            {"rule": rule.text, "figure": json_number(row[rule.key]), "holds": bool(row[f"rule_{i}"])}
            for i, rule in enumerate(plan.rules, start=1)
        ],
    }


def _out_format(path: Path | None) -> str | None:
    if path is None:
        return None
    found = OUT_FORMATS.get(path.suffix.casefold())
    if found is None:
        raise ParameterError([("out", f"--out {path}: name a .parquet or .csv file")])
    if not path.parent.exists():
        raise ParameterError([("out", f"--out {path}: the folder {path.parent} does not exist")])
    return found


def _write(table: pd.DataFrame, path: Path, out_format: str | None) -> None:
    """The tidy table: one row per term combination."""
    try:
        if out_format == "Parquet":
            table.to_parquet(path, index=False)
        else:
            table.to_csv(path, index=False)
    except ImportError:
        raise ParameterError(
            [("out", "writing Parquet needs pyarrow: pip install 'partnership-model[scale]', or use .csv")]
        ) from None
    except OSError as error:
        raise WorkbookError(f"cannot write {path} ({error.strerror or error}).") from None


class _ProgressBar:
    """A progress bar on the terminal once a run has taken PROGRESS_AFTER seconds."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet = total, quiet
        self.console = Console(stderr=True)
        self.started = time.perf_counter()
        self.bar: Progress | None = None

    def __enter__(self):
        return self.update

    def update(self, done: int) -> None:
        if self.quiet or not self.console.is_terminal:
            return
        if self.bar is None and time.perf_counter() - self.started >= PROGRESS_AFTER and done < self.total:
            self.bar = Progress(
                TextColumn("Sweeping"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("chunks"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("sweep", total=self.total)
        if self.bar is not None:
            self.bar.update(self.task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _show(out: Console, file: str, where: str, data: dict[str, Any], plan: Any) -> None:
    out.print(
        f"Sweep – {file}: {data['combinations']:,} term combinations × {data['draws']:,} simulated years "
        f"(seed {data['seed']}) = {data['cells']:,} evaluations in {data['chunks']:,} chunks on {where}, "
        f"{data['seconds']:.1f} s.",
        markup=False,
        highlight=False,
    )
    if data["by_member"] is None:
        _show_zone(out, data, plan)
    else:
        _show_members(out, data, plan)
    if data["out"]:
        out.print(f"Wrote every combination's figures to {data['out']}.", markup=False)
    if data["not_swept"]:
        swept = {"none": "the one home of the Inputs sheet", "region": "the Region table's councils"}.get(
            data["members"], "the Portfolio table's homes"
        )
        out.print(
            f"The {' and '.join(data['not_swept'])} table is not swept: this is {swept} "
            f"(--members {data['not_swept'][0].lower()} sweeps it).",
            markup=False,
        )


def _extent_words(plan: Any, extent: dict[str, list[float]] | None) -> str:
    if not extent:
        return "nowhere"
    return " and ".join(
        f"{figures.lever_label(plan.params, name)} "
        f"{figures.value_text(low, figures.term_unit(plan.params, name))}–"
        f"{figures.value_text(high, figures.term_unit(plan.params, name))}"
        for name, (low, high) in extent.items()
    )


def _show_zone(out: Console, data: dict[str, Any], plan: Any) -> None:
    zone = data["zone"]
    shares = ", ".join(
        f"{CATEGORY_LABELS[name].lower()} {figures.value_text(share, 'share')}"
        for name, share in zone["shares"].items()
    )
    out.print(f"Verdicts: {shares}.", markup=False, highlight=False)
    if zone["extent"]:
        out.print(f"Both accept within {_extent_words(plan, zone['extent'])}.", markup=False, highlight=False)
    else:
        out.print("No swept terms are accepted by both parties.", markup=False)
    for point in data["points"].values():
        if not point["found"]:
            out.print(point["method"], markup=False, highlight=False)
            continue
        table = Table(title=point["method"])
        table.add_column("figure")
        table.add_column("value", justify="right")
        for term, value in point["terms"].items():
            label = figures.lever_label(plan.params, term)
            table.add_row(label, figures.value_text(value, figures.term_unit(plan.params, term)))
        table.add_row("who accepts", CATEGORY_LABELS[point["category"]])
        table.add_row("provider's gain over spot", figures.money(nan_of(point["provider_gain"])))
        table.add_row("host's gain over spot", figures.money(nan_of(point["host_gain"])))
        for rule, entry in zip(plan.rules, point["rules"], strict=True):
            figure = figures.value_text(nan_of(entry["figure"]), figures.rule_unit(rule))
            table.add_row(figures.rule_words(rule), f"{figure} {'✓' if entry['holds'] else '✗'}")
        out.print(table)


def _show_members(out: Console, data: dict[str, Any], plan: Any) -> None:
    """One row per council (home) and for them together: where both accept, and the best accepted point."""
    who = "council" if data["members"] == "region" else "home"
    table = Table(title=f"Each {who}: where both parties accept, and the best accepted point of the sweep")
    for heading in (who.capitalize(), "Both accept", "Where", "Best point", "Provider's gain", "Host's gain"):
        table.add_column(
            heading, justify="right" if "gain" in heading or heading == "Both accept" else "left"
        )
    for name, zone in data["by_member"]["members"].items():
        point = data["points"][name]
        at = (
            ", ".join(
                figures.value_text(value, figures.term_unit(plan.params, term))
                for term, value in point["terms"].items()
            )
            if point["found"]
            else "–"
        )
        gains = [
            figures.money(nan_of(point[g])) if point["found"] else "–" for g in ("provider_gain", "host_gain")
        ]
        table.add_row(
            name,
            figures.value_text(zone["shares"]["both"], "share"),
            _extent_words(plan, zone["extent"]),
            at,
            *gains,
        )
    out.print(table)
    every = data["by_member"]["every"]
    out.print(
        f"Every {who} in the zone (both parties accept for each): "
        f"{figures.value_text(every['share'], 'share')} of the combinations, "
        f"{_extent_words(plan, every['extent'])}.",
        markup=False,
        highlight=False,
    )
