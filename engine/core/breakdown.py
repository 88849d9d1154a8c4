"""The cash flows behind one cell of the grid, line by line.

Each line is a payment between two of: host, provider, outside authorities and
suppliers (the provider's costs). Amounts are signed per party: + received, − paid,
so every line sums to zero across the parties and each party's column sums to its
total (−host_net_cost for the host, provider_surplus for the provider).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.core.model import evaluate
from engine.core.parameters import Parameters

PARTIES = ("host", "provider", "outside_authorities", "suppliers")

# (line, measure or amount name, formula, payer, payee)
LINES = (
    ("Local placement fees", "host_fees", "W·L·p_L", "host", "provider"),
    ("Host contribution", "host_contribution", "K", "host", "provider"),
    ("Outside placement fees", "outside_fees", "W·X·p_X", "outside_authorities", "provider"),
    ("Compensation for outside use", "compensation", "c·W·X", "provider", "host"),
    ("Release credit", "release_credit", "r·p_X·W·X_rel", "provider", "host"),
    ("Profit share", "profit_share", "σ(u)·max(S0 − ρ·cost, 0)", "provider", "host"),
    ("Deficit cover", "deficit_cover", "δ·max(−S0, 0)", "host", "provider"),
    ("Fixed cost", "fixed_cost", "F", "provider", "suppliers"),
    ("Variable cost", "variable_costs", "W·(L + X)·v", "provider", "suppliers"),
)


def breakdown(params: Parameters, occupancy: float, local_use: float) -> pd.DataFrame:
    """Cash-flow lines for one (occupancy, local_use), with a closing "Total" line.

    Columns: line, measure, formula, from, to, amount, and one signed column per party.
    """
    m = {name: float(value) for name, value in evaluate(params, occupancy, local_use).items()}
    amounts = {
        **m,
        "host_contribution": params.host_contribution,
        "outside_fees": m["outside_weeks"] * params.outside_fee,
        "fixed_cost": params.fixed_cost,
        "variable_costs": (m["local_weeks"] + m["outside_weeks"]) * params.variable_cost,
    }
    rows = []
    for line, name, formula, payer, payee in LINES:
        amount = amounts[name]
        signed = {party: 0.0 for party in PARTIES}
        signed[payer] -= amount
        signed[payee] += amount
        rows.append(
            {
                "line": line,
                "measure": name,
                "formula": formula,
                "from": payer,
                "to": payee,
                "amount": amount,
                **signed,
            }
        )
    frame = pd.DataFrame(rows)
    total = {party: float(np.sum(frame[party])) for party in PARTIES}
    total.update(host=-m["host_net_cost"], provider=m["provider_surplus"])
    rows.append(
        {"line": "Total", "measure": "", "formula": "", "from": "", "to": "", "amount": np.nan, **total}
    )
    return pd.DataFrame(rows)
