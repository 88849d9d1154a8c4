"""Regions and portfolios: councils' parts and homes per home and pooled on the grid,
against the single-host model on the same grid."""

from __future__ import annotations

import numpy as np

from engine import (
    Parameters,
    RegionRules,
    evaluate,
    portfolio_evaluate,
    portfolio_grid,
    portfolio_point,
    region_evaluate,
    region_grid,
    region_point,
)

from .timing import best_time, fmt_seconds, peak_memory

TITLE = "Regions and portfolios"


def _councils(count: int) -> list[list]:
    rng = np.random.default_rng(10)
    shares = rng.random((count, 2))
    shares /= shares.sum(axis=0)
    rows = [["council", "contribution_share", "use_share", "spot_price"]]
    rows += [[f"Council {i}", shares[i, 0], shares[i, 1], 6_000 + 100 * i] for i in range(count)]
    return rows


def _homes(count: int) -> list[list]:
    rows = [["home", "places", "fixed_cost", "reserved_places", "occupancy"]]
    rows += [
        [f"Home {i}", 2 + i % 5, 400_000 + 60_000 * (i % 5), 1 + i % 2, None if i % 3 else 0.85]
        for i in range(count)
    ]
    return rows


def run() -> str:
    params = Parameters()
    axis = np.linspace(0, 1, 101)
    o, u = axis[:, None], axis[None, :]
    mix = RegionRules(credit_rule="mix", credit_mix=0.3)
    cases = [
        ("single host (engine.evaluate), 101 × 101", lambda: evaluate(params, o, u), 20),
        (
            "region of 10 councils, region_evaluate 101 × 101",
            lambda: region_evaluate(params, _councils(10), o, u, mix),
            20,
        ),
        (
            "region of 100 councils, region_evaluate 101 × 101",
            lambda: region_evaluate(params, _councils(100), o, u),
            5,
        ),
        (
            "region of 3 councils, region_grid 21 × 21 (workbook)",
            lambda: region_grid(params, _councils(3)),
            20,
        ),
        ("region of 3 councils, region_point", lambda: region_point(params, _councils(3), 0.8, 0.5), 20),
        (
            "portfolio of 20 homes, portfolio_evaluate 101 × 101",
            lambda: portfolio_evaluate(params, _homes(20), o, u),
            10,
        ),
        (
            "portfolio of 2 homes, portfolio_grid 21 × 21 (workbook)",
            lambda: portfolio_grid(params, _homes(2)),
            20,
        ),
        ("portfolio of 2 homes, portfolio_point", lambda: portfolio_point(params, _homes(2), 0.8, 0.5), 20),
    ]
    lines = ["| case | best time | peak memory |", "|---|---|---|"]
    for name, fn, repeat in cases:
        lines.append(f"| {name} | {fmt_seconds(best_time(fn, repeat=repeat))} | {peak_memory(fn):.1f} MiB |")
    lines.append("")
    lines.append(
        "Each time includes reading and validating the member table from spreadsheet rows. Councils and "
        "homes are a leading array axis (no loop over grid cells)."
    )
    return "\n".join(lines)
