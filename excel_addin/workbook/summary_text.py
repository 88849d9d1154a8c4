"""The Summary sheet's sentences: each party's verdict in plain words, from a handful of figures.

Pure functions of plain numbers and words (no engine, no spreadsheet library), so a test can
give them any figures and read the exact sentences back, and every direction word (raises or
lowers, saves or costs, percentage points fewer or more) is chosen by the sign of a figure,
never written into the text. Money is in whole pounds everywhere ("£17,160"), as on the Risk
and Agreement sheets, so a figure here can be found there to the pound; an amount that rounds
to nothing is "£0", never "-£0". A difference is of the unrounded figures, as on the Risk
sheet's Change column and in the Agreement sheet's requirements, so it may differ by £1 from
the difference of the two rounded pounds shown beside it (the sheet says so).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from excel_addin.workbook.words import changes, compared


@dataclass(frozen=True)
class Party:
    """One party's figures over the simulated years, with the partnership and on the spot market.

    For the provider: its surplus (expected, and the P10 bad year) and its chance of a loss.
    For the host: its net cost (expected, and the P90 bad year) and its chance of paying more
    than spot (``spot_chance`` is then 0: buying at spot never costs more than spot).
    """

    expected: float
    spot_expected: float
    bad_year: float
    spot_bad_year: float
    chance: float
    spot_chance: float


@dataclass(frozen=True)
class Deal:
    """A pair of terms in words, and each party's expected gain over no deal there (£ a year)."""

    terms: str
    provider_gain: float
    host_gain: float


@dataclass(frozen=True)
class SummaryFigures:
    """Everything the Summary sheet's sentences say, as plain figures and words."""

    provider: Party
    host: Party
    places: int
    reserved_places: float
    local_weeks: float  # expected local weeks a year over the simulated years
    host_contribution: float
    local_fee: float
    spot_price: float
    draws: int
    today_terms: str  # today's values of the two swept terms, in words
    provider_accepts: bool
    host_accepts: bool
    failing: tuple[str, ...]  # today's unmet requirements, "the host's … ≤ £6,500 (it is £6,709)"
    balanced: Deal | None  # the balanced (Nash bargaining) deal, None when there is none
    zone_empty: bool  # no swept terms are acceptable to both
    swept: str  # the swept ranges in words, "host contribution from £100,000 to £300,000 and …"


# --- numbers in words ----------------------------------------------------------------------------


def rounded(value: float, places: int = 0) -> float:
    """Halves rounded away from zero on the figure's decimal digits, as a spreadsheet shows it.

    Python's and numpy's ``round`` work on the binary value (2.15 % may become 2.1 % or
    2.2 %); a cell formatted "0.0%" shows 2.2 %, and the sentence must say the same.
    """
    step = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(step, ROUND_HALF_UP))


def money(value: float) -> str:
    """Whole pounds with thousands separators, the minus before the £; never "-£0"."""
    if not math.isfinite(value):
        return "–"
    pounds = int(rounded(value))
    return f"{'-' if pounds < 0 else ''}£{abs(pounds):,}"


def _percent(value: float) -> float:
    return rounded(float(value) * 100, 1)


def share(value: float) -> str:
    """A share as a percentage: "9.7 %", "0 %" (one decimal only when it has one)."""
    if not math.isfinite(value):
        return "–"
    percent = _percent(value)
    return f"{percent:.0f} %" if percent == round(percent) else f"{percent:.1f} %"


def points(before: float, after: float) -> float:
    """The change of a probability in percentage points, as the shares are shown (rounded)."""
    return round(_percent(after) - _percent(before), 1)


def count(value: float) -> str:
    """A number of places: whole when it is whole, else one decimal."""
    one = rounded(value, 1)
    return f"{one:,.0f}" if one == round(one) else f"{one:,.1f}"


def _pounds(value: float) -> int:
    return int(rounded(value)) if math.isfinite(value) else 0


def difference(after: float, before: float) -> float:
    """``after`` − ``before``, unrounded: the figure the Risk and Agreement sheets show."""
    return after - before


# --- the sentences -------------------------------------------------------------------------------


def provider_gain_words(gain: float) -> str:
    """ "gains £29,189", "loses £4,000" or "neither gains nor loses" (a year, by the sign)."""
    pounds = _pounds(gain)
    if pounds > 0:
        return f"gains {money(gain)}"
    if pounds < 0:
        return f"loses {money(-gain)}"
    return "neither gains nor loses"


def host_gain_words(saving: float) -> str:
    """ "saves £63,934", "pays £12,000 more" or "pays the same" (against the spot market)."""
    pounds = _pounds(saving)
    if pounds > 0:
        return f"saves {money(saving)}"
    if pounds < 0:
        return f"pays {money(-saving)} more"
    return "pays the same"


FAILING_SHOWN = 2  # requirements named in the verdict; the Agreement sheet lists every one


def verdict(f: SummaryFigures) -> str:
    """Whether today's terms are acceptable to both, and what each gets from them on average."""
    provider_gain = difference(f.provider.expected, f.provider.spot_expected)
    host_saving = difference(f.host.spot_expected, f.host.expected)
    gains = (
        f"on average the provider {provider_gain_words(provider_gain)} and the host "
        f"{host_gain_words(host_saving)} a year against the spot market"
    )
    today = f"Today's terms ({f.today_terms})"
    if f.provider_accepts and f.host_accepts:
        return f"{today} are acceptable to both parties: {gains}."
    who = (
        "either party"
        if not (f.provider_accepts or f.host_accepts)
        else "the host"
        if f.provider_accepts
        else "the provider"
    )
    shown = "; ".join(f.failing[:FAILING_SHOWN])
    more = len(f.failing) - FAILING_SHOWN
    if more > 0:
        shown += f"; and {more} more on the Agreement sheet"
    unmet = f" Not met: {shown}." if f.failing else ""
    return f"{today} are not acceptable to {who}: {gains}.{unmet}"


