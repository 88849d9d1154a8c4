# ruff: noqa: E501  (the golden sentences are kept whole, one a line)
"""The Summary sheet: golden sentences for four input sets, its layout, its plan and its run.

The golden sentences were written out from the figures of each input set, and every money
figure and probability in them is checked again here by an independent computation: the same
seeded years drawn with ``engine.draw_outcomes``, each measure evaluated at every year with
``engine.evaluate`` and averaged (or its 10th / 90th percentile taken) with plain numpy, not
through the Risk table the sheet reads. The balanced deals' figures are the Agreement
sheet's own (its Nash point), checked against ``ctx.agreement`` to the pound.
"""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import openpyxl
import pytest

import engine
from excel_addin.files.operations import run_workbook
from excel_addin.files.template import template_items
from excel_addin.workbook import layout, printing, sheets
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.plan import Block, CategoryColours, Chart, SheetSetup
from excel_addin.workbook.risk_inputs import uncertainty_of
from excel_addin.workbook.run import parse_inputs, plan_run
from excel_addin.workbook.sheets import summary
from excel_addin.workbook.summary_text import (
    Party,
    SummaryFigures,
    money,
    provider_lines,
    rounded,
    sentences,
    share,
    verdict,
)
from tests.support.workbook import make_workbook, named_values

