"""Golden points worked by hand from docs/model.md with the default parameters.

Defaults (the example): N=4, W=52, F=775,000, v=300, p_L=5,000, p_X=5,600, s=6,500, K=200,000, R=3,
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
    # o=0.6, u=0.5: L = X = 1.2; L_unres = 0; X_rel = 1.2 − (4 − 3 − 0) = 0.2 (released).
    # fees = 52·(1.2·5,000 + 1.2·5,600) = 661,440; revenue = 861,440
    # cost = 775,000 + 52·2.4·300 = 812,440; compensation = 250·62.4 = 15,600
    # release credit = 0.25·5,600·52·0.2 = 14,560; S0 = 18,840 < threshold 64,995.2 → no share
    m = point(0.6, 0.5)
    assert m["released_weeks"] == pytest.approx(10.4)
    assert m["provider_fees"] == pytest.approx(661_440)
    assert m["provider_cost"] == pytest.approx(812_440)
    assert m["compensation"] == pytest.approx(15_600)
    assert m["release_credit"] == pytest.approx(14_560)
    assert m["surplus_before_sharing"] == pytest.approx(18_840)
    assert m["sharing_threshold"] == pytest.approx(64_995.2)
    assert m["profit_share"] == 0
    assert m["provider_surplus"] == pytest.approx(18_840)
    # host: 312,000 fees + 200,000 − 15,600 − 14,560 = 481,840; spot 62.4·6,500 = 405,600
    assert m["host_net_cost"] == pytest.approx(481_840)
    assert m["host_cost_per_local_week"] == pytest.approx(481_840 / 62.4)
    assert m["host_saving"] == pytest.approx(-76_240)
    # spot: 52·2.4·(5,600 − 300) − 775,000 = −113,560; gain = 18,840 + 113,560
    assert m["provider_spot_surplus"] == pytest.approx(-113_560)
    assert m["provider_gain"] == pytest.approx(132_400)


def test_release_above_threshold_shares_the_surplus():
    # o=0.8, u=0.5: L = X = 1.6; X_rel = 0.6; fees 881,920; revenue 1,081,920
    # cost = 775,000 + 52·3.2·300 = 824,920; compensation 20,800; release credit 43,680
    # S0 = 1,081,920 − 824,920 − 20,800 − 43,680 = 192,520; threshold 0.08·824,920 = 65,993.6
    # σ(0.5) = 0.40: share 0.40·126,526.4 = 50,610.56; surplus 141,909.44
    m = point(0.8, 0.5)
    assert m["share_rate"] == 0.40
    assert m["profit_share"] == pytest.approx(50_610.56)
    assert m["provider_surplus"] == pytest.approx(141_909.44)
    # host: 416,000 + 200,000 − 20,800 − 43,680 − 50,610.56 = 500,909.44; spot 540,800
    assert m["host_net_cost"] == pytest.approx(500_909.44)
    assert m["host_saving"] == pytest.approx(39_890.56)
    # spot: 166.4·5,300 − 775,000 = 106,920
    assert m["provider_gain"] == pytest.approx(141_909.44 - 106_920)


def test_first_tier_above_threshold():
    # o=1, u=0.25: L=1, X=3, X_rel = 3 − 1 = 2 → 104 released weeks
    # fees = 52·(5,000 + 16,800) = 1,133,600; revenue 1,333,600; cost 775,000 + 62,400 = 837,400
    # compensation 250·156 = 39,000; release 1,400·104 = 145,600; S0 = 311,600
    # threshold 66,992; share 0.25·244,608 = 61,152; surplus 250,448
    m = point(1.0, 0.25)
    assert m["share_rate"] == 0.25
    assert m["profit_share"] == pytest.approx(61_152)
    assert m["provider_surplus"] == pytest.approx(250_448)
    # host: 260,000 + 200,000 − 39,000 − 145,600 − 61,152 = 214,248; spot 338,000
    assert m["host_net_cost"] == pytest.approx(214_248)
    assert m["host_saving"] == pytest.approx(123_752)
    # spot: 208·5,300 − 775,000 = 327,400: at full occupancy the spot market pays the provider more
    assert m["provider_gain"] == pytest.approx(250_448 - 327_400)


def test_second_tier_above_threshold():
    # o=1, u=0.5: L=X=2, X_rel=1; fees 1,102,400; S0 = 1,302,400 − 837,400 − 26,000 − 72,800 = 366,200
    # share 0.40·(366,200 − 66,992) = 119,683.2; surplus 246,516.8
    # host 520,000 + 200,000 − 26,000 − 72,800 − 119,683.2 = 501,516.8; spot 104·6,500 = 676,000
    m = point(1.0, 0.5)
    assert m["share_rate"] == 0.40
    assert m["profit_share"] == pytest.approx(119_683.2)
    assert m["provider_surplus"] == pytest.approx(246_516.8)
    assert m["host_net_cost"] == pytest.approx(501_516.8)
    assert m["host_saving"] == pytest.approx(174_483.2)


def test_third_tier_above_threshold():
    # o=1, u=0.75: L=3, X=1, X_rel = 0; S0 = 1,271,200 − 837,400 − 13,000 = 420,800
    # share 0.60·(420,800 − 66,992) = 212,284.8; surplus 208,515.2
    # host 780,000 + 200,000 − 13,000 − 212,284.8 = 754,715.2
    m = point(1.0, 0.75)
    assert m["share_rate"] == 0.60
    assert m["released_weeks"] == 0
    assert m["profit_share"] == pytest.approx(212_284.8)
    assert m["provider_surplus"] == pytest.approx(208_515.2)
    assert m["host_net_cost"] == pytest.approx(754_715.2)


def test_all_local_full_home():
    # o=1, u=1: L=4 (1 above the reserved 3), X=0; S0 = 1,040,000 + 200,000 − 837,400 = 402,600
    # share 0.6·(402,600 − 66,992) = 201,364.8; host 1,240,000 − 201,364.8 = 1,038,635.2 over 208 weeks
    # spot 208·6,500 = 1,352,000
    m = point(1.0, 1.0)
    assert m["local_places_unreserved"] == pytest.approx(1)
    assert m["provider_surplus"] == pytest.approx(201_235.2)
    assert m["host_net_cost"] == pytest.approx(1_038_635.2)
    assert m["host_cost_per_local_week"] == pytest.approx(1_038_635.2 / 208)
    assert m["host_saving"] == pytest.approx(313_364.8)


@pytest.mark.parametrize("u", [0.0, 0.3, 1.0])
def test_empty_home(u):
    # o=0: no fees, revenue = K = 200,000, cost = F; S0 = −575,000; the host pays K for nothing
    m = point(0.0, u)
    assert m["provider_surplus"] == pytest.approx(-575_000)
    assert m["provider_margin"] == pytest.approx(-2.875)
    assert m["host_net_cost"] == pytest.approx(200_000)
    assert math.isnan(m["host_cost_per_local_week"])
    assert m["host_saving"] == pytest.approx(-200_000)
    assert m["provider_gain"] == pytest.approx(200_000)


def test_all_outside_use():
    # o=0.5, u=0: X=2, X_rel=1; S0 = 582,400 + 200,000 − 806,200 − 26,000 − 72,800 = −122,600
    # host pays K and gets compensation and release credit back: 200,000 − 26,000 − 72,800
    m = point(0.5, 0.0)
    assert m["provider_surplus"] == pytest.approx(-122_600)
    assert m["host_net_cost"] == pytest.approx(101_200)
    assert math.isnan(m["host_cost_per_local_week"])


def test_deficit_support():
    # o=0.5, u=0.5, δ=0.5: L=X=1, no release; S0 = 551,200 + 200,000 − 806,200 − 13,000 = −68,000
    # host covers half: 34,000; surplus −34,000; host 260,000 + 200,000 − 13,000 + 34,000
    m = point(0.5, 0.5, Parameters(deficit_support=0.5))
    assert m["deficit_cover"] == pytest.approx(34_000)
    assert m["provider_surplus"] == pytest.approx(-34_000)
    assert m["host_net_cost"] == pytest.approx(481_000)


def test_zero_revenue_margin_is_nan():
    m = point(0.0, 0.5, Parameters(host_contribution=0))
    assert math.isnan(m["provider_margin"])


def test_broadcasting_shapes():
    o = np.linspace(0, 1, 7)[:, None]
    u = np.linspace(0, 1, 5)[None, :]
    assert all(v.shape == (7, 5) for v in evaluate(DEFAULT, o, u).values())
    samples = evaluate(DEFAULT, np.full(11, 0.6), np.full(11, 0.5))
    assert samples["provider_surplus"].shape == (11,)
    np.testing.assert_allclose(samples["provider_surplus"], 18_840)  # test_release_…_below_threshold


def test_breakdown_lines_add_up():
    frame = breakdown(DEFAULT, 0.6, 0.5)  # the point of test_release_of_reserved_places_below_threshold
    lines, total = frame.iloc[:-1], frame.iloc[-1]
    assert total["line"] == "Total"
    assert lines["host"].sum() == pytest.approx(-481_840)
    assert lines["provider"].sum() == pytest.approx(18_840)
    assert total["host"] == pytest.approx(-481_840)
    assert total["provider"] == pytest.approx(18_840)
    # every payment leaves one party and reaches another
    parties = ["host", "provider", "outside_authorities", "suppliers"]
    np.testing.assert_allclose(lines[parties].sum(axis=1), 0, atol=1e-9)
    assert lines.set_index("line").loc["Release credit", "amount"] == pytest.approx(14_560)
