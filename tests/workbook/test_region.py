"""The Region and Portfolio sheets: member tables in, each council's and each home's results out.

The engine is the oracle (``engine.members.region`` and ``engine.members.portfolio`` are tested on their own,
with golden values and identities); here the question is whether the workbook carries the
tables and rules in and the results out faithfully, plus a few figures worked by hand.
"""

from __future__ import annotations

import json
import posixpath
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from engine import (
    Parameters,
    RegionRules,
    evaluate,
    make_axis,
    measure,
    portfolio_evaluate,
    portfolio_grid,
    region_evaluate,
    region_grid,
    region_total,
)
from excel_addin.cli import main
from excel_addin.files.openpyxl_apply import apply_plan
from excel_addin.files.openpyxl_io import callbacks, open_workbook
from excel_addin.files.operations import load_inputs, run_workbook
from excel_addin.files.template import build_template
from excel_addin.workbook import a1, layout, member_inputs
from excel_addin.workbook.errors import InvalidInputsError
from excel_addin.workbook.plan import Chart, failure_items
from excel_addin.workbook.run import plan_run, read_inputs
from excel_addin.workbook.sheets import portfolio, region
from tests.support.workbook import as_array, make_workbook, named_values, set_inputs

COUNCIL_KEYS = ["council", "contribution_share", "use_share", "spot_price"]
HOME_KEYS = [spec.name for spec in member_inputs.HOME_COLUMN_SPECS]
AXIS = make_axis(0, 1, 0.05)


def run_default(folder: Path, **inputs) -> Path:
    path = make_workbook(folder, **inputs)
    run_workbook(path)
    return path


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[Path, openpyxl.Workbook]:
    """The template's worked example, run."""
    path = run_default(tmp_path_factory.mktemp("example"))
    return path, openpyxl.load_workbook(path)


def statement(wb: openpyxl.Workbook, name: str) -> tuple[list[str], dict[str, list]]:
    """A statement table by its defined name: the column headings, and each line's values by label."""
    rows = named_values(wb, name)
    return list(rows[0][1:]), {row[0]: row[1:] for row in rows[1:]}


def numbers(values: list) -> np.ndarray:
    return as_array([values])[0]


def example_councils() -> list[list]:
    return [COUNCIL_KEYS, *(list(row) for row in member_inputs.EXAMPLE_COUNCILS)]


def example_homes() -> list[list]:
    return [HOME_KEYS, *(list(row) for row in member_inputs.EXAMPLE_HOMES)]


# --- the template ----------------------------------------------------------------------------


def test_template_ships_the_illustrative_example_marked_as_such():
    wb = build_template()
    for sheet, name, example in (
        (layout.REGION, "councils", member_inputs.EXAMPLE_COUNCILS),
        (layout.PORTFOLIO, "homes", member_inputs.EXAMPLE_HOMES),
    ):
        cell = layout.input_cell(name)
        rows = [[c.value for c in row] for row in wb[sheet][cell.ref]]
        assert rows[: len(example)] == [list(row) for row in example]
        assert all(v is None for row in rows[len(example) :] for v in row)
        heading = wb[sheet].cell(cell.label_row - 1, 1).value
        assert "illustrative example" in heading
        assert [c.value for c in wb[sheet][a1.area(cell.label_row, cell.column, 1, cell.columns)][0]] == list(
            cell.header
        )


def test_template_validations_follow_the_engine_columns_and_offer_the_rule_lists():
    wb = build_template()
    ws = wb[layout.REGION]
    rules = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert rules["C6:C15"].formula1 == "AND(ISNUMBER(C6),C6>=0,C6<=1)"  # contribution share
    # own spot price: money, at most £1,000,000,000,000 like every money input
    assert rules["E6:E15"].formula1 == "AND(ISNUMBER(E6),E6>=0,E6<=1000000000000)"
    assert "B6:B15" not in rules  # names are text
    assert rules["B21"].type == "list" and rules["B21"].formula1 == '"as entered,split by use"'
    assert rules["B22"].formula1 == rules["B24"].formula1 == '"by contribution,by use,mix"'
    homes = {str(v.sqref): v for v in wb[layout.PORTFOLIO].data_validations.dataValidation}
    assert homes["C6:C15"].formula1 == "AND(ISNUMBER(C6),C6>=1,C6<=10000,C6=INT(C6))"  # places ≤ 10,000
    assert homes["H6:H15"].formula1.endswith(
        "H6<=IF(ISNUMBER(C6),C6,places))"
    )  # reserved ≤ the home's places
    assert ws[layout.input_cell("councils").ref.split(":")[0]].number_format == "General"
    assert ws["C6"].number_format == "0.0%" and ws["E6"].number_format == "£#,##0"


