"""`partnership region` and `partnership portfolio`: each council's or home's statement."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from excel_addin.cli.contract_commands import point_options
from excel_addin.cli.envelope import WORKBOOK, Outcome, arg, command
from excel_addin.files.operations import check_workbook
from excel_addin.workbook.errors import WorkbookError
from excel_addin.workbook.sheets import portfolio as portfolio_sheet
from excel_addin.workbook.sheets import region as region_sheet
from excel_addin.workbook.sheets.members import as_text

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
    point = point_options({"occupancy": args.occupancy, "local_use": args.local_use})
    summary = check_workbook(args.path)
    empty = sheet.skip(summary.inputs.values)
    if empty:
        raise WorkbookError(f"{summary.path.name}: {empty}")
    result = sheet.statement(summary.inputs, point.get("occupancy"), point.get("local_use"))
    data = {
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