BALANCED_MEANING = "the terms that maximise the product of both parties' gains over no deal"


def balanced(f: SummaryFigures) -> str:
    """The balanced deal (or why there is none), explained in the same sentence."""
    deal = f.balanced
    if deal is None:
        if f.zone_empty:
            return (
                f"No deal is possible on these inputs: no terms in the ranges swept ({f.swept}) are "
                "acceptable to both parties; the Agreement sheet shows which requirement blocks it."
            )
        return (
            "There is no balanced deal: no terms both parties accept give each of them a gain over no "
            "deal; the Agreement sheet shows the terms they accept."
        )
    gains = (
        f"the provider {provider_gain_words(deal.provider_gain)} and the host "
        f"{host_gain_words(deal.host_gain)} a year"
    )
    if f.provider_accepts and f.host_accepts:
        return f"The balanced deal, {BALANCED_MEANING}, is {deal.terms}: there {gains}."
    return f"The nearest balanced terms, {BALANCED_MEANING}, are {deal.terms}: there {gains}."


def _chance_change(before: float, after: float, what: str) -> str:
    """ "its chance of a loss falls from 3.7 % to 0 %, by 3.7 percentage points"."""
    change = points(before, after)
    if change == 0:
        return f"{what} stays at {share(after)}"
    verb = "falls" if change < 0 else "rises"
    size = abs(change)
    unit = "percentage point" if size == 1 else "percentage points"
    return f"{what} {verb} from {share(before)} to {share(after)}, by {size:g} {unit}"


def provider_lines(f: SummaryFigures) -> list[str]:
    """The provider's expected year and bad year, against the spot market."""
    p = f.provider
    expected = changes("its surplus", difference(p.expected, p.spot_expected), money)
    bad = compared(difference(p.bad_year, p.spot_bad_year), money, up="more", down="less")
    return [
        f"In an expected year the partnership {expected}, to {money(p.expected)} against "
        f"{money(p.spot_expected)} on the spot market.",
        f"In a bad year its surplus is {money(p.bad_year)} against {money(p.spot_bad_year)} on the spot "
        f"market ({bad}), and {_chance_change(p.spot_chance, p.chance, 'its chance of a loss in a year')}.",
    ]


def host_lines(f: SummaryFigures) -> list[str]:
    """The host's expected year and bad year, against buying the same weeks at spot."""
    h = f.host
    expected = changes(
        "its net cost", difference(h.expected, h.spot_expected), money, "leaves its net cost as at spot"
    )
    bad = compared(difference(h.spot_bad_year, h.bad_year), money, up="less", down="more")
    dearer = (
        f"it pays more than spot in {share(h.chance)} of years"
        if _percent(h.chance) > 0
        else "it pays more than spot in none of the simulated years"
    )
    return [
        f"In an expected year the partnership {expected}, to {money(h.expected)} against "
        f"{money(h.spot_expected)} on the spot market.",
        f"In a bad year it pays {money(h.bad_year)} against {money(h.spot_bad_year)} on the spot market "
        f"({bad}), and {dearer}.",
    ]


def access_lines(f: SummaryFigures) -> list[str]:
    """What the deal buys the host (places for its own children) and what it costs it."""
    reserved = (
        f"{count(f.reserved_places)} of the {f.places} places reserved for its own children"
        if f.reserved_places > 0
        else f"no reserved places (of {f.places})"
    )
    buys = (
        f"The deal buys the host {reserved}, and about {rounded(f.local_weeks):,.0f} weeks of care a "
        "year for them (local weeks) in an expected year."
    )
    costs = (
        f"It costs the host contribution of {money(f.host_contribution)} a year, paid whatever the use, "
        f"plus the local fee of {money(f.local_fee)} a week, less what the provider pays back (compensation, "
        "release credits, surplus share)"
    )
    if rounded(f.local_weeks) == 0:
        return [buys, f"{costs}: {money(f.host.expected)} a year with no local weeks to show for it."]
    per_week = f.host.expected / f.local_weeks
    side = compared(difference(f.spot_price, per_week), money, up="below", down="above", same="the same as")
    return [
        buys,
        f"{costs}: about {money(per_week)} a local week on average, {side} the spot price of "
        f"{money(f.spot_price)}.",
    ]


def bad_year_meaning(f: SummaryFigures) -> str:
    """What "a bad year" means, in one sentence."""
    return (
        f"A bad year is the 1-in-10 worst of the {f.draws:,} simulated years on the Risk sheet: the "
        "provider's surplus is lower (P10), or the host's cost higher (P90), only 1 year in 10."
    )


HEADINGS = (
    "The answer",
    "Provider: against selling every place on the spot market",
    "Host council: against buying the same weeks on the spot market",
    "What the deal buys the host, and what it costs",
    "What a bad year means",
)


def sentences(f: SummaryFigures) -> list[tuple[str, list[str]]]:
    """Every sentence of the Summary sheet, grouped under its heading, in the order they are read."""
    groups = (
        [verdict(f), balanced(f)],
        provider_lines(f),
        host_lines(f),
        access_lines(f),
        [bad_year_meaning(f)],
    )
    return list(zip(HEADINGS, groups, strict=True))