# --- round trip: the sheets hold the engine's values -----------------------------------------


def test_region_statement_equals_the_engine_and_adds_up_to_the_host(example):
    _, wb = example
    params = Parameters()
    columns, lines = statement(wb, "out_region_summary")
    assert columns == ["Westshire", "Eastshire", "Northby", "Region total"]
    point = region_evaluate(params, example_councils(), 0.9, 0.5, RegionRules())
    total = region_total(point)
    for label, name, sign in (
        ("Fees for its own local placements", "host_fees", 1),
        ("Host contribution", "host_contribution", 1),
        ("Compensation received", "compensation", -1),
        ("Release credits received", "release_credit", -1),
        ("Profit share received", "profit_share", -1),
        ("Deficit cover paid", "deficit_cover", 1),
        ("Net cost of the partnership", "host_net_cost", 1),
        ("Local placement-weeks", "local_weeks", 1),
        ("The same weeks on the spot market", "host_spot_cost", 1),
        ("Saving against the spot market", "host_saving", 1),
    ):
        expected = sign * np.append(point[name], total[name])
        assert numbers(lines[label]) == pytest.approx(expected, abs=1e-6), label
    host = evaluate(params, 0.9, 0.5)
    assert numbers(lines["Net cost of the partnership"])[-1] == pytest.approx(float(host["host_net_cost"]))
    # By hand at occupancy 90 %, local use 50 %: 4 × 0.9 × 0.5 = 1.8 local places, × 52 weeks = 93.6
    # local weeks at £5,000 = £468,000 of fees; Westshire uses 40 % of them: £187,200, and pays half of
    # the £200,000 contribution: £100,000.
    assert numbers(lines["Fees for its own local placements"])[[0, 3]] == pytest.approx([187_200, 468_000])
    assert numbers(lines["Host contribution"])[:3] == pytest.approx([100_000, 60_000, 40_000])
    assert numbers(lines["Share of local use (local placements)"]) == pytest.approx([0.4, 0.35, 0.25, 1.0])


def test_each_councils_heat_maps_equal_the_engine(example):
    _, wb = example
    grid = region_grid(Parameters(), example_councils(), RegionRules(), AXIS, AXIS)
    for index in range(3):
        for name in ("host_net_cost", "host_saving"):
            sheet = as_array(named_values(wb, f"out_council{index + 1}_{name}"))
            assert sheet == pytest.approx(grid.values[name][index]), (index, name)


def test_portfolio_statement_equals_the_engine_per_home_pooled_and_difference(example):
    _, wb = example
    params = Parameters()
    columns, lines = statement(wb, "out_portfolio_summary")
    assert columns == [
        "Oak House",
        "Elm Lodge",
        "Portfolio, per home",
        "Portfolio, pooled",
        "Pooled − per home",
    ]
    point = portfolio_evaluate(params, example_homes(), 0.9, 0.5)
    for name in ("provider_surplus", "profit_share", "deficit_cover", "host_net_cost", "provider_margin"):
        label = measure(name).label
        expected = [
            *point["homes"][name],
            *(float(point[b][name]) for b in ("per_home", "pooled", "difference")),
        ]
        assert numbers(lines[label]) == pytest.approx(expected, abs=1e-9), name
    difference = numbers(lines["Provider surplus"])
    assert difference[4] == pytest.approx(difference[3] - difference[2])
    assert difference[4] > 0  # Elm Lodge's loss offsets Oak House's surplus when pooled
    # By hand: the £200,000 contribution is split by places, 4/7 to Oak House and 3/7 to Elm Lodge;
    # Elm Lodge's empty variable cost, fees… are its own, Oak House's empty cells the partnership's.
    used = {row[0]: row[1:] for row in named_values(wb, "out_portfolio_homes")[1:]}
    assert used["Oak House"] == pytest.approx(
        [4, 800_000, 300, 5_000, 5_600, 3, "the grid's", 200_000 * 4 / 7]
    )
    assert used["Elm Lodge"][-1] == pytest.approx(200_000 * 3 / 7)


