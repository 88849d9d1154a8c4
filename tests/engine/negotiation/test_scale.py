"""The agreement zone at scale: chunks, schedulers and the `partnership sweep` command.

The reference is the Agreement sheet's own computation (``agreement_zone`` over
``draw_outcomes`` with the sheet's seed, and ``balanced_points``): a sweep must give the same
table to the last bit whatever its chunks and wherever they run, because a term
combination's figures depend only on the combination and the draws.
"""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from engine import (
    ParameterError,
    Parameters,
    Uncertainty,
    agreement_zone,
    assess_members,
    balanced_points,
    draw_outcomes,
    portfolio_members,
    region_members,
)
from engine.negotiation import scale
from excel_addin.cli import main
from excel_addin.cli.cluster import parse_scheduler, run_chunks
from excel_addin.files.operations import check_workbook
from excel_addin.workbook.risk_figures import agreement_of
from excel_addin.workbook.risk_inputs import WORKBOOK_RULES
from excel_addin.workbook.sheets import portfolio as portfolio_sheet
from excel_addin.workbook.sheets import region as region_sheet
from tests.support.workbook import make_workbook

RULES = [
    ("provider", "probability_of_loss", "provider_surplus", "<=", 0.30),
    ("provider", "mean", "provider_margin", ">=", 0.02),
    ("host", "mean", "host_saving", ">=", 0.0),
    ("host", "p90", "host_cost_per_local_week", "<=", 7_000.0),
]
UNCERTAINTY = Uncertainty(correlation=0.3, fixed_cost_growth_high=0.05)
# A home that loses money on the spot market (fixed cost £950,000), so the sweep meets every verdict.
HOME = Parameters(fixed_cost=950_000)
TERMS = [("host_contribution", 100_000, 300_000, 11), ("deficit_support", 0, 1, 6)]


def small_plan(chunk_work: int = 1 << 24):
    return scale.plan_sweep(HOME, RULES, TERMS, UNCERTAINTY, 1_000, 7, chunk_work=chunk_work)


def test_the_sweep_table_is_the_agreement_zone_table_exactly():
    table = scale.run_in_process(small_plan())
    ranges = {name: (low, high) for name, low, high, _ in TERMS}
    zone = agreement_zone(
        HOME, RULES, ("host_contribution", "deficit_support"), ranges, (11, 6),
        draw_outcomes(UNCERTAINTY, 1_000, 7),
    )  # fmt: skip
    pd.testing.assert_frame_equal(table.drop(columns="combination"), zone.table, check_exact=True)
    assert set(zone.table["category"]) == {"both", "provider_only", "host_only", "neither"}  # not trivial


def test_any_chunking_gives_the_same_table_and_chunks_in_any_order_combine():
    whole = small_plan()
    assert whole.chunks == 1
    cut = small_plan(chunk_work=7 * 1_000)  # 7 combinations a chunk: 66 = 9 × 7 + 3
    assert (cut.chunks, cut.settings_per_chunk, cut.bounds(9)) == (10, 7, (63, 66))
    pieces = [scale.evaluate_chunk(cut, index) for index in reversed(range(cut.chunks))]
    pd.testing.assert_frame_equal(scale.combine(cut, pieces), scale.run_in_process(whole), check_exact=True)
    with pytest.raises(ParameterError, match="every chunk of this sweep exactly once"):
        scale.combine(cut, pieces[1:])