# A quicker sweep and fewer years than the template's, so four full runs take seconds.
QUICK = {
    "draws": 2000,
    "zone_terms": [["host_contribution", 100000, 300000, 21], ["top_share_rate", 0.4, 1, 21]],
}
SETS = {
    "good_for_both": {},  # the template's inputs
    "host_pays_more": {"host_contribution": 300000, "local_fee": 5300},  # +£100k a year, +£300 a week
    "provider_loses": {"host_contribution": 100000},  # £100k a year less for the provider
    "no_deal": {"fixed_cost": 1100000},  # £325k a year more cost: the provider loses whatever the terms
}
GOLDEN = {
    "good_for_both": [
        "Today's terms (host contribution £200,000 and share of tier 3 (local use ≥ 75%) 60 %) are acceptable to both parties: on average the provider gains £28,173 and the host saves £64,861 a year against the spot market.",
        "The balanced deal, the terms that maximise the product of both parties' gains over no deal, is host contribution £199,635 and share of tier 3 (local use ≥ 75%) 40 %: there the provider gains £31,493 and the host saves £61,542 a year.",
        "In an expected year the partnership raises its surplus by £28,173, to £166,610 against £138,437 on the spot market.",
        "In a bad year its surplus is £115,495 against £38,208 on the spot market (£77,287 more), and its chance of a loss in a year falls from 3.9 % to 0 %, by 3.9 percentage points.",
        "In an expected year the partnership lowers its net cost by £64,861, to £607,057 against £671,919 on the spot market.",
        "In a bad year it pays £746,334 against £854,051 on the spot market (£107,717 less), and it pays more than spot in 10 % of years.",
        "The deal buys the host 3 of the 4 places reserved for its own children, and about 103 weeks of care a year for them (local weeks) in an expected year.",
        "It costs the host contribution of £200,000 a year, paid whatever the use, plus the local fee of £5,000 a week, less what the provider pays back (compensation, release credits, surplus share): about £5,873 a local week on average, £627 below the spot price of £6,500.",
        "A bad year is the 1-in-10 worst of the 2,000 simulated years on the Risk sheet: the provider's surplus is lower (P10), or the host's cost higher (P90), only 1 year in 10.",
    ],
    "host_pays_more": [
        "Today's terms (host contribution £300,000 and share of tier 3 (local use ≥ 75%) 60 %) are not acceptable to the host: on average the provider gains £107,867 and the host pays £14,832 more a year against the spot market. Not met: the host's expected host saving against spot ≥ £0 (it is -£14,832); the host's P90 (exceeded 1 year in 10) of host cost per local week ≤ £6,500 (it is £7,519).",
        "The nearest balanced terms, the terms that maximise the product of both parties' gains over no deal, are host contribution £173,293 and share of tier 3 (local use ≥ 75%) 40 %: there the provider gains £34,186 and the host saves £58,849 a year.",
        "In an expected year the partnership raises its surplus by £107,867, to £246,304 against £138,437 on the spot market.",
        "In a bad year its surplus is £188,651 against £38,208 on the spot market (£150,443 more), and its chance of a loss in a year falls from 3.9 % to 0 %, by 3.9 percentage points.",
        "In an expected year the partnership raises its net cost by £14,832, to £686,750 against £671,919 on the spot market.",
        "In a bad year it pays £817,553 against £854,051 on the spot market (£36,499 less), and it pays more than spot in 60.7 % of years.",
        "The deal buys the host 3 of the 4 places reserved for its own children, and about 103 weeks of care a year for them (local weeks) in an expected year.",
        "It costs the host contribution of £300,000 a year, paid whatever the use, plus the local fee of £5,300 a week, less what the provider pays back (compensation, release credits, surplus share): about £6,643 a local week on average, £143 above the spot price of £6,500.",
        "A bad year is the 1-in-10 worst of the 2,000 simulated years on the Risk sheet: the provider's surplus is lower (P10), or the host's cost higher (P90), only 1 year in 10.",
    ],
    "provider_loses": [
        "Today's terms (host contribution £100,000 and share of tier 3 (local use ≥ 75%) 60 %) are not acceptable to the provider: on average the provider loses £34,788 and the host saves £127,823 a year against the spot market. Not met: the provider's expected provider gain from the partnership ≥ £0 (it is -£34,788).",
        "The nearest balanced terms, the terms that maximise the product of both parties' gains over no deal, are host contribution £199,635 and share of tier 3 (local use ≥ 75%) 40 %: there the provider gains £31,493 and the host saves £61,542 a year.",
        "In an expected year the partnership lowers its surplus by £34,788, to £103,649 against £138,437 on the spot market.",
        "In a bad year its surplus is £47,015 against £38,208 on the spot market (£8,807 more), and its chance of a loss in a year falls from 3.9 % to 2.2 %, by 1.7 percentage points.",
        "In an expected year the partnership lowers its net cost by £127,823, to £544,096 against £671,919 on the spot market.",
        "In a bad year it pays £696,665 against £854,051 on the spot market (£157,386 less), and it pays more than spot in none of the simulated years.",
        "The deal buys the host 3 of the 4 places reserved for its own children, and about 103 weeks of care a year for them (local weeks) in an expected year.",
        "It costs the host contribution of £100,000 a year, paid whatever the use, plus the local fee of £5,000 a week, less what the provider pays back (compensation, release credits, surplus share): about £5,263 a local week on average, £1,237 below the spot price of £6,500.",
        "A bad year is the 1-in-10 worst of the 2,000 simulated years on the Risk sheet: the provider's surplus is lower (P10), or the host's cost higher (P90), only 1 year in 10.",
    ],
    "no_deal": [
        "Today's terms (host contribution £200,000 and share of tier 3 (local use ≥ 75%) 60 %) are not acceptable to either party: on average the provider gains £94,017 and the host pays £983 more a year against the spot market. Not met: the provider's probability below zero of provider surplus ≤ 10 % (it is 95.8 %); the provider's expected provider margin ≥ 5 % (it is -8.8 %); and 2 more on the Agreement sheet.",
        "No deal is possible on these inputs: no terms in the ranges swept (host contribution from £100,000 to £300,000 and share of tier 3 (local use ≥ 75%) from 40 % to 100 %) are acceptable to both parties; the Agreement sheet shows which requirement blocks it.",
        "In an expected year the partnership raises its surplus by £94,017, to -£92,546 against -£186,563 on the spot market.",
        "In a bad year its surplus is -£177,985 against -£286,792 on the spot market (£108,807 more), and its chance of a loss in a year falls from 100 % to 95.8 %, by 4.2 percentage points.",
        "In an expected year the partnership raises its net cost by £983, to £672,901 against £671,919 on the spot market.",
        "In a bad year it pays £841,307 against £854,051 on the spot market (£12,744 less), and it pays more than spot in 47.9 % of years.",
        "The deal buys the host 3 of the 4 places reserved for its own children, and about 103 weeks of care a year for them (local weeks) in an expected year.",
        "It costs the host contribution of £200,000 a year, paid whatever the use, plus the local fee of £5,000 a week, less what the provider pays back (compensation, release credits, surplus share): about £6,510 a local week on average, £10 above the spot price of £6,500.",
        "A bad year is the 1-in-10 worst of the 2,000 simulated years on the Risk sheet: the provider's surplus is lower (P10), or the host's cost higher (P90), only 1 year in 10.",
    ],
}


