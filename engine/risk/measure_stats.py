"""Statistics of one measure over a set of outcomes with probability weights.

One definition serves the Risk sheet (Monte Carlo draws, equal weights) and the
negotiation (a 21 × 21 grid weighted by the risk distributions, or draws), so a P90 or an
expected shortfall means the same thing wherever it is shown:

- Quantiles use the inverted distribution function: the P90 is the smallest outcome with
  at least 90 % of the weight at or below it (numpy's ``method="inverted_cdf"`` when the
  weights are equal). It works unchanged with weights and never invents a value between
  two outcomes, so "P90 ≤ cap" is exactly "at least 90 % of the weight is ≤ cap".
- Expected shortfall is the weighted mean of the worst 10 % of the weight, splitting the
  outcome on the boundary (the standard CVaR definition). "Worst" is ``worst="lowest"`` for
  a measure where higher is better (a surplus, a saving) and ``"highest"`` for a cost;
  ``worst_tail`` reads the direction from the MEASURES registry.
- ``probability_of_loss`` is the weight of the outcomes where the measure is below 0: a
  loss for ``provider_surplus``, paying more than spot for ``host_saving``.
- Outcomes where the measure is undefined (NaN: a margin without revenue, a cost per local
  week without local weeks) are left out and the remaining weights rescaled, because a
  "cost per local week" of a year with no local weeks is not a cost at all.

Every function reduces the last axis: values of shape (..., m) over m outcomes give (...).
Weights have shape (m,); ``None`` means equal weights and takes faster paths (a partition
instead of a sort), which matters for a million draws.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.core.errors import ParameterError
from engine.core.measures import measure

TAIL_SHARE = 0.10  # "the worst 10 %" of expected shortfall
_QUANTILE = re.compile(r"^p(\d{1,2})$")
_EPS = 1e-12  # cumulative weights are sums of floats: 0.1 may arrive as 0.09999999999999999

DEFAULT_QUANTILES = {"p10": 0.10, "p50": 0.50, "p90": 0.90}

STATISTICS: dict[str, str] = {
    "mean": "Expected value",
    "std": "Standard deviation",
    "p10": "P10 (1 year in 10 is lower)",
    "p50": "Median",
    "p90": "P90 (1 year in 10 is higher)",
    "probability_of_loss": "Probability below zero",
    "expected_shortfall": "Average of the worst 10 % of years",
    "min": "Lowest outcome",
    "max": "Highest outcome",
}


def statistic_problem(name: Any) -> str | None:
    """Why ``name`` is not a statistic, or None. ``pNN`` is any percentile from p1 to p99."""
    if isinstance(name, str) and (name in STATISTICS or _quantile_of(name) is not None):
        return None
    return (
        f"statistic = {name!r} is not a statistic; choose one of {', '.join(STATISTICS)} (or pNN, e.g. p95)"
    )


def statistic_label(name: str) -> str:
    """How the workbook names a statistic ("P95" for p95)."""
    return STATISTICS.get(name) or f"P{name[1:]}"


def worst_tail(measure_name: str) -> str:
    """``"highest"`` for a measure where lower is better (a cost), else ``"lowest"``."""
    return "highest" if measure(measure_name).better == "lower" else "lowest"


def summarise(
    values: npt.ArrayLike, weights: npt.ArrayLike | None, statistic: str, worst: str = "lowest"
) -> np.ndarray:
    """``statistic`` of ``values`` over its last axis (the outcomes), with ``weights``."""
    problem = statistic_problem(statistic)
    if problem:
        raise ParameterError([("statistic", problem)])
    x = np.asarray(values, dtype=float)
    q = _quantile_of(statistic)
    if q is not None:
        return quantile(x, weights, q)
    if statistic == "expected_shortfall":
        return tail_mean(x, weights, TAIL_SHARE, worst)
    return _SIMPLE[statistic](x, weights)


def mean(x: np.ndarray, weights: npt.ArrayLike | None) -> np.ndarray:
    w, total = _weights(x, weights)
    if w is None:
        return x.mean(axis=-1)
    filled = np.where(np.isnan(x), 0.0, x) if w.shape == x.shape else x  # w masked NaN: zero them
    with np.errstate(invalid="ignore", divide="ignore"):  # every outcome NaN: the mean is NaN
        return (filled @ w if w.ndim == 1 else (filled * w).sum(axis=-1)) / total


def std(x: np.ndarray, weights: npt.ArrayLike | None) -> np.ndarray:
    """Population standard deviation (weights are probabilities, not counts)."""
    w, total = _weights(x, weights)
    if w is None:
        return x.std(axis=-1)
    centred = np.where(w > 0, x - np.asarray(mean(x, weights))[..., None], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(np.maximum((centred * centred * w).sum(axis=-1) / total, 0.0))


def probability_of_loss(x: np.ndarray, weights: npt.ArrayLike | None) -> np.ndarray:
    """The weight of outcomes below 0 (NaN outcomes left out)."""
    w, total = _weights(x, weights)
    if w is None:
        return np.count_nonzero(x < 0, axis=-1) / x.shape[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(x < 0, w, 0.0).sum(axis=-1) / total


def minimum(x: np.ndarray, weights: npt.ArrayLike | None) -> np.ndarray:
    w, total = _weights(x, weights)
    if w is None:
        return x.min(axis=-1)
    return np.where(total > 0, np.where(w > 0, x, np.inf).min(axis=-1), np.nan)


def maximum(x: np.ndarray, weights: npt.ArrayLike | None) -> np.ndarray:
    return -minimum(-x, weights)


def quantile(x: np.ndarray, weights: npt.ArrayLike | None, q: float) -> np.ndarray:
    """The smallest outcome with at least a share ``q`` of the weight at or below it."""
    return describe(x, weights, quantiles={"q": q}, only=("q",))["q"]


def tail_mean(
    x: np.ndarray, weights: npt.ArrayLike | None, share: float = TAIL_SHARE, worst: str = "lowest"
) -> np.ndarray:
    """Expected shortfall: the weighted mean of the worst ``share`` of the weight."""
    return describe(x, weights, worst, share=share, only=("expected_shortfall",))["expected_shortfall"]


def describe(
    values: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    worst: str = "lowest",
    quantiles: Mapping[str, float] | None = None,
    share: float = TAIL_SHARE,
    only: tuple[str, ...] | None = None,
) -> dict[str, np.ndarray]:
    """Several statistics from one partition (equal weights) or one sort (weights).

    Returns mean, std, probability_of_loss, min, max, expected_shortfall and the
    ``quantiles`` (default p10, p50, p90), or only the names in ``only``.
    """
    x = np.asarray(values, dtype=float)
    quantiles = dict(DEFAULT_QUANTILES if quantiles is None else quantiles)
    wanted = set(only) if only is not None else {*_SIMPLE, "expected_shortfall", *quantiles}
    complete = weights is None and not np.isnan(x).any()  # equal weights, nothing missing: checked once
    simple = _SIMPLE_COMPLETE if complete else _SIMPLE
    result = {name: simple[name](x, weights) for name in _SIMPLE if name in wanted}
    ranked = {name: q for name, q in quantiles.items() if name in wanted}
    tail = "expected_shortfall" in wanted
    if not ranked and not tail:
        return result
    w, total = (None, 1.0) if complete else _weights(x, weights)
    if w is None:
        result.update(_ranked_equal(x, ranked, share if tail else None, worst))
    else:
        result.update(_ranked_weighted(x, w, total, ranked, share if tail else None, worst))
    return result


def _ranked_equal(
    x: np.ndarray, quantiles: Mapping[str, float], share: float | None, worst: str
) -> dict[str, np.ndarray]:
    """Quantiles and the tail mean of equally weighted outcomes: one np.partition."""
    m = x.shape[-1]
    ranks = {name: min(max(int(np.ceil(q * m - 1e-9)) - 1, 0), m - 1) for name, q in quantiles.items()}
    kth = set(ranks.values())
    if share is not None:
        exact = share * m
        whole = min(int(np.floor(exact + 1e-9)), m)
        part = exact - whole if exact - whole > 1e-9 and whole < m else 0.0
        edge = [whole - 1, whole] if worst == "lowest" else [m - whole - 1, m - whole]
        kth.update(k for k in edge if 0 <= k < m)
    parted = np.partition(x, sorted(kth), axis=-1)
    result = {name: parted[..., k] for name, k in ranks.items()}
    if share is not None:
        if worst == "lowest":
            tail, boundary = parted[..., :whole], parted[..., min(whole, m - 1)]
        else:
            tail, boundary = parted[..., m - whole :], parted[..., max(m - whole - 1, 0)]
        tail_sum = tail.sum(axis=-1) + part * boundary
        result["expected_shortfall"] = tail_sum / (whole + part) if whole + part > 0 else boundary
    return result


def _ranked_weighted(
    x: np.ndarray,
    w: np.ndarray,
    total: np.ndarray | float,
    quantiles: Mapping[str, float],
    share: float | None,
    worst: str,
) -> dict[str, np.ndarray]:
    """Quantiles and the tail mean with weights: one argsort (NaN sorts last, weight 0)."""
    m = x.shape[-1]
    order = sort_order(x)
    ranked_w = _along(w, order)
    cumulative = np.cumsum(ranked_w, axis=-1)
    total = np.asarray(total)[..., None]
    defined = total[..., 0] > 0
    result = {}
    for name, q in quantiles.items():
        index = np.minimum(np.count_nonzero(cumulative < (q - _EPS) * total, axis=-1), m - 1)
        picked = np.take_along_axis(order, index[..., None], axis=-1)
        result[name] = np.where(defined, np.take_along_axis(x, picked, axis=-1)[..., 0], np.nan)
    if share is not None:
        budget = share * total
        if worst == "lowest":
            taken = np.clip(budget - (cumulative - ranked_w), 0.0, ranked_w)
        else:  # the same budget taken from the top: weight above each outcome is total − cumulative
            above = total - cumulative
            taken = np.clip(budget - above, 0.0, ranked_w)
        ranked_x = np.where(taken > 0, np.take_along_axis(x, order, axis=-1), 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            result["expected_shortfall"] = np.where(
                defined, (taken * ranked_x).sum(axis=-1) / budget[..., 0], np.nan
            )
    return result


def sort_order(values: npt.ArrayLike) -> np.ndarray:
    """``np.argsort(values, axis=-1)`` of float values, about two to four times faster.

    numpy's indirect sort of floats is several times slower than its direct sort of integers,
    so the order is read from one direct sort of int64 keys: each value's bits made monotone
    (a negative float's magnitude bits flipped, NaN last), their lowest bits replaced by the
    value's position. Values whose keys then agree in every bit above the position (neighbours
    closer than about 2^-30 of their size for a million values, 2^-45 for a hundred) are put back
    in the order of their exact values, so the result is the values' own order; equal values may
    come in either order, as with ``np.argsort``.
    """
    x = np.ascontiguousarray(values, dtype=np.float64)
    count = x.shape[-1]
    flat = x.reshape(-1, count)
    shift = max(int(count - 1).bit_length(), 1)
    bits = flat.view(np.int64)
    keys = np.where(bits < 0, bits ^ np.int64(0x7FFF_FFFF_FFFF_FFFF), bits)
    missing = np.isnan(flat)
    if missing.any():
        np.copyto(keys, np.iinfo(np.int64).max, where=missing)
    keys >>= shift
    keys <<= shift
    keys |= np.arange(count, dtype=np.int64)
    keys.sort(axis=-1)
    order = keys & np.int64((1 << shift) - 1)
    keys >>= shift
    same = keys[:, 1:] == keys[:, :-1]  # neighbours told apart only by position: order them exactly
    if same.any():
        close = np.zeros(flat.shape, dtype=bool)
        close[:, 1:] |= same
        close[:, :-1] |= same
        starts = np.ones(flat.shape, dtype=bool)
        starts[:, 1:] = ~same
        run = np.cumsum(starts.ravel())[close.ravel()]
        rows, at = np.nonzero(close)
        picked = order[rows, at]
        order[rows, at] = picked[np.lexsort((flat[rows, picked], run))]
    return order.reshape(x.shape).astype(np.intp, copy=False)


def _weights(x: np.ndarray, weights: npt.ArrayLike | None) -> tuple[np.ndarray | None, np.ndarray | float]:
    """Effective weights (zero where x is NaN) and their total; None when equal and complete."""
    missing = np.isnan(x)
    if weights is None:
        if not missing.any():
            return None, 1.0
        weights = np.full(x.shape[-1], 1.0 / x.shape[-1])
    w = np.asarray(weights, dtype=float)
    if missing.any():
        w = np.where(missing, 0.0, w)
        return w, w.sum(axis=-1)
    return w, w.sum()


def _along(w: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The weights rearranged in ``order`` (weights of shape (m,) or the shape of order)."""
    if w.ndim == 1:
        return w[order]
    return np.take_along_axis(np.broadcast_to(w, order.shape), order, axis=-1)


def _quantile_of(name: str) -> float | None:
    match = _QUANTILE.match(name) if isinstance(name, str) else None
    if match and 1 <= int(match.group(1)) <= 99:
        return int(match.group(1)) / 100
    return None


_SIMPLE = {
    "mean": mean,
    "std": std,
    "probability_of_loss": probability_of_loss,
    "min": minimum,
    "max": maximum,
}
# The same statistics for equally weighted outcomes none of which is missing (what the functions
# above do then), without looking for missing values again in each one.
_SIMPLE_COMPLETE = {
    "mean": lambda x, _: x.mean(axis=-1),
    "std": lambda x, _: x.std(axis=-1),
    "probability_of_loss": lambda x, _: np.count_nonzero(x < 0, axis=-1) / x.shape[-1],
    "min": lambda x, _: x.min(axis=-1),
    "max": lambda x, _: -(-x).min(axis=-1),
}
