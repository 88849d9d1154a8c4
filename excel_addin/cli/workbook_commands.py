"""`partnership new`, `run`, `check`, `show` and `upgrade`: one workbook file, end to end."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from engine import (
    measure,
    payoff_grid,
)
from excel_addin.cli.envelope import WORKBOOK, Outcome, arg, command
from excel_addin.cli.formatting import SHOW_COLUMNS, cell_text, fit_columns, json_number
from excel_addin.files.operations import check_workbook, new_workbook, run_workbook
from excel_addin.files.upgrade import upgrade_workbook
from excel_addin.workbook import layout
from excel_addin.workbook.sheets.common import GAP_NOTES, PER_WEEK_NOTE, shown


@command(
    "new",
    "write a fresh template workbook",
    arg("path", type=Path, metavar="WORKBOOK", help="where to write it (.xlsx)"),
    arg("--force", action="store_true", help="replace the file if it exists"),
)
def new(args: argparse.Namespace) -> Outcome:
    path = new_workbook(args.path, force=args.force)
    return Outcome(
        {"path": str(path)},
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
    grid = payoff_grid(inputs.params, inputs.occupancy, inputs.local_use)
    values = grid.values[spec.name]
    text_values = shown(spec.name, values, grid.values["local_weeks"])  # as the sheets show it
    data = {
        "path": str(summary.path),
        "measure": spec.name,
        "label": spec.label,
        "unit": spec.unit,
        "fingerprint": inputs.fingerprint,
        "occupancy": inputs.occupancy.tolist(),
        "local_use": inputs.local_use.tolist(),
        "values": [[json_number(v) for v in row] for row in values],
    }

    def show(out: Console) -> None:
        fit = max(3, min(SHOW_COLUMNS, (out.width - 8) // 10))
        columns = fit_columns(len(inputs.local_use), fit, args.all)
        unit = "£ thousand per year" if spec.unit == "£/year" else spec.unit
        title = f"{spec.label} ({unit}) – {summary.path.name}, inputs {inputs.fingerprint}"
        note = f" {PER_WEEK_NOTE.replace('Empty cells', '–')}" if spec.name in GAP_NOTES else ""
        table = Table(title=title, caption=f"Rows: occupancy. Columns: local use.{note} {summary.status}.")
        table.add_column("occ.", justify="right", style="bold")
        for j in columns:
            table.add_column(f"{inputs.local_use[j]:.0%}", justify="right")
        for i, o in enumerate(inputs.occupancy):
            table.add_row(f"{o:.0%}", *(cell_text(text_values[i, j], spec.unit) for j in columns))
        out.print(table)

    return Outcome(data, show)


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
