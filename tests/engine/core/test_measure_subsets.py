"""Asking for some measures gives exactly the numbers of the whole evaluation: the same
floating-point operations, so the comparisons are for equality."""

import dask.array as da
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import MEASURE_NAMES, ParameterError, Parameters, compute, evaluate, terms
from tests.support.strategies import axis, parameters

points = st.lists(st.tuples(axis, axis), min_size=1, max_size=30)


@given(parameters(), points, st.lists(st.sampled_from(MEASURE_NAMES), min_size=1, max_size=6))
def test_a_subset_of_measures_equals_the_same_measures_of_the_whole(p, pts, names):
    o, u = np.array(pts).T
    whole = evaluate(p, o, u)
    some = evaluate(p, o, u, measures=names)
    assert list(some) == list(dict.fromkeys(names))  # in the order asked, each once
    for name in some:
        np.testing.assert_array_equal(some[name], whole[name], err_msg=name)


def test_swept_terms_keep_each_measures_own_shape():
    t = {**terms(Parameters()), "host_contribution": np.array([0.0, 1e5, 2e5])[:, None]}
    o = np.linspace(0, 1, 50)
    values = compute(t, o, o, ["local_places", "provider_surplus"])
    assert values["local_places"].shape == (50,)  # the swept term does not touch it
    assert values["provider_surplus"].shape == (3, 50)


def test_unknown_measure_is_refused_with_the_choices():
    with pytest.raises(ParameterError) as caught:
        evaluate(Parameters(), 0.5, 0.5, measures=["provider_surplus", "profit"])
    (name, message), *_ = caught.value.problems
    assert name == "measures" and message.startswith("'profit' is not a measure; choose from local_places")


def test_a_subset_on_dask_arrays_stays_lazy():
    o = da.from_array(np.linspace(0, 1, 40), chunks=10)
    lazy = evaluate(Parameters(), o, o, measures=["provider_margin", "host_cost_per_local_week"])
    eager = evaluate(Parameters(), np.linspace(0, 1, 40), np.linspace(0, 1, 40))
    for name, value in lazy.items():
        assert isinstance(value, da.Array), name
        np.testing.assert_array_equal(value.compute(), eager[name])


def test_inputs_are_never_written_into():
    rng = np.random.default_rng(2)
    o, u = rng.random(100_000), rng.random(100_000)
    u[:10] = 0.0  # no local weeks: the cost per local week is NaN there
    before = o.copy(), u.copy()
    evaluate(Parameters(), o, u)
    np.testing.assert_array_equal(o, before[0])
    np.testing.assert_array_equal(u, before[1])
