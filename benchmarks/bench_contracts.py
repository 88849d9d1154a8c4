"""Contracts benchmark: four contracts on 101×101 and on 1,000,000 random points,
the tidy comparison table and the best-contract maps the Compare sheet redraws."""

from __future__ import annotations

import numpy as np

from engine import (
    ContractTerms,
    Parameters,
    best_for_host,
    best_for_provider,
    compare_contracts,
    evaluate,
    evaluate_contracts,
)

from .timing import best_time, fmt_seconds, peak_memory

TITLE = "Contracts: spot, block, open book and partnership side by side"


def run() -> str:
    params, terms = Parameters(), ContractTerms()
    axis = np.linspace(0, 1, 101)
    o_grid, u_grid = axis[:, None], axis[None, :]
    rng = np.random.default_rng(20261126)
    o_pts, u_pts = rng.random(1_000_000), rng.random(1_000_000)
    frame = compare_contracts(params, terms, axis, axis)

    def maps() -> None:
        best_for_host(frame)
        best_for_provider(frame)

    def sheet() -> None:
        table = compare_contracts(params, terms)
        best_for_host(table)
        best_for_provider(table)

    engine_time = best_time(lambda: evaluate(params, o_grid, u_grid), repeat=20)
    grid_time = best_time(lambda: evaluate_contracts(params, terms, o_grid, u_grid), repeat=20)
    grid_mem = peak_memory(lambda: evaluate_contracts(params, terms, o_grid, u_grid))
    points_time = best_time(lambda: evaluate_contracts(params, terms, o_pts, u_pts), repeat=3)
    points_mem = peak_memory(lambda: evaluate_contracts(params, terms, o_pts, u_pts))
    frame_time = best_time(lambda: compare_contracts(params, terms, axis, axis), repeat=10)
    maps_time = best_time(maps, repeat=10)
    sheet_time = best_time(sheet, repeat=10)

    rows = [
        ("engine.evaluate alone, 101 × 101 (for scale)", engine_time, "", True, ""),
        (
            "evaluate_contracts, 4 contracts, 101 × 101",
            grid_time,
            "< 10 ms",
            grid_time < 10e-3,
            f"{grid_mem:.1f} MiB",
        ),
        (
            "evaluate_contracts, 1,000,000 random points",
            points_time,
            "< 1 s",
            points_time < 1,
            f"{points_mem:.0f} MiB",
        ),
        (
            "compare_contracts tidy table, 101 × 101 (40,804 rows)",
            frame_time,
            "< 0.2 s",
            frame_time < 0.2,
            "",
        ),
        ("best_for_host + best_for_provider, 101 × 101", maps_time, "< 0.2 s", maps_time < 0.2, ""),
        (
            "Compare sheet refresh: default 21 × 21 table and both maps",
            sheet_time,
            "< 0.1 s",
            sheet_time < 0.1,
            "",
        ),
    ]
    lines = ["| case | best time | target | met | peak memory |", "|---|---|---|---|---|"]
    for name, seconds, target, met, memory in rows:
        lines.append(f"| {name} | {fmt_seconds(seconds)} | {target} | {'yes' if met else 'NO'} | {memory} |")
    lines.append("")
    lines.append(
        f"Four contracts cost {grid_time / engine_time:.1f}× one engine evaluation on the same grid "
        "(engine.compute runs once; the contracts add a few array operations each)."
    )
    return "\n".join(lines)