def test_three_terms_sweep_their_product_first_term_slowest():
    terms = [*TERMS, ("local_fee", 4_500, 5_500, 3)]
    plan = scale.plan_sweep(HOME, RULES, terms, UNCERTAINTY, 1_000, 7, chunk_work=20_000)
    table = scale.run_in_process(plan)
    assert plan.combinations == len(table) == 11 * 6 * 3 and plan.cells == 198_000
    # row 3·6·… : host_contribution index 1, deficit_support index 0, local_fee index 0 is row 18
    assert table.loc[18, ["host_contribution", "deficit_support", "local_fee"]].tolist() == [
        120_000,
        0,
        4_500,
    ]
    summary = scale.sweep_summary(plan, table)
    assert len(summary["codes"]) == 11 * 6 and all(len(row) == 3 for row in summary["codes"])
    assert sum(summary["counts"].values()) == plan.combinations
    assert "".join(summary["codes"]) == "".join(map(str, table["code"]))


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("host_contribution=100000:300000:201", ("host_contribution", 100_000.0, 300_000.0, 201)),
        (" local_fee = 4,500 : 5_500 : 3 ", ("local_fee", 4_500.0, 5_500.0, 3)),
    ],
)
def test_parse_term(text, parsed):
    assert scale.parse_lever(text) == parsed


@pytest.mark.parametrize("text", ["host_contribution", "a=1:2", "a=1:2:x", "=1:2:3", "a=b=1:2:3"])
def test_parse_term_refuses_what_is_not_name_low_high_count(text):
    with pytest.raises(ParameterError, match="NAME=LOW:HIGH:COUNT"):
        scale.parse_lever(text)


def test_plan_refuses_every_problem_at_once():
    with pytest.raises(ParameterError) as caught:
        scale.plan_sweep(
            HOME, RULES, [("host_contribution", 0, 1e5, 5), ("host_contribution", 0, 1, 0)], draws=0
        )
    text = str(caught.value)
    assert "each term may be swept once" in text and "draws = 0" in text and "steps = 0" in text


def test_draws_beyond_the_memory_bound_are_refused_with_the_largest_allowed():
    # 64 MiB / (2 · 512 bytes a cell) = 65,536 draws for one combination at once
    with pytest.raises(ParameterError, match="use at most 65,536 draws"):
        scale.plan_sweep(HOME, RULES, TERMS, draws=70_000, memory_bytes=64 << 20)
    plan = scale.plan_sweep(HOME, RULES, TERMS, draws=60_000, memory_bytes=64 << 20)
    assert plan.chunk_cells == 65_536


@pytest.mark.parametrize(
    "text, kind, workers",
    [("none", "none", None), ("local:3", "local", 3), ("tcp://10.0.0.5:8786", "address", None)],
)
def test_parse_scheduler(text, kind, workers):
    found = parse_scheduler(text)
    assert (found.kind, found.workers) == (kind, workers)


@pytest.mark.parametrize("text", ["local:0", "local:x", "cluster"])
def test_parse_scheduler_refuses_nonsense(text):
    with pytest.raises(ParameterError, match="--scheduler"):
        parse_scheduler(text)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    """The template with a small Agreement sweep (so the sheet's zone is quick)."""
    return make_workbook(
        tmp_path_factory.mktemp("sweep"),
        zone_terms=[["host_contribution", 100_000, 300_000, 21], ["deficit_support", 0, 1, 11]],
        draws=1_000,
        seed=11,
        correlation=0.3,
    )


