"""Risk and Agreement sheets: what they add to `partnership run`, and `partnership negotiate`.

The template's defaults are the case that matters: 10,000 Monte Carlo draws on the Risk
sheet, and a 41 × 41 sweep judged over the same draws on the Agreement sheet. Each sheet's build
is timed on its own (engine + plan), then a whole run of the default workbook, then the
negotiate command's computation, and how the Agreement sheet grows with the sweep.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from engine import __version__
from excel_addin.files.operations import load_inputs, new_workbook, run_workbook
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.risk_figures import agreement_of, risk_of
from excel_addin.workbook.sheets import agreement, risk

from .timing import best_time, fmt_seconds, peak_memory

TITLE = "Risk and Agreement sheets: build times and a whole run of the default workbook"


def _context(path: Path) -> RunContext:
    _, inputs = load_inputs(path)
    return RunContext(inputs, datetime.now().replace(microsecond=0), __version__)


def run() -> str:
    folder = Path(tempfile.mkdtemp(prefix="bench-risk-workbook-"))
    path = new_workbook(folder / "default.xlsx")
    ctx = _context(path)
    values, params = ctx.inputs.values, ctx.inputs.params
    rows = [
        (
            "Risk: 10,000 draws (the default), tables and histograms (engine)",
            best_time(lambda: risk_of(values, params), 3),
            "",
        ),
        ("Risk sheet build (engine + plan)", best_time(lambda: risk.build(ctx), 3), ""),
        (
            "Agreement: 41 × 41 zone over 10,000 draws, balanced points, tornado (engine)",
            best_time(lambda: agreement_of(values, params), 3),
            f"{peak_memory(lambda: agreement_of(values, params)):.0f} MiB",
        ),
        ("Agreement sheet build (engine + plan)", best_time(lambda: agreement.build(ctx), 3), ""),
        (
            "`partnership run` of the default workbook, every sheet",
            best_time(lambda: run_workbook(path), 2),
            "",
        ),
    ]
    for steps, draws in ((21, 10_000), (41, 5_000), (61, 10_000)):
        changed = dict(values)
        changed["zone_terms"] = [[row[0], row[1], row[2], steps] for row in values["zone_terms"]]
        changed["draws"] = draws  # the Agreement sheet judges over the Risk sheet's draws
        rows.append(
            (
                f"Agreement engine, {steps} × {steps} over {draws:,} draws",
                best_time(lambda changed=changed: agreement_of(changed, params), 2),
                "",
            )
        )
    lines = ["| case | best time | peak memory |", "|---|---|---|"]
    lines += [f"| {name} | {fmt_seconds(seconds)} | {memory} |" for name, seconds, memory in rows]
    lines += [
        "",
        "Times are medians of 5 runs on a 2-core machine shared with other work; the sweep dominates, "
        "in proportion to pairs × draws (the balanced points add a fixed number of local refinements).",
    ]
    return "\n".join(lines)
