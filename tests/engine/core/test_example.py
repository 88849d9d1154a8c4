"""The example inputs stay tied to the published figures they are calibrated on.

The example is the defaults of ``PARAMETERS``; ``engine.core.example`` says where each value comes
from and computes the checks with the engine. These tests compute the checks from today's
defaults, so changing an example value without re-calibrating fails here; the hand-worked
figures (docs/example.md) and the independent scalar model check the arithmetic.
"""

import numpy as np
import pytest

from engine import (
    CALIBRATION_TOLERANCE,
    CMA_PROFIT_PER_CHILD_WEEK,
    EMERGENCY_FEE,
    EXAMPLE_SOURCES,
    PARAMETERS,
    SPECS,
    TYPICAL_LOCAL_USE,
    TYPICAL_OCCUPANCY,
    Parameters,
    Uncertainty,
    calibration,
    calibration_lines,
    monte_carlo,
    spot_profit_per_child_week,
)
from excel_addin.workbook.guide import guide_items
from tests.support.reference_model import reference_point


def test_every_input_has_one_source_in_table_order():
    assert [s.name for s in EXAMPLE_SOURCES] == [spec.name for spec in PARAMETERS]
    assert {s.basis for s in EXAMPLE_SOURCES} <= {"calibrated", "illustrative", "definition"}
    assert all(s.source.strip() for s in EXAMPLE_SOURCES)


def test_spot_profit_per_child_week_matches_the_cma_figure():
    # The calibration check itself, from whatever the defaults are today: the provider's
    # spot-market surplus per occupied place-week at 85 % occupancy within 5 % of £910.
    profit = calibration()["spot_profit_per_child_week"]
    assert abs(profit / CMA_PROFIT_PER_CHILD_WEEK - 1) <= CALIBRATION_TOLERANCE
    assert TYPICAL_OCCUPANCY == 0.85


def test_spot_profit_by_hand_and_by_the_reference_model():
    # By hand, with the example: child-weeks = 52·0.85·4 = 176.8;
    # spot surplus = 176.8·(5,600 − 300) − 775,000 = 937,040 − 775,000 = 162,040;
    # per child per week 162,040 / 176.8 = 916.52 (0.7 % above the CMA's £910).
    p = Parameters()
    assert spot_profit_per_child_week(p, 0.85) == pytest.approx(162_040 / 176.8)
    scalar = reference_point(p.to_mapping(), 0.85, 0.3)["provider_spot_surplus"]
    assert spot_profit_per_child_week(p, 0.85) == pytest.approx(scalar / 176.8)
    # At 75 % occupancy: 156·5,300 − 775,000 = 51,800, i.e. £332 per child per week; the
    # old example (fixed cost £950,000) gave −£790 there and −£73 at 85 %.
    assert spot_profit_per_child_week(p, 0.75) == pytest.approx(51_800 / 156)
    old = p.replace(fixed_cost=950_000)
    assert spot_profit_per_child_week(old, 0.85) == pytest.approx(-12_960 / 176.8)


def test_spot_price_is_a_mix_of_standard_and_emergency_placements():
    # (6,500 − 5,600) / (10,000 − 5,600) = 900 / 4,400 = 20.45 % of spot placements are
    # emergencies: the spot price lies between the outside fee and the emergency fee.
    c = calibration()
    assert 0 < c["emergency_share"] < 0.5
    p = Parameters()
    assert p.outside_fee < p.spot_price < EMERGENCY_FEE
    assert c["emergency_share"] == pytest.approx(
        (p.spot_price - p.outside_fee) / (EMERGENCY_FEE - p.outside_fee)
    )


def test_opening_offer_gains_both_parties_in_a_typical_year():
    # A plausible opening offer: at 85 % occupancy and 60 % local use both parties do better
    # than on the spot market. By hand (docs/example.md): L = 2.04, X = 1.36, released 0.36;
    # S0 = 1,126,432 − 828,040 − 17,680 − 26,208 = 254,504; share 40 % of (254,504 − 66,243.2)
    # = 75,304.32; provider surplus 179,199.68 − spot 162,040 = gain 17,159.68; host net cost
    # 530,400 + 200,000 − 17,680 − 26,208 − 75,304.32 = 611,207.68 against spot 689,520.
    c = calibration()
    assert c["provider_gain"] > 0 and c["host_saving"] > 0
    assert TYPICAL_LOCAL_USE == 0.60
    assert c["provider_gain"] == pytest.approx(17_159.68)
    assert c["host_saving"] == pytest.approx(78_312.32)
    scalar = reference_point(Parameters().to_mapping(), 0.85, 0.60)
    assert c["provider_gain"] == pytest.approx(scalar["provider_gain"])
    assert c["host_saving"] == pytest.approx(scalar["host_saving"])


