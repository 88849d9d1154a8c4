"""An independent, scalar, pure-Python transcription of docs/model.md.

Written line by line from the specification without looking at ``engine.core.model``, so
tests can compare the vectorised engine against it, and the benchmark can time the
per-cell Python loop the engine replaces.
"""

from __future__ import annotations

import math


def reference_point(p: dict, o: float, u: float) -> dict[str, float]:
    N, W, F, v = p["places"], p["weeks_per_year"], p["fixed_cost"], p["variable_cost"]
    pL, pX, s, K = p["local_fee"], p["outside_fee"], p["spot_price"], p["host_contribution"]
    R, r, c, rho = (
        p["reserved_places"],
        p["release_share"],
        p["compensation_per_week"],
        p["reasonable_return"],
    )
    delta = p["deficit_support"]

    L = u * o * N
    X = (1 - u) * o * N
    L_unres = max(L - R, 0.0)
    X_rel = max(X - (N - R - L_unres), 0.0)
    fees = W * (L * pL + X * pX)
    revenue = fees + K
    cost = F + W * (L + X) * v
    compensation = c * W * X
    release_credit = r * pX * W * X_rel
    S0 = revenue - cost - compensation - release_credit
    threshold = rho * cost
    sigma = 0.0
    for lowest, share in p["share_tiers"]:
        if lowest <= u + 1e-9:
            sigma = share
    profit_share = sigma * max(S0 - threshold, 0.0)
    deficit_cover = delta * max(-S0, 0.0)
    surplus = S0 - profit_share + deficit_cover
    host_net = W * L * pL + K - compensation - release_credit - profit_share + deficit_cover
    spot_surplus = W * (L + X) * (pX - v) - F
    return {
        "provider_surplus": surplus,
        "provider_margin": surplus / revenue if revenue != 0 else math.nan,
        "profit_share": profit_share,
        "deficit_cover": deficit_cover,
        "release_credit": release_credit,
        "compensation": compensation,
        "host_net_cost": host_net,
        "host_cost_per_local_week": host_net / (W * L) if W * L != 0 else math.nan,
        "host_saving": W * L * s - host_net,
        "provider_spot_surplus": spot_surplus,
        "provider_gain": surplus - spot_surplus,
    }
