"""The registry of measures: every quantity docs/model.md names, with how people read it.

Workbook sheets, add-in functions, the command line and the docs all take their
measure lists, labels and units from here, so a measure is added in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.core.errors import ParameterError


@dataclass(frozen=True)
class Measure:
    """One output of the model.

    ``party`` is whose result it is ("provider", "host" or "activity" for counts of
    places and weeks); ``better`` is "higher", "lower" or "" where neither applies.
    """

    name: str
    label: str
    unit: str
    party: str
    better: str
    description: str


def _m(name: str, label: str, unit: str, party: str, better: str, description: str) -> Measure:
    return Measure(name, label, unit, party, better, description)


MEASURES: tuple[Measure, ...] = (
    _m(
        "local_places",
        "Local places in use",
        "places",
        "activity",
        "",
        "L = u·o·N, average places used by the host",
    ),
    _m(
        "outside_places",
        "Outside places in use",
        "places",
        "activity",
        "",
        "X = (1−u)·o·N, average places used by outside authorities",
    ),
    _m(
        "local_places_unreserved",
        "Local places above the reserved ones",
        "places",
        "activity",
        "",
        "L_unres = max(L − R, 0)",
    ),
    _m(
        "released_places",
        "Outside places in released reserved places",
        "places",
        "activity",
        "",
        "X_rel = max(X − (N − R − L_unres), 0)",
    ),
    _m("local_weeks", "Local placement-weeks", "weeks", "activity", "", "W·L"),
    _m("outside_weeks", "Outside placement-weeks", "weeks", "activity", "", "W·X"),
    _m("vacant_weeks", "Vacant place-weeks", "weeks", "activity", "", "W·(N − o·N)"),
    _m("released_weeks", "Released place-weeks", "weeks", "activity", "", "W·X_rel"),
    _m("provider_fees", "Provider fee income", "£/year", "provider", "higher", "W·(L·p_L + X·p_X)"),
    _m(
        "provider_revenue",
        "Provider revenue",
        "£/year",
        "provider",
        "higher",
        "fees plus host contribution K",
    ),
    _m("provider_cost", "Provider cost", "£/year", "provider", "lower", "F + W·(L + X)·v"),
    _m(
        "compensation",
        "Compensation to host",
        "£/year",
        "host",
        "higher",
        "c per outside placement-week, paid by the provider",
    ),
    _m(
        "release_credit",
        "Release credit to host",
        "£/year",
        "host",
        "higher",
        "r·p_X per released place-week, paid by the provider",
    ),
    _m(
        "surplus_before_sharing",
        "Surplus before sharing",
        "£/year",
        "provider",
        "higher",
        "S0 = revenue − cost − compensation − release credit",
    ),
    _m(
        "sharing_threshold",
        "Sharing threshold",
        "£/year",
        "provider",
        "",
        "ρ·provider cost: surplus up to here is not shared",
    ),
    _m(
        "share_rate",
        "Host's share rate",
        "share",
        "host",
        "higher",
        "σ(u): the tier's share of surplus above the threshold",
    ),
    _m("profit_share", "Profit share to host", "£/year", "host", "higher", "σ(u)·max(S0 − threshold, 0)"),
    _m("deficit_cover", "Deficit cover by host", "£/year", "host", "lower", "δ·max(−S0, 0)"),
    _m(
        "provider_surplus",
        "Provider surplus",
        "£/year",
        "provider",
        "higher",
        "S0 − profit share + deficit cover",
    ),
    _m(
        "provider_margin",
        "Provider margin",
        "share",
        "provider",
        "higher",
        "provider surplus / provider revenue",
    ),
    _m("host_fees", "Host fees", "£/year", "host", "lower", "local placement-weeks × p_L"),
    _m(
        "host_net_cost",
        "Host net cost",
        "£/year",
        "host",
        "lower",
        "fees + K − compensation − release credit − profit share + deficit cover",
    ),
    _m(
        "host_cost_per_local_week",
        "Host cost per local week",
        "£/week",
        "host",
        "lower",
        "host net cost / local placement-weeks",
    ),
    _m(
        "host_spot_cost",
        "Host cost on the spot market",
        "£/year",
        "host",
        "lower",
        "local placement-weeks × spot price",
    ),
    _m("host_saving", "Host saving against spot", "£/year", "host", "higher", "spot cost − host net cost"),
    _m(
        "provider_spot_surplus",
        "Provider surplus with no partnership",
        "£/year",
        "provider",
        "higher",
        "W·(L + X)·(p_X − v) − F",
    ),
    _m(
        "provider_gain",
        "Provider gain from the partnership",
        "£/year",
        "provider",
        "higher",
        "provider surplus − spot surplus",
    ),
)

MEASURE_NAMES: tuple[str, ...] = tuple(m.name for m in MEASURES)
BY_NAME: dict[str, Measure] = {m.name: m for m in MEASURES}

# The measures each party's sheet shows as heat maps (the key measures of each party).
KEY_MEASURES: dict[str, tuple[str, ...]] = {
    "provider": ("provider_surplus", "provider_margin", "provider_gain"),
    "host": ("host_net_cost", "host_cost_per_local_week", "host_saving"),
}


def measure(name: str) -> Measure:
    """The registry entry for ``name``, or a ``ParameterError`` listing the valid names."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ParameterError(
            [("measure", f"measure = {name!r} is not a measure; choose one of {', '.join(MEASURE_NAMES)}")]
        ) from None
