"""The fast sort order used for rank correlation and weighted quantiles equals numpy's argsort,
and an outcome set without its weight-0 outcomes gives the same statistics."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from engine import Uncertainty, evaluate, grid_outcomes
from engine.core.parameters import Parameters
from engine.risk.measure_stats import describe, sort_order

finite = st.floats(allow_nan=False, allow_infinity=True, width=64)


@given(st.lists(finite, min_size=1, max_size=300, unique=True))
def test_sort_order_is_argsort_of_distinct_values(values):
    x = np.array(values)
    np.testing.assert_array_equal(sort_order(x), np.argsort(x))


@given(st.integers(1, 40), st.integers(1, 200), st.integers(0, 2**32 - 1))
def test_sort_order_along_rows_with_close_neighbours_and_missing_values(rows, count, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, count)) * 10.0 ** rng.integers(-300, 300)
    x[:, 1::3] = x[:, ::3][:, : x[:, 1::3].shape[1]] * (1 + 1e-15)  # neighbours 1e-15 apart
    x[rng.random(x.shape) < 0.05] = np.nan  # NaN last, as argsort puts it
    expected = np.argsort(x, axis=-1)
    got = sort_order(x)
    # equal values may come in either order: compare the values in the order given
    np.testing.assert_array_equal(np.take_along_axis(x, got, -1), np.take_along_axis(x, expected, -1))
    # where a row's values are all distinct numbers, the order itself is argsort's
    distinct = np.array([not np.isnan(row).any() and len(set(row)) == count for row in x])
    np.testing.assert_array_equal(got[distinct], expected[distinct])


def test_a_million_normal_scores_in_argsort_order():
    x = np.random.default_rng(20261126).standard_normal(1_000_000)
    np.testing.assert_array_equal(sort_order(x), np.argsort(x))


def test_leaving_out_weight_0_outcomes_changes_no_statistic():
    outcomes = grid_outcomes(Uncertainty())
    kept = outcomes.supported()
    assert kept.size == int(np.count_nonzero(outcomes.weights)) < outcomes.size
    full = evaluate(Parameters(), outcomes.occupancy, outcomes.local_use)
    some = evaluate(Parameters(), kept.occupancy, kept.local_use)
    for name in ("provider_surplus", "host_cost_per_local_week", "provider_margin"):
        a = describe(full[name], outcomes.weights)
        b = describe(some[name], kept.weights)
        for statistic in a:
            np.testing.assert_allclose(b[statistic], a[statistic], rtol=1e-13, err_msg=(name, statistic))
    equal = grid_outcomes()
    assert equal.supported() is equal  # equal weights: every outcome kept
