"""Risk and negotiation benchmark (issue 6): Monte Carlo risk figures and the agreement zone."""

from __future__ import annotations

from engine import (
    Parameters,
    Uncertainty,
    agreement_zone,
    balanced_points,
    draw_outcomes,
    grid_outcomes,
    monte_carlo,
    tornado,
)

from .timing import best_time, fmt_seconds, peak_memory

TITLE = "Risk and negotiation: Monte Carlo and the agreement zone"

# Looser rules than the example's, so balanced points are timed on a wide zone.
RULES = (
    ("provider", "probability_of_loss", "provider_surplus", "<=", 0.30),
    ("provider", "mean", "provider_margin", ">=", 0.0),
    ("host", "mean", "host_saving", ">=", 0.0),
    ("host", "p90", "host_cost_per_local_week", "<=", 7_000.0),
)


def run() -> str:
    params = Parameters()
    correlated = Uncertainty(
        correlation=0.5,
        fixed_cost_growth_low=0.0,
        fixed_cost_growth_most_likely=0.03,
        fixed_cost_growth_high=0.08,
    )
    equal = grid_outcomes()

    def mc() -> object:
        return monte_carlo(params, draws=1_000_000)

    def mc_correlated() -> object:
        return monte_carlo(params, correlated, draws=1_000_000)

    def zone() -> object:  # default outcomes: the 21 × 21 grid weighted by the default distributions
        return agreement_zone(params, RULES, steps=200)

    def zone_equal() -> object:
        return agreement_zone(params, RULES, steps=200, outcomes=equal)

    swept = zone()
    draws = draw_outcomes(draws=2_000)

    rows = [
        ("Monte Carlo, 1,000,000 draws (PERT, independent)", best_time(mc, repeat=3), peak_memory(mc), 1.0),
        (
            "Monte Carlo, 1,000,000 draws (correlated, fixed-cost growth)",
            best_time(mc_correlated, repeat=3),
            peak_memory(mc_correlated),
            1.0,
        ),
        (
            "Agreement zone 200 × 200 terms × 21 × 21 outcomes (17.6 M cells), 4 rules, weighted grid",
            best_time(zone, repeat=3),
            peak_memory(zone),
            3.0,
        ),
        (
            "Agreement zone 200 × 200 × 21 × 21, equal weights",
            best_time(zone_equal, repeat=3),
            peak_memory(zone_equal),
            None,
        ),
        (
            "Balanced points (Nash and equal gains, refined) on that zone",
            best_time(lambda: balanced_points(swept), repeat=3),
            peak_memory(lambda: balanced_points(swept)),
            None,
        ),
        (
            "Agreement zone 41 × 41 terms × 2,000 Monte Carlo draws (3.4 M cells)",
            best_time(lambda: agreement_zone(params, RULES, outcomes=draws), repeat=3),
            peak_memory(lambda: agreement_zone(params, RULES, outcomes=draws)),
            None,
        ),
        (
            "Tornado, 16 terms at the expected outcome",
            best_time(lambda: tornado(params), repeat=5),
            None,
            None,
        ),
    ]
    lines = [
        "| case | best time | target | met | peak memory |",
        "|---|---|---|---|---|",
    ]
    for name, seconds, memory, target in rows:
        memory_text = "" if memory is None else f"{memory:,.0f} MiB"
        if target is None:
            target_text, met = "", ""
        else:
            memory_ok = memory is None or target != 3.0 or memory < 2048
            target_text = f"< {target:g} s" + (" and < 2 GB" if target == 3.0 else "")
            met = "yes" if seconds < target and memory_ok else "NO"
        lines.append(f"| {name} | {fmt_seconds(seconds)} | {target_text} | {met} | {memory_text} |")
    lines.append("")
    lines.append(
        "Peak memory is tracemalloc's peak of Python and numpy allocations during one call. The zone is "
        "evaluated in chunks of 131,072 cells (terms × outcomes) per `compute` call, so its memory does not "
        "grow with the sweep."
    )
    return "\n".join(lines)