def test_the_guide_shows_the_table_and_the_checks():
    blocks = {item.top_left: item.values for item in guide_items() if hasattr(item, "values")}
    tables = [values for values in blocks.values() if values and values[0][0] == "Registered places"]
    assert len(tables) == 1
    rows = {row[0]: row for row in tables[0]}
    assert len(rows) == len(EXAMPLE_SOURCES)
    assert rows[SPECS["fixed_cost"].label][1] == "£775,000"
    assert rows[SPECS["release_share"].label][1] == "25 %"
    assert rows[SPECS["share_tiers"].label][1] == "25 % from 0 %, 40 % from 50 %, 60 % from 75 %"
    texts = [values[0][0] for values in blocks.values() if values and isinstance(values[0][0], str)]
    for line in calibration_lines():
        assert line in texts
    assert "makes £917 per child per week" in calibration_lines()[0]
    assert "£17,160 a year" in calibration_lines()[2] and "£78,312" in calibration_lines()[2]


def _pert_nodes(low: float, most_likely: float, high: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Midpoints of n equal bands of a PERT (λ = 4) and their weights: a Beta density, by hand."""
    a = 1 + 4 * (most_likely - low) / (high - low)
    b = 1 + 4 * (high - most_likely) / (high - low)
    x = (np.arange(n) + 0.5) / n
    weights = x ** (a - 1) * (1 - x) ** (b - 1)
    return low + x * (high - low), weights / weights.sum()


def test_the_risk_sheet_at_the_example_agrees_with_quadrature():
    # The Risk sheet's figures quoted for the example (docs/example.md) by an independent method:
    # quadrature over the two PERT densities (independent, the defaults) with the scalar
    # reference model, against the engine's Monte Carlo. By hand: spot mean 1,102,400·0.825 −
    # 775,000 = 134,480; spot loses below 70.3 % occupancy, 3.82 % of years.
    n = 160
    o, wo = _pert_nodes(0.60, 0.85, 0.95, n)
    u, wu = _pert_nodes(0.30, 0.60, 0.90, n)
    p = Parameters().to_mapping()
    points = [[reference_point(p, oi, uj) for uj in u] for oi in o]
    weight = np.outer(wo, wu)

    def expect(name: str) -> float:
        return float(sum(weight[i, j] * points[i][j][name] for i in range(n) for j in range(n)))

    def share_below_zero(name: str) -> float:
        return float(sum(weight[i, j] for i in range(n) for j in range(n) if points[i][j][name] < 0))

    result = monte_carlo(Parameters(), Uncertainty(), draws=100_000, seed=20261126)
    provider = result.table("provider").set_index("statistic")
    host = result.table("host").set_index("statistic")
    spot_mean = expect("provider_surplus") - expect("provider_gain")
    assert spot_mean == pytest.approx(1_102_400 * 0.825 - 775_000, rel=1e-3)
    for table, column, expected in (
        (provider, "spot", spot_mean),
        (provider, "partnership", expect("provider_surplus")),
        (host, "partnership", expect("host_net_cost")),
    ):
        error = table.loc["standard_error", column]
        assert abs(table.loc["mean", column] - expected) < 4 * error + 1e-3 * abs(expected)
    spot_loss = sum(wo[o < 775_000 / 1_102_400])
    assert provider.loc["probability_of_loss", "spot"] == pytest.approx(spot_loss, abs=0.004)
    assert spot_loss == pytest.approx(0.0382, abs=0.002)
    # with the partnership a loss needs occupancy near its 60 % floor: about 1 year in a billion
    assert share_below_zero("provider_surplus") < 1e-6
    assert provider.loc["probability_of_loss", "partnership"] == 0
    dearer = share_below_zero("host_saving")
    assert host.loc["probability_above_spot", "partnership"] == pytest.approx(dearer, abs=0.01)