def raw_inputs(**changes) -> dict:
    """Every input as a new workbook holds it, with ``changes`` and the quick sweep."""
    raw = {}
    for cell in layout.all_inputs():
        if cell.is_table:
            rows = [list(row) for row in cell.spec.default]
            raw[cell.name] = rows + [[None] * cell.columns] * (cell.rows - len(rows))
        else:
            raw[cell.name] = cell.spec.default
    zone = list(QUICK["zone_terms"]) + [[None] * 4] * (len(raw["zone_terms"]) - 2)
    raw.update(QUICK, zone_terms=zone)
    raw.update(changes)
    return raw


@pytest.fixture(scope="module")
def contexts() -> dict[str, RunContext]:
    return {
        name: RunContext(parse_inputs(raw_inputs(**changes)), datetime(2026, 1, 1), "test")
        for name, changes in SETS.items()
    }


@pytest.mark.parametrize("name", list(SETS))
def test_golden_sentences(contexts, name):
    said = [line for _, group in sentences(summary.figures_of(contexts[name])) for line in group]
    assert said == GOLDEN[name]


@pytest.mark.parametrize("name", list(SETS))
def test_the_golden_figures_are_those_of_the_simulated_years(contexts, name):
    """Each £ and % of the sentences, recomputed from the drawn years with plain numpy."""
    ctx = contexts[name]
    values, params = ctx.inputs.values, ctx.inputs.params
    years = engine.draw_outcomes(uncertainty_of(values), int(values["draws"]), int(values["seed"]))
    at = engine.evaluate(params, years.occupancy, years.local_use)
    text = " ".join(GOLDEN[name])
    p10 = np.quantile(at["provider_surplus"], 0.1, method="inverted_cdf")  # 1 year in 10 is lower
    p90 = np.quantile(at["host_net_cost"], 0.9, method="inverted_cdf")  # 1 year in 10 is higher
    spot_p10 = np.quantile(at["provider_spot_surplus"], 0.1, method="inverted_cdf")
    spot_p90 = np.quantile(at["host_spot_cost"], 0.9, method="inverted_cdf")
    provider, spot = at["provider_surplus"].mean(), at["provider_spot_surplus"].mean()
    cost, spot_cost = at["host_net_cost"].mean(), at["host_spot_cost"].mean()
    weeks = (params.weeks_per_year * params.places * years.occupancy * years.local_use).mean()
    expected = [
        f"to {money(provider)} against {money(spot)} on the spot market",
        f"to {money(cost)} against {money(spot_cost)} on the spot market",
        f"surplus is {money(p10)} against {money(spot_p10)}",
        f"it pays {money(p90)} against {money(spot_p90)}",
        f"by {money(abs(provider - spot))},",
        f"by {money(abs(spot_cost - cost))},",
        f"about {rounded(weeks):,.0f} weeks of care",
        f"about {money(cost / weeks)} a local week",
        f"to {share(float(np.mean(at['provider_surplus'] < 0)))}",
    ]
    if np.mean(at["host_saving"] < 0) > 0:
        expected.append(f"more than spot in {share(float(np.mean(at['host_saving'] < 0)))} of years")
    for part in expected:
        assert part in text, part
    nash = ctx.agreement.point("nash")
    if nash is not None:
        assert (
            f"provider gains {money(nash['provider_gain'])} and the host saves {money(nash['host_gain'])}"
            in text
        )


