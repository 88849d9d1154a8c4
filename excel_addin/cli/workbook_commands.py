"""`partnership new`, `run`, `check`, `show` and `upgrade`: one workbook file, end to end."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from engine import (
    ParameterError,
    measure,
    payoff_grid,
)
from excel_addin.cli.envelope import WORKBOOK, Outcome, arg, command
from excel_addin.cli.formatting import (
    cell_text,
    json_number,
    pages_to_fit,
    spaced_to_fit,
    terminal_width,
    text_width,
)
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
        labels = [_input_label(name) for name in summary.changed]
        changed = f" (changed: {', '.join(labels)})" if labels else ""
        out.print(f"{summary.status}{changed}")

    return Outcome(data, show)


def _input_label(name: str) -> str:
    """An input as its label says it ("Local fee"), with its sheet when not the Inputs sheet."""
    cell = layout.input_cell(name)
    if cell is None:
        return name
    return cell.label if cell.sheet == layout.INPUTS else f"{cell.label} ({cell.sheet} sheet)"


@command(
    "show",
    "print one measure as an occupancy × local-use table",
    WORKBOOK,
    arg(
        "--measure", "-m", default="provider_surplus", metavar="NAME", help="a measure name, e.g. host_saving"
    ),
    arg(
        "--all",
        action="store_true",
        help="every local-use column, in parts that each fit the terminal (default: as many as fit)",
    ),
    arg("--columns", metavar="U,U,…", help="only these local-use columns, e.g. 0.5,0.6 or 50%%,60%%"),
)
def show_measure(args: argparse.Namespace) -> Outcome:
    spec = measure(args.measure)
    summary = check_workbook(args.path)
    inputs = summary.inputs
    chosen = None if args.columns is None else chosen_columns(args.columns, inputs.local_use)
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
        room = terminal_width()
        headers = [f"{u:.0%}" for u in inputs.local_use]
        cells = [[cell_text(v, spec.unit) for v in row] for row in text_values]
        gap = f" {PER_WEEK_NOTE.replace('Empty cells', '–')}" if spec.name in GAP_NOTES else ""
        columns = zip(headers, zip(*cells, strict=True), strict=True)
        widths = [max(text_width(text) for text in (h, *column)) for h, column in columns]
        first = max(len(FIRST_HEADER), *(len(f"{o:.0%}") for o in inputs.occupancy))
        if chosen is not None:
            pages = [chosen]
        elif args.all:
            pages = pages_to_fit(first, widths, room)
        else:
            pages = [spaced_to_fit(first, widths, room)]
        unit = "£ thousand per year" if spec.unit == "£/year" else spec.unit
        title = f"{spec.label} ({unit}) – {summary.path.name}, inputs {inputs.fingerprint}"
        for k, page in enumerate(pages, start=1):
            part = f" (part {k} of {len(pages)})" if len(pages) > 1 else ""
            last = k == len(pages)
            caption = f"Rows: occupancy. Columns: local use.{gap} {summary.status}." if last else None
            table = Table(title=title + part, caption=caption)
            table.add_column(FIRST_HEADER, justify="right", style="bold", no_wrap=True)
            for j in page:
                table.add_column(headers[j], justify="right", no_wrap=True)
            for i, row in enumerate(cells):
                table.add_row(headers_of(inputs.occupancy)[i], *(row[j] for j in page))
            out.print(table, width=room)
        note = left_out_note([j for page in pages for j in page], inputs.local_use, room, len(pages))
        if note:
            out.print(note, markup=False, highlight=False)

    return Outcome(data, show)


FIRST_HEADER = "occ."


def headers_of(axis: np.ndarray) -> list[str]:
    return [f"{v:.0%}" for v in axis]


def left_out_note(shown: list[int], local_use: np.ndarray, room: int, parts: int) -> str | None:
    """One line: which local-use columns the table left out and how to see them (None: all shown)."""
    count = len(local_use)
    if parts > 1:
        return (
            f"All {count} local-use columns, in {parts} parts that each fit {room} characters "
            "(a wider terminal, or COLUMNS=200, shows more at once)."
        )
    missing = [j for j in range(count) if j not in shown]
    if not missing:
        return None
    names = ", ".join(f"{local_use[j]:.0%}" for j in missing[:4]) + (", …" if len(missing) > 4 else "")
    example = ",".join(f"{local_use[j]:g}" for j in missing[:2])
    return (
        f"{len(shown)} of {count} local-use columns shown; left out {len(missing)} ({names}). "
        f"To see them: --all (in parts that fit) or --columns {example}."
    )


def chosen_columns(text: str, local_use: np.ndarray) -> list[int]:
    """--columns "0.5,0.6" (or "50%,60%") as the grid's column indices; ParameterError if one is not there."""
    chosen, problems = [], []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        try:
            value = float(part[:-1]) / 100 if part.endswith("%") else float(part)
        except ValueError:
            problems.append(f"'{part}' is not a share such as 0.5 or 50%")
            continue
        match = np.flatnonzero(np.isclose(local_use, value, rtol=0, atol=1e-9))
        if match.size:
            chosen.append(int(match[0]))
        else:
            problems.append(f"{part} is not a local use of the grid")
    if problems or not chosen:
        grid = f"{local_use[0]:.0%} to {local_use[-1]:.0%} in steps of {np.diff(local_use[:2]).sum():.0%}"
        words = "; ".join(problems) or "no columns given"
        raise ParameterError([("columns", f"--columns: {words} (the grid's local uses run {grid})")])
    return sorted(set(chosen))


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
