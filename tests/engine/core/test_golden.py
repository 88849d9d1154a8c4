"""Golden points worked by hand from MODEL.md with the default parameters.

Defaults: N=4, W=52, F=950,000, v=300, p_L=5,000, p_X=5,600, s=6,500, K=200,000, R=3,
r=0.25, c=250, ρ=0.08, tiers (0, .25), (.5, .40), (.75, .60), δ=0.
"""

import math

import numpy as np
import pytest

from engine import Parameters, breakdown, evaluate

DEFAULT = Parameters()


def point(o, u, params=DEFAULT):
    return {name: float(value) for name, value in evaluate(params, o, u).items()}


def test_release_of_reserved_places_below_threshold():
    # o=0.8, u=0.5: L = X = 1.6; L_unres = 0; X_rel = 1.6 − (4 − 3 − 0) = 0.6 (released).
    # fees = 52·(1.6·5,000 + 1.6·5,600) = 881,920; revenue = 1,081,920
    # cost = 950,000 + 52·3.2·300 = 999,920; compensation = 250·83.2 = 20,800
    # release credit = 0.25·5,600·52·0.6 = 43,680; S0 = 17,520 < threshold 79,993.6 → no share
    m = point(0.8, 0.5)
    assert m["released_weeks"] == pytest.approx(31.2)
    assert m["provider_fees"] == pytest.approx(881_920)
    assert m["provider_cost"] == pytest.approx(999_920)
    assert m["compensation"] == pytest.approx(20_800)
    assert m["release_credit"] == pytest.approx(43_680)
    assert m["surplus_before_sharing"] == pytest.approx(17_520)
    assert m["sharing_threshold"] == pytest.approx(79_993.6)
    assert m["profit_share"] == 0
    assert m["provider_surplus"] == pytest.approx(17_520)
    # host: 416,000 fees + 200,000 − 20,800 − 43,680 = 551,520; spot 83.2·6,500 = 540,800
    assert m["host_net_cost"] == pytest.approx(551_520)
    assert m["host_cost_per_local_week"] == pytest.approx(551_520 / 83.2)
    assert m["host_saving"] == pytest.approx(-10_720)
    # spot: 52·3.2·(5,600 − 300) − 950,000 = −68,080; gain = 17,520 + 68,080
    assert m["provider_spot_surplus"] == pytest.approx(-68_080)
    assert m["provider_gain"] == pytest.approx(85_600)


def test_first_tier_above_threshold():
    # o=1, u=0.25: L=1, X=3, X_rel = 3 − 1 = 2 → 104 released weeks
    # fees = 52·(5,000 + 16,800) = 1,133,600; revenue 1,333,600; cost 1,012,400
    # compensation 250·156 = 39,000; release 1,400·104 = 145,600; S0 = 136,600
    # threshold 80,992; share 0.25·55,608 = 13,902; surplus 122,698
    m = point(1.0, 0.25)
    assert m["share_rate"] == 0.25
    assert m["profit_share"] == pytest.approx(13_902)
    assert m["provider_surplus"] == pytest.approx(122_698)
    # host: 260,000 + 200,000 − 39,000 − 145,600 − 13,902 = 261,498; spot 338,000
    assert m["host_net_cost"] == pytest.approx(261_498)
    assert m["host_saving"] == pytest.approx(76_502)
    assert m["provider_gain"] == pytest.approx(122_698 - 152_400)


def test_second_tier_above_threshold():
    # o=1, u=0.5: L=X=2, X_rel=1; fees 1,102,400; S0 = 1,302,400 − 1,012,400 − 26,000 − 72,800 = 191,200
    # share 0.40·(191,200 − 80,992) = 44,083.2; surplus 147,116.8
    m = point(1.0, 0.5)
    assert m["share_rate"] == 0.40
    assert m["profit_share"] == pytest.approx(44_083.2)
    assert m["provider_surplus"] == pytest.approx(147_116.8)
    assert m["host_net_cost"] == pytest.approx(577_116.8)
    assert m["host_saving"] == pytest.approx(98_883.2)