def test_the_sets_are_the_four_cases(contexts):
    """Both accept; the host pays more than spot; the provider loses; no terms both accept."""
    good, dear, loses, none = (summary.figures_of(contexts[name]) for name in SETS)
    assert good.provider_accepts and good.host_accepts
    assert dear.host.expected > dear.host.spot_expected and not dear.host_accepts and dear.balanced
    assert loses.provider.expected < loses.provider.spot_expected and not loses.provider_accepts
    assert none.zone_empty and none.balanced is None


# --- the words, by sign -----------------------------------------------------------------------------


def _figures(**changes) -> SummaryFigures:
    party = Party(100.0, 100.0, 50.0, 50.0, 0.1, 0.1)
    base = SummaryFigures(
        provider=party,
        host=party,
        places=4,
        reserved_places=3,
        local_weeks=100.0,
        host_contribution=200000.0,
        local_fee=5000.0,
        spot_price=6500.0,
        draws=1000,
        today_terms="host contribution £200,000",
        provider_accepts=True,
        host_accepts=True,
        failing=(),
        balanced=None,
        zone_empty=False,
        swept="host contribution from £0 to £1",
    )
    return SummaryFigures(**{**base.__dict__, **changes})


def test_money_never_shows_minus_zero_and_rounds_to_the_pound():
    assert [money(v) for v in (-0.4, 0.4, -0.6, 17159.5, -78000.2)] == [
        "£0",
        "£0",
        "-£1",
        "£17,160",
        "-£78,000",
    ]


def test_direction_words_follow_the_sign_and_probabilities_move_in_points():
    up = _figures(provider=Party(130.0, 100.0, 60.0, 50.0, 0.0, 0.037))
    down = _figures(provider=Party(70.0, 100.0, 40.0, 50.0, 0.05, 0.04))
    same = _figures(provider=Party(100.2, 100.0, 50.0, 50.0, 0.0, 0.0))
    assert provider_lines(up) == [
        "In an expected year the partnership raises its surplus by £30, to £130 against £100 on the spot market.",
        "In a bad year its surplus is £60 against £50 on the spot market (£10 more), and its chance of a loss "
        "in a year falls from 3.7 % to 0 %, by 3.7 percentage points.",
    ]
    assert provider_lines(down) == [
        "In an expected year the partnership lowers its surplus by £30, to £70 against £100 on the spot market.",
        "In a bad year its surplus is £40 against £50 on the spot market (£10 less), and its chance of a loss "
        "in a year rises from 4 % to 5 %, by 1 percentage point.",
    ]
    assert provider_lines(same)[0].startswith(
        "In an expected year the partnership leaves its surplus unchanged"
    )
    assert provider_lines(same)[1].endswith("its chance of a loss in a year stays at 0 %.")
    loses = _figures(
        host=Party(112.0, 100.0, 50.0, 50.0, 0.6, 0.0), host_accepts=False, failing=("a", "b", "c")
    )
    assert verdict(loses) == (
        "Today's terms (host contribution £200,000) are not acceptable to the host: on average the provider "
        "neither gains nor loses and the host pays £12 more a year against the spot market. "
        "Not met: a; b; and 1 more on the Agreement sheet."
    )
    assert not any(re.search(r"-£0\b", line) for _, group in sentences(loses) for line in group)


# --- the sheet: first, its plan before and after a run ---------------------------------------------


