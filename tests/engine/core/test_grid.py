"""Grids and tables: shapes, labels, and agreement with point evaluation."""

import numpy as np
import pytest

from engine import (
    MEASURE_NAMES,
    MEASURES,
    ParameterError,
    Parameters,
    break_even_occupancy,
    evaluate,
    make_axis,
    payoff_grid,
)


def test_default_grid_21_by_21():
    grid = payoff_grid(Parameters())
    table = grid.table("provider_surplus")
    assert table.shape == (21, 21)
    assert table.index.name == "occupancy" and table.columns.name == "local_use"
    assert table.index[3] == 0.15  # exactly, not 0.15000000000000002
    assert table.loc[0.6, 0.5] == pytest.approx(18_840)  # golden point, see test_golden.py


def test_tidy_frame_matches_tables():
    grid = payoff_grid(Parameters(), [0.2, 0.9], [0.0, 0.5, 1.0])
    frame = grid.to_frame()
    assert list(frame.columns) == ["occupancy", "local_use", *MEASURE_NAMES]
    assert len(frame) == 6
    row = frame[(frame.occupancy == 0.9) & (frame.local_use == 0.5)].iloc[0]
    assert row["host_net_cost"] == pytest.approx(float(evaluate(Parameters(), 0.9, 0.5)["host_net_cost"]))


def test_measure_registry_covers_engine_output():
    assert set(evaluate(Parameters(), 0.5, 0.5)) == set(MEASURE_NAMES)
    assert all(m.unit and m.label and m.party in {"provider", "host", "activity"} for m in MEASURES)


def test_unknown_measure_is_named():
    with pytest.raises(ParameterError, match="measure = 'profit' is not a measure"):
        payoff_grid(Parameters()).table("profit")


def test_make_axis():
    assert make_axis(0, 1, 0.05).tolist() == [round(i * 0.05, 12) for i in range(21)]
    assert make_axis(0.5, 0.7, 0.1).tolist() == [0.5, 0.6, 0.7]
    with pytest.raises(ParameterError) as caught:
        make_axis(-0.1, 1.2, 0, name="occupancy")
    assert [n for n, _ in caught.value.problems] == ["occupancy_min", "occupancy_max", "occupancy_step"]


def test_break_even_golden():
    # u = 1: S0 = 52·4·o·(5,000 − 300) + 200,000 − 775,000 = 977,600·o − 575,000 → o = 0.58817…
    # u = 0: above o = 0.25 outside places spill into reserved ones: fees 1,164,800·o, cost
    # 775,000 + 62,400·o, compensation 52,000·o, release credit 72,800·(4·o − 1), so
    # S0 = 759,200·o + 272,800 − 775,000 = 759,200·o − 502,200 → o = 0.66148…
    be = break_even_occupancy(Parameters(), np.array([1.0, 0.0]))
    np.testing.assert_allclose(be, [575_000 / 977_600, 502_200 / 759_200], atol=1e-9)


def test_break_even_none_and_full_support():
    assert np.isnan(break_even_occupancy(Parameters(fixed_cost=5e6), [0.5])).all()
    assert break_even_occupancy(Parameters(fixed_cost=5e6, deficit_support=1), [0.5])[0] == 0
    assert break_even_occupancy(Parameters(host_contribution=1e6), [0.5])[0] == 0