def test_portfolio_heat_maps_equal_the_engine(example):
    _, wb = example
    grid = portfolio_grid(Parameters(), example_homes(), AXIS, AXIS)
    for index in range(2):
        sheet = as_array(named_values(wb, f"out_home{index + 1}_provider_surplus"))
        assert sheet == pytest.approx(grid.values["homes"]["provider_surplus"][index])
    for basis in ("per_home", "pooled", "difference"):
        sheet = as_array(named_values(wb, f"out_portfolio_{basis}_provider_surplus"))
        assert sheet == pytest.approx(grid.values[basis]["provider_surplus"], abs=1e-6), basis
    for basis in ("per_home", "pooled"):
        sheet = as_array(named_values(wb, f"out_portfolio_{basis}_host_net_cost"))
        assert sheet == pytest.approx(grid.values[basis]["host_net_cost"]), basis


CHANGED = {
    "councils": [["North", "60%", 0.25, None], ["South", 0.4, 0.75, "£7,200"]],
    "contribution_split": "split by use",
    "credit_rule": "mix",
    "credit_mix": 0.3,
    "profit_rule": "by contribution",
    "region_occupancy": 0.8,
    "region_local_use": 0.7,
    "homes": [["Ash", 5, 1_000_000, None, 5_500, None, 4, "85%"]],
    "portfolio_occupancy": 0.7,
    "portfolio_local_use": 0.3,
    "occupancy_step": 0.1,
    "local_use_step": 0.25,
}


def test_changed_tables_and_rules_travel_to_the_engine(tmp_path):
    path = run_default(tmp_path, **CHANGED)
    wb = openpyxl.load_workbook(path)
    params = Parameters()
    rules = RegionRules(
        contribution_split="use", credit_rule="mix", credit_mix=0.3, profit_rule="contribution"
    )
    councils = [COUNCIL_KEYS, ["North", 0.6, 0.25, None], ["South", 0.4, 0.75, 7_200]]
    columns, lines = statement(wb, "out_region_summary")
    assert columns == ["North", "South", "Region total"]
    point = region_evaluate(params, councils, 0.8, 0.7, rules)
    assert numbers(lines["Net cost of the partnership"])[:2] == pytest.approx(point["host_net_cost"])
    # split by use: the contribution follows the use shares, not the 60/40 typed in the table
    assert numbers(lines["Share of the host contribution"]) == pytest.approx([0.25, 0.75, 1.0])
    assert numbers(lines["Share of compensation and release credits"])[:2] == pytest.approx(
        [0.3 * 0.25 + 0.7 * 0.25, 0.3 * 0.75 + 0.7 * 0.75]
    )
    grid = region_grid(params, councils, rules, make_axis(0, 1, 0.1), make_axis(0, 1, 0.25))
    assert as_array(named_values(wb, "out_council2_host_saving")) == pytest.approx(
        grid.values["host_saving"][1]
    )
    text = " ".join(str(c.value) for row in wb[layout.REGION].iter_rows() for c in row if c.value)
    assert "by a mix: weight m on the contribution share" in text  # explain_rules on the sheet
    assert "Illustrative worked example" not in text
    homes = [HOME_KEYS, ["Ash", 5, 1_000_000, None, 5_500, None, 4, 0.85]]
    _, home_lines = statement(wb, "out_portfolio_summary")
    expected = portfolio_evaluate(params, homes, 0.7, 0.3)["homes"]["provider_surplus"]
    assert numbers(home_lines["Provider surplus"])[0] == pytest.approx(expected[0])
    assert numbers(home_lines["Occupancy"])[0] == pytest.approx(0.85)  # its own occupancy, not the 70 %