def test_third_tier_above_threshold():
    # o=1, u=0.75: L=3, X=1, X_rel = 0; S0 = 1,271,200 − 1,012,400 − 13,000 = 245,800
    # share 0.60·(245,800 − 80,992) = 98,884.8; surplus 146,915.2
    m = point(1.0, 0.75)
    assert m["share_rate"] == 0.60
    assert m["released_weeks"] == 0
    assert m["profit_share"] == pytest.approx(98_884.8)
    assert m["provider_surplus"] == pytest.approx(146_915.2)
    assert m["host_net_cost"] == pytest.approx(868_115.2)


def test_all_local_full_home():
    # o=1, u=1: L=4 (1 above the reserved 3), X=0; S0 = 1,040,000 + 200,000 − 1,012,400 = 227,600
    # share 0.6·146,608 = 87,964.8; host 1,040,000 + 200,000 − 87,964.8 = 1,152,035.2 over 208 weeks
    m = point(1.0, 1.0)
    assert m["local_places_unreserved"] == pytest.approx(1)
    assert m["provider_surplus"] == pytest.approx(139_635.2)
    assert m["host_net_cost"] == pytest.approx(1_152_035.2)
    assert m["host_cost_per_local_week"] == pytest.approx(1_152_035.2 / 208)
    assert m["host_saving"] == pytest.approx(199_964.8)


@pytest.mark.parametrize("u", [0.0, 0.3, 1.0])
def test_empty_home(u):
    # o=0: no fees, revenue = K = 200,000, cost = F; S0 = −750,000; the host pays K for nothing
    m = point(0.0, u)
    assert m["provider_surplus"] == pytest.approx(-750_000)
    assert m["provider_margin"] == pytest.approx(-3.75)
    assert m["host_net_cost"] == pytest.approx(200_000)
    assert math.isnan(m["host_cost_per_local_week"])
    assert m["host_saving"] == pytest.approx(-200_000)
    assert m["provider_gain"] == pytest.approx(200_000)


def test_all_outside_use():
    # o=0.5, u=0: X=2, X_rel=1; S0 = 582,400 + 200,000 − 981,200 − 26,000 − 72,800 = −297,600
    # host pays K and gets compensation and release credit back: 200,000 − 26,000 − 72,800
    m = point(0.5, 0.0)
    assert m["provider_surplus"] == pytest.approx(-297_600)
    assert m["host_net_cost"] == pytest.approx(101_200)
    assert math.isnan(m["host_cost_per_local_week"])


def test_deficit_support():
    # o=0.5, u=0.5, δ=0.5: L=X=1, no release; S0 = 551,200 + 200,000 − 981,200 − 13,000 = −243,000
    # host covers half: 121,500; surplus −121,500; host 260,000 + 200,000 − 13,000 + 121,500
    m = point(0.5, 0.5, Parameters(deficit_support=0.5))
    assert m["deficit_cover"] == pytest.approx(121_500)
    assert m["provider_surplus"] == pytest.approx(-121_500)
    assert m["host_net_cost"] == pytest.approx(568_500)


def test_zero_revenue_margin_is_nan():
    m = point(0.0, 0.5, Parameters(host_contribution=0))
    assert math.isnan(m["provider_margin"])


def test_broadcasting_shapes():
    o = np.linspace(0, 1, 7)[:, None]
    u = np.linspace(0, 1, 5)[None, :]
    assert all(v.shape == (7, 5) for v in evaluate(DEFAULT, o, u).values())
    samples = evaluate(DEFAULT, np.full(11, 0.8), np.full(11, 0.5))
    assert samples["provider_surplus"].shape == (11,)
    np.testing.assert_allclose(samples["provider_surplus"], 17_520)


def test_breakdown_lines_add_up():
    frame = breakdown(DEFAULT, 0.8, 0.5)
    lines, total = frame.iloc[:-1], frame.iloc[-1]
    assert total["line"] == "Total"
    assert lines["host"].sum() == pytest.approx(-551_520)
    assert lines["provider"].sum() == pytest.approx(17_520)
    assert total["host"] == pytest.approx(-551_520)
    assert total["provider"] == pytest.approx(17_520)
    # every payment leaves one party and reaches another
    parties = ["host", "provider", "outside_authorities", "suppliers"]
    np.testing.assert_allclose(lines[parties].sum(axis=1), 0, atol=1e-9)
    assert lines.set_index("line").loc["Release credit", "amount"] == pytest.approx(43_680)
