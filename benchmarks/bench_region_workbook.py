"""Region and Portfolio sheets: what they add to `partnership run`.

Planning the two sheets (engine calls + plan items) and writing their items into a
workbook, at the default and the finest grid, for the template's example (3 councils,
2 homes) and for 10 councils and 10 homes (the tables' full size).
"""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook

from excel_addin.files.openpyxl_apply import APPLY
from excel_addin.files.template import build_template
from excel_addin.workbook import layout
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.plan import Block, Item
from excel_addin.workbook.run import parse_inputs
from excel_addin.workbook.sheets import portfolio, region

from .timing import best_time, fmt_seconds

TITLE = "Workbook: Region and Portfolio sheets (plan and write)"
BIG_COUNCILS = [[f"Council {i + 1}", 0.1, 0.1, 6_000 + 100 * i] for i in range(10)]
BIG_HOMES = [[f"Home {i + 1}", 2 + i % 4, 500_000 + 60_000 * i, None, None, None, 1, None] for i in range(10)]


def _context(step: float, councils=None, homes=None) -> RunContext:
    """Inputs as the template holds them, with the grid step and member tables given."""
    wb = build_template()
    raw = {}
    for cell in layout.all_inputs():
        ws = wb[cell.sheet]
        rows = [
            [ws.cell(cell.row + i, cell.column + j).value for j in range(cell.columns)]
            for i in range(cell.rows)
        ]
        raw[cell.name] = rows if cell.is_table else rows[0][0]
    raw["occupancy_step"] = raw["local_use_step"] = step
    for name, rows in (("councils", councils), ("homes", homes)):
        if rows is not None:
            width = layout.input_cell(name).columns
            raw[name] = [*rows, *[[None] * width] * (layout.input_cell(name).rows - len(rows))]
    return RunContext(parse_inputs(raw), datetime(2025, 1, 1), "bench")


def _write(items: list[Item]) -> None:
    wb = Workbook()
    for name in (layout.REGION, layout.PORTFOLIO):
        wb.create_sheet(name)
    for item in items:
        APPLY[type(item)](wb, item)


def run() -> str:
    rows = []
    for label, step in (("21 × 21", 0.05), ("101 × 101", 0.01)):
        for members, councils, homes in (
            ("3 councils, 2 homes", None, None),
            ("10 + 10", BIG_COUNCILS, BIG_HOMES),
        ):
            ctx = _context(step, councils, homes)
            repeat = 3 if step == 0.05 else 1

            def plan(ctx=ctx):
                return region.build(RunContext(ctx.inputs, ctx.computed_at, ctx.version)) + portfolio.build(
                    RunContext(ctx.inputs, ctx.computed_at, ctx.version)
                )

            planned = best_time(plan, repeat=repeat)
            items = plan()
            cells = sum(len(i.values) * max(len(r) for r in i.values) for i in items if isinstance(i, Block))
            written = best_time(lambda items=items: _write(items), repeat=repeat)
            rows.append((label, members, planned, written, cells))
    lines = [
        "| grid | members | plan (engine + items) | write into a workbook (openpyxl) | cells written |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {grid} | {members} | {fmt_seconds(plan)} | {fmt_seconds(write)} | {cells:,} |"
        for grid, members, plan, write, cells in rows
    ]
    lines += [
        "",
        "Each council adds two heat maps and each home one; saving the file (not timed here) grows with "
        "the cells written, as for the other sheets.",
    ]
    return "\n".join(lines)