def _sweep_json(capsys, *argv) -> dict:
    code = main(["sweep", *map(str, argv), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0, data
    return data


def test_sweep_of_the_sheets_terms_equals_the_agreement_sheet(workbook, capsys, tmp_path):
    out = tmp_path / "zone.csv"
    data = _sweep_json(capsys, workbook, "--members", "none", "--out", out)
    outcomes = draw_outcomes(Uncertainty(correlation=0.3), 1_000, 11)
    terms = ("host_contribution", "deficit_support")
    zone = agreement_zone(
        Parameters(), WORKBOOK_RULES, terms, {"host_contribution": (100_000, 300_000)}, (21, 11), outcomes
    )
    assert data["cells"] == 21 * 11 * 1_000 and data["seed"] == 11
    codes = "".join(data["zone"]["codes"])
    assert codes == "".join(map(str, zone.table["code"]))
    assert data["zone"]["counts"]["both"] == (zone.table["category"] == "both").sum() > 0
    nash = balanced_points(zone).set_index("point").loc["nash"]
    point = data["points"]["nash"]
    assert point["found"] and point["terms"]["host_contribution"] == nash["host_contribution"]
    assert point["provider_gain"] == nash["provider_gain"] and point["host_gain"] == nash["host_gain"]
    # and what the Agreement sheet itself shows (the function its build calls, on the file's inputs)
    inputs = check_workbook(workbook).inputs
    sheet = agreement_of(inputs.values, inputs.params)
    assert codes == "".join(map(str, sheet.zone.table["code"]))
    assert point["terms"] == {name: float(sheet.point("nash")[name]) for name in terms}
    written = pd.read_csv(out)
    assert len(written) == 231
    np.testing.assert_allclose(written["provider_gain"], zone.table["provider_gain"], rtol=1e-15)


def test_three_terms_from_the_command_line_give_the_best_accepted_point(workbook, capsys, tmp_path):
    out = tmp_path / "zone.parquet"
    data = _sweep_json(
        capsys, workbook, "--terms", "host_contribution=150000:250000:5", "--terms", "deficit_support=0:1:3",
        "--terms", "local_fee=4800:5200:3", "--draws", "1000", "--members", "none", "--out", out,
    )  # fmt: skip
    assert data["zone"]["shape"] == [5, 3, 3] and data["cells"] == 45_000
    table = pd.read_parquet(out)
    accepted = table[table["category"] == "both"]
    point = data["points"]["best_accepted"]
    names = ("host_contribution", "deficit_support", "local_fee")
    row = accepted[np.logical_and.reduce([accepted[name] == point["terms"][name] for name in names])]
    # the point is an accepted combination with the largest product (the example home makes no loss,
    # so deficit support leaves the product unchanged: ties are allowed, any of them is the best)
    assert len(row) == 1 and row["nash_product"].iloc[0] == accepted["nash_product"].max()


@pytest.mark.slow
def test_the_same_json_zone_in_process_and_on_local_clusters(workbook, capsys):
    """A LocalCluster takes seconds to start: one sweep of several chunks on 1 and on 2 workers."""
    argv = [workbook, "--terms", "host_contribution=100000:300000:9", "--terms", "deficit_support=0:1:4"]
    zones = {}
    for scheduler in ("none", "local:1", "local:2"):
        data = _sweep_json(capsys, *argv, "--draws", "1000", "--scheduler", scheduler, "--members", "none")
        zones[scheduler] = (data["zone"], data["points"])
    assert zones["none"] == zones["local:1"] == zones["local:2"]


@pytest.mark.slow
@pytest.mark.parametrize("members", ["region", "portfolio"])
def test_the_same_json_for_every_council_and_home_in_process_and_on_a_local_cluster(
    workbook, capsys, members
):
    argv = [workbook, "--terms", "host_contribution=100000:300000:9", "--terms", "deficit_support=0:1:4"]
    found = {}
    for scheduler in ("none", "local:1"):
        data = _sweep_json(capsys, *argv, "--draws", "1000", "--scheduler", scheduler, "--members", members)
        found[scheduler] = (data["zone"], data["points"], data["by_member"])
    assert found["none"] == found["local:1"]
    assert len(found["none"][2]["members"]) == {"region": 4, "portfolio": 4}[members]


@pytest.mark.slow
def test_many_chunks_on_a_local_cluster_equal_in_process():
    plan = small_plan(chunk_work=5 * 1_000)
    assert plan.chunks == 14
    pd.testing.assert_frame_equal(
        run_chunks(plan, parse_scheduler("local:2")), scale.run_in_process(plan), check_exact=True
    )


def test_every_council_and_home_from_the_command_line_equal_the_engine(workbook, capsys, tmp_path):
    """The template's Region and Portfolio tables (three councils, two homes) over the sheet's draws."""
    inputs = check_workbook(workbook).inputs
    outcomes = draw_outcomes(Uncertainty(correlation=0.3), 1_000, 11)
    axes = {"host_contribution": np.linspace(100_000, 300_000, 21), "deficit_support": np.linspace(0, 1, 11)}
    first, second = np.meshgrid(*axes.values(), indexing="ij")
    settings = {"host_contribution": first.ravel(), "deficit_support": second.ravel()}
    region = region_members(region_sheet.councils_of(inputs.values), region_sheet.rules_of(inputs.values))
    homes = portfolio_members(portfolio_sheet.homes_of(inputs.values), inputs.params)
    for kind, members in (("region", region), ("portfolio", homes)):
        out = tmp_path / f"{kind}.csv"
        data = _sweep_json(capsys, workbook, "--members", kind, "--out", out)  # default: the sheet's terms
        expected = assess_members(inputs.params, WORKBOOK_RULES, settings, members, outcomes)
        assert data["members"] == kind and list(data["by_member"]["members"]) == list(members.names)
        for name, zone in data["by_member"]["members"].items():
            codes = expected[expected["member"] == name]["code"]
            assert "".join(zone["codes"]) == "".join(map(str, codes)), name
        written = pd.read_csv(out)
        assert list(written["member"][: len(members.names)]) == list(members.names)
        np.testing.assert_allclose(written["host_gain"], expected["host_gain"], rtol=1e-15)
        assert {"both", "provider_only"} <= set(expected["category"])  # not all one verdict
    # auto: the Region table (both are filled in the template), the Portfolio table named as not swept
    data = _sweep_json(capsys, workbook, "--terms", "host_contribution=100000:300000:3")
    assert data["members"] == "region" and data["not_swept"] == ["Portfolio"]


def test_members_of_an_empty_table_are_refused(tmp_path, capsys):
    path = make_workbook(tmp_path, councils=[], homes=[])
    assert main(["sweep", str(path), "--members", "portfolio", "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert "the Portfolio table on the Inputs sheet is empty" in data["message"]
    data = _sweep_json(capsys, path, "--terms", "host_contribution=100000:300000:3", "--draws", "100")
    assert data["members"] == "none" and data["by_member"] is None and data["not_swept"] == []


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--terms", "places=3:x:2"], "NAME=LOW:HIGH:COUNT"),
        (["--terms", "host_contribution=0:1:3", "--out", "zone.xlsx"], "name a .parquet or .csv file"),
        (["--terms", "nonsense=0:1:3"], "is not a term that can move"),
        (["--scheduler", "local:0"], "--scheduler local:0"),
    ],
)
def test_bad_options_exit_2_with_a_message(workbook, capsys, argv, message):
    assert main(["sweep", str(workbook), *argv, "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert not data["ok"] and message in data["message"]


def _chunk_peak(combinations: int) -> int:
    """tracemalloc's peak for one chunk of ``combinations`` over 1,000 draws, 8,192 cells a block."""
    plan = scale.plan_sweep(
        HOME, RULES, [("host_contribution", 0, 300_000, combinations)], UNCERTAINTY, 1_000, 7,
        memory_bytes=8 << 20, chunk_work=combinations * 1_000,
    )  # fmt: skip
    assert (plan.chunks, plan.chunk_cells) == (1, 8_192)  # 8 MiB / (2 × 512 bytes)
    scale.evaluate_chunk(plan, 0)  # the draws are drawn once and kept: not part of the peak below
    tracemalloc.start()
    try:
        scale.evaluate_chunk(plan, 0)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_chunks_memory_does_not_grow_with_its_length():
    """Bounded memory: eight times the combinations in one chunk add only their rows of figures
    (about 40 columns × 8 bytes each, 150 kB for 448 more), not their draws: a P90 rule once kept
    each block's partitioned draws alive (448 × 1,000 × 8 bytes = 3.6 MB more)."""
    assert _chunk_peak(512) - _chunk_peak(64) < 500_000