def test_summary_is_the_first_sheet_and_a_result_sheet():
    assert layout.sheet_order()[0] == layout.SUMMARY
    assert layout.SHEETS[0] is layout.SUMMARY_SHEET and sheets.SHEETS[0] is summary.SHEET
    assert layout.SUMMARY_SHEET.inputs == ()


def _summary_text(items) -> str:
    return " ".join(
        str(v)
        for item in items
        if isinstance(item, Block) and item.sheet == layout.SUMMARY
        for row in item.values
        for v in row
        if isinstance(v, str)
    )


def test_a_new_workbook_says_results_come_with_a_run_and_shows_the_status():
    items = [item for item in template_items() if getattr(item, "sheet", None) == layout.SUMMARY]
    text = _summary_text(items)
    assert "The verdict appears here after the model is run" in text
    status = next(i for i in items if isinstance(i, Block) and i.top_left == f"A{summary.STATUS_ROW}")
    assert status.values[0][0] == layout.status_formula() and status.values[0][0].result == layout.NOT_RUN
    colours = next(i for i in items if isinstance(i, CategoryColours))
    assert {text for text, _ in colours.colours} == {layout.NOT_RUN, layout.UP_TO_DATE, layout.OUT_OF_DATE}


def test_the_run_plan_prints_on_one_landscape_page_with_two_charts_on_its_data(contexts):
    items = summary.build(contexts["good_for_both"])
    setup = next(i for i in items if isinstance(i, SheetSetup))
    spec = printing.spec(setup.sheet)
    assert (spec.fit_width, spec.fit_height, spec.landscape) == (1, 1, True)
    charts = [i for i in items if isinstance(i, Chart)]
    assert len(charts) == 2
    area = setup.print_area
    last_row = int(re.findall(r"\d+", area)[-1])
    for chart in charts:  # every series and the x values inside the print area, on this sheet
        for ref in (chart.categories, *(s.ref for s in chart.series)):
            assert int(re.findall(r"\d+", ref)[-1]) <= last_row
    assert "are acceptable to both parties" in _summary_text(items)


def test_after_a_run_the_file_holds_the_verdict_and_the_chart_data_as_values(tmp_path):
    """What a reader that does not recalculate (openpyxl data_only, a previewer) sees."""
    path = make_workbook(tmp_path, **{"draws": 2000})
    run_workbook(path)
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb.sheetnames[0] == layout.SUMMARY
    ws = wb[layout.SUMMARY]
    assert ws[f"A{summary.STATUS_ROW}"].value == layout.UP_TO_DATE
    text = " ".join(  # column by column: the left and right halves' lines each read on
        str(c.value) for column in ws.iter_cols() for c in column if isinstance(c.value, str)
    )
    assert "Today's terms (host contribution £200,000" in text and "are acceptable to both parties" in text
    gains = named_values(wb, layout.out_name("summary_gains"))
    assert [row[0] for row in gains] == pytest.approx(list(np.linspace(0, 1, 11)))
    ctx = RunContext(
        parse_inputs(raw_inputs(draws=2000, zone_terms=named_values(wb, "zone_terms"))), datetime.now(), ""
    )
    at = engine.evaluate(ctx.inputs.params, np.linspace(0, 1, 11), summary.expected_local_use(ctx))
    assert [row[1] for row in gains] == pytest.approx(list(at["provider_gain"]))
    assert [row[2] for row in gains] == pytest.approx(list(at["host_saving"]))
    # The Risk sheet's expected host net cost (its table) is the pound figure the sentence gives.
    risk = named_values(wb, layout.out_name("risk_host"))
    assert f"to {money(risk[0][1])} against {money(risk[0][2])} on the spot market" in text


def test_a_run_plan_writes_the_summary_first():
    items = plan_run(parse_inputs(raw_inputs()))
    assert next(i for i in items if hasattr(i, "sheet")).sheet == layout.SUMMARY