def charts_by_sheet(path: Path) -> dict[str, int]:
    """How many charts each sheet of an .xlsx draws (workbook → sheet → drawing → charts)."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())

        def related(part: str, kind: str) -> list[str]:
            """The parts ``part`` links to with a relationship of ``kind`` (paths inside the archive)."""
            folder, file = posixpath.split(part)
            rels = f"{folder}/_rels/{file}.rels"
            if rels not in names:
                return []
            xml = archive.read(rels).decode()
            found = []
            for tag in re.findall(r"<Relationship [^>]*>", xml):
                if re.search(rf'Type="[^"]*/{kind}"', tag):
                    target = re.search(r'Target="([^"]+)"', tag).group(1)
                    found.append(
                        target.lstrip("/")
                        if target.startswith("/")
                        else posixpath.normpath(f"{folder}/{target}")
                    )
            return found

        workbook = archive.read("xl/workbook.xml").decode()
        sheets = re.findall(r'<(?:\w+:)?sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook)
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        counts = {}
        for name, rid in sheets:
            tag = next(t for t in re.findall(r"<Relationship [^>]*>", rels) if f'Id="{rid}"' in t)
            target = re.search(r'Target="([^"]+)"', tag).group(1)
            sheet = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            counts[name] = sum(len(related(drawing, "chart")) for drawing in related(sheet, "drawing"))
        return counts


def planned_charts(path: Path) -> dict[str, int]:
    _, inputs = load_inputs(path)
    counts: dict[str, int] = {}
    for item in plan_run(inputs):
        if isinstance(item, Chart):
            counts[item.sheet] = counts.get(item.sheet, 0) + 1
    return counts


def test_a_chart_per_council_and_two_for_the_portfolio(example):
    path, _ = example
    planned = planned_charts(path)
    assert planned[layout.REGION] == 3 and planned[layout.PORTFOLIO] == 2
    drawn = charts_by_sheet(path)
    assert drawn[layout.REGION] == 3 and drawn[layout.PORTFOLIO] == 2


# --- empty tables: the sheets say what to fill, the run skips them --------------------------------


@pytest.mark.slow
def test_empty_tables_skip_the_sheets_and_say_what_to_fill(tmp_path, capsys):
    path = make_workbook(tmp_path, councils=[], homes=[])
    assert main(["run", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Skipped Region: The councils table above is empty" in out
    assert "Skipped Portfolio: The homes table above is empty" in out
    summary = run_workbook(path)
    assert layout.REGION not in summary.sheets and dict(summary.skipped)[layout.PORTFOLIO] == portfolio.EMPTY
    wb = openpyxl.load_workbook(path)
    assert wb[layout.REGION].cell(layout.REGION_SHEET.output_row + 1, 1).value == region.EMPTY
    assert wb[layout.PORTFOLIO].cell(layout.PORTFOLIO_SHEET.output_row + 1, 1).value == portfolio.EMPTY
    assert charts_by_sheet(path).get(layout.REGION, 0) == 0
    assert "out_region_summary" not in wb.defined_names
    assert main(["run", str(path), "--json"]) == 0
    assert '"Region": "The councils table above is empty' in capsys.readouterr().out


@pytest.mark.slow
def test_emptying_a_table_after_a_run_clears_the_old_results(tmp_path):
    path = run_default(tmp_path)
    set_inputs(path, homes=[])
    run_workbook(path)
    wb = openpyxl.load_workbook(path)
    assert "out_portfolio_summary" not in wb.defined_names and "out_region_summary" in wb.defined_names
    values = [
        c.value
        for row in wb[layout.PORTFOLIO].iter_rows(min_row=layout.PORTFOLIO_SHEET.output_row)
        for c in row
    ]
    assert [v for v in values if v is not None][1:] == [portfolio.EMPTY]  # the caption, then the message


# --- bad input: exit 2, each problem with its own cell, the file unchanged -----------------------

GOOD = [list(row) for row in member_inputs.EXAMPLE_COUNCILS]
BAD = [
    (
        {"councils": [GOOD[0], GOOD[1], ["Northby", 0.2, 0.3, 6_000]]},
        "Member councils (Region!D6:D15): the councils' use_share values add up to 1.05",
    ),
    (
        {"councils": [GOOD[0], [None, 0.3, 0.35, None], GOOD[2]]},
        "Member councils (Region!B7): council in row 2 has no name",
    ),
    (
        {"councils": [GOOD[0], GOOD[1], ["WESTSHIRE ", 0.2, 0.25, None]]},
        "Member councils (Region!B8): council 'Westshire' appears in rows 1 and 3",
    ),
    (
        {"councils": [GOOD[0], ["Eastshire", 1.3, 0.35, None], GOOD[2]]},
        "Member councils (Region!C7): council 'Eastshire' contribution_share = 1.3 must be at most 1",
    ),
    (
        {"councils": [GOOD[0], ["Eastshire", 0.4, 0.35, None], GOOD[2]]},
        "or choose 'split by use' for the host contribution split (Region!B21)",
    ),
    ({"credit_rule": "fairly"}, "Credits shared (Region!B22): credit_rule = 'fairly' must be one of"),
    (
        {"profit_mix": 1.5},
        "Profit mix: weight on contribution (Region!B25): profit_mix = 1.5 must be at most 1",
    ),
    (
        {"homes": [["Oak House", 4, 800_000, None, None, None, 5, None]]},
        "Homes (Portfolio!H6): home 'Oak House' reserved_places = 5 exceeds places = 4",
    ),
    (
        {"homes": [["Oak House", 4, 800_000, *[None] * 5], ["Elm Lodge", 2, *[None] * 6]]},
        "Homes (Portfolio!H7): home 'Elm Lodge' reserved_places = 3 (the partnership's, the cell is empty) "
        "exceeds places = 2",
    ),
    (
        {"homes": [["Oak House", 2.5, *[None] * 6]]},
        "Homes (Portfolio!C6): home 'Oak House' places = 2.5 must be a whole",
    ),
    ({"portfolio_local_use": 2}, "Local use (Portfolio!B22): portfolio_local_use = 2 must be at most 1"),
]


@pytest.mark.parametrize(("inputs", "message"), BAD)
def test_bad_member_input_exits_2_and_names_the_cell(tmp_path, capsys, inputs, message):
    path = make_workbook(tmp_path, **inputs)
    before = path.read_bytes()
    assert main(["run", str(path)]) == 2
    assert message in capsys.readouterr().err
    assert path.read_bytes() == before


def test_every_table_problem_at_once_and_on_the_sheet(tmp_path):
    """Shares, a missing name and a duplicate: all named; the add-in writes them under the table."""
    rows = [["Westshire", 0.5, 0.4, None], [None, 0.5, 0.4, None], ["westshire", 0.5, 0.4, None]]
    path = make_workbook(tmp_path, councils=rows)
    wb = open_workbook(path)
    with pytest.raises(InvalidInputsError) as raised:
        read_inputs(*callbacks(wb, path))
    where = {p.where for p in raised.value.located if p.name == "councils"}
    assert where == {"Region!B7", "Region!B8", "Region!C6:C15", "Region!D6:D15"}
    apply_plan(wb, failure_items(raised.value.located))
    cell = layout.input_cell("councils")
    written = wb[layout.REGION][cell.problem_cell].value
    assert (
        cell.problem_cell == "B17"
        and "council in row 2 has no name" in written
        and "add up to 1.5" in written
    )


# --- the command line: partnership region / partnership portfolio --------------------------------


def test_region_command_prints_each_council_and_its_json_is_the_engines(example, capsys):
    path, _ = example
    assert main(["region", str(path)]) == 0
    out = capsys.readouterr().out
    # fees, and the region's net cost at 90 % / 50 %: L = X = 1.8, X_rel = 0.8; S0 = 1,192,160 − 831,160
    # − 23,400 − 58,240 = 279,360; share 0.40·(279,360 − 66,492.8) = 85,146.88;
    # net 468,000 + 200,000 − 23,400 − 58,240 − 85,146.88 = 501,213.12
    assert "Westshire" in out and "£187,200" in out and "£501,213" in out
    assert "Profit share and deficit cover: in proportion to each council's share of local use." in out
    assert main(["region", str(path), "--occupancy", "80%", "--local-use", "0.3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    lines = {line["line"]: line["values"] for line in data["lines"]}
    point = region_evaluate(Parameters(), example_councils(), 0.8, 0.3, RegionRules())
    saving = lines["Saving against the spot market"]
    assert [saving[name] for name in ("Westshire", "Eastshire", "Northby")] == pytest.approx(
        point["host_saving"]
    )
    assert data["title"].startswith("Each council at occupancy 80% and local use 30%")


def test_portfolio_command_shows_the_difference(example, capsys):
    path, _ = example
    assert main(["portfolio", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    surplus = {line["line"]: line["values"] for line in data["lines"]}["Provider surplus"]
    point = portfolio_evaluate(Parameters(), example_homes(), 0.9, 0.5)
    assert surplus["Pooled − per home"] == pytest.approx(float(point["difference"]["provider_surplus"]))
    assert surplus["Oak House"] == pytest.approx(float(point["homes"]["provider_surplus"][0]))


def test_commands_on_an_empty_table_or_a_bad_option_exit_2(tmp_path, capsys):
    path = make_workbook(tmp_path, councils=[])
    assert main(["region", str(path)]) == 2
    assert "The councils table above is empty" in capsys.readouterr().err
    assert main(["portfolio", str(path), "--occupancy", "1.5"]) == 2
    assert "--occupancy: occupancy = 1.5 must be at most 1" in capsys.readouterr().err
