"""The macros on a real xlwings Book without Excel: xlwings' remote interpreter.

The Book is built from our own template (openpyxl) as an Excel client would send it; the
macros run on it unchanged and every write becomes an action for Excel to carry out.
The tests check those actions: the same cell values as the command line writes, nothing
in an input cell, the charts, colour scales and names asked for, the problems of invalid
inputs, and the Scenarios sheet's round trip. What only Excel can show (how a chart or a
colour scale looks, sheet protection) is listed in the add-in's README.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any, get_args

import pytest

from excel_addin.excel import macros, xlwings_apply
from excel_addin.files.openpyxl_apply import apply_plan as apply_openpyxl
from excel_addin.files.openpyxl_io import callbacks
from excel_addin.files.template import build_template
from excel_addin.workbook import a1, layout, plan, run, scenarios
from excel_addin.workbook.errors import WorkbookError
from excel_addin.workbook.live_formulas import Point, measure_formula
from tests.support.addin import (
    actions,
    range_actions,
    rectangle,
    remote_book,
    replay,
    sheet_name,
    values_of,
    written,
)

WHEN = datetime(2026, 11, 26, 9, 30)


def typed(**inputs: Any):
    """A fresh template with ``inputs`` typed into their cells."""
    wb = build_template()
    for name, value in inputs.items():
        cell = layout.input_cell(name)
        rows = value if cell.is_table else [[value]]
        for i in range(cell.rows):
            row = rows[i] if i < len(rows) else []
            for j in range(cell.columns):
                wb[cell.sheet].cell(cell.row + i, cell.column + j).value = row[j] if j < len(row) else None
    return wb


def command_line_run(wb):
    """What `partnership run` writes into ``wb`` at ``WHEN``, and its plan."""
    value_of, address_of = callbacks(wb)
    items = run.plan_run(run.read_inputs(value_of, address_of), WHEN)
    apply_openpyxl(wb, items)
    return items


@pytest.fixture(scope="module")
def first_run():
    """run_model on a fresh template: the book, its actions and the plan the command line makes."""
    book = remote_book(build_template())
    outcome = macros.run_model(book, WHEN)
    expected = build_template()
    items = command_line_run(expected)
    return outcome, actions(book), items, expected


SIZE_ONLY = {"setColumnWidth", "setRowHeight"}  # whole columns or rows: sizes, not cells


def overlaps_an_input(wb, action) -> str | None:
    """The input whose cells a value, format or clear action touches, if any."""
    if action["func"] in SIZE_ONLY:
        return None
    sheet = sheet_name(wb, action)
    for cell in layout.all_inputs():
        if cell.sheet == sheet and a1.overlaps(rectangle(action), cell.rectangle):
            return cell.name
    return None


def test_run_writes_what_the_command_line_writes(first_run):
    outcome, acts, _, expected = first_run
    assert outcome.ok and "21 × 21" in outcome.message
    got = values_of(replay(build_template(), acts))
    want = values_of(expected)
    assert {key for key in got.keys() | want.keys() if got.get(key) != want.get(key)} == set()
    assert got[(layout.PROVIDER, "A3")].startswith("Computed 26 Nov 2026 09:30")


def test_run_never_writes_an_input_cell(first_run):
    _, acts, _, _ = first_run
    wb = build_template()
    touched = {overlaps_an_input(wb, action) for action in range_actions(acts)} - {None}
    assert touched == set()


def test_run_writes_results_where_the_layout_says(first_run):
    _, acts, items, _ = first_run
    cells = written(build_template(), acts)
    table = next(
        item for item in items if isinstance(item, plan.Name) and item.name == "out_provider_surplus"
    )
    row, column, _, _ = a1.parse_area(table.ref)
    # the tables are live formulas (Excel computes them): the surplus formula at each point
    for i, j in ((0, 0), (16, 10)):  # occupancy 0 and 80 %, local use 0 and 50 %
        o, u = f"$A{row + i}", f"{a1.column_letter(column + j)}${row - 1}"
        expected = measure_formula("provider_surplus", Point(o, u), guards=(o, u))
        assert cells[(table.sheet, a1.cell(row + i, column + j))] == str(expected)
    status = layout.STATUS_BY_NAME["status_message"]
    assert cells[(layout.INPUTS, status.ref)] == layout.status_formula()
    assert cells[(layout.INPUTS, layout.STATUS_BY_NAME["status_computed_at"].ref)] == "2026-11-26 09:30:00"


def test_charts_colour_scales_and_names_as_planned(first_run):
    _, acts, items, _ = first_run
    charts = [item for item in items if isinstance(item, plan.Chart)]
    added = [a for a in acts if a["func"] == "addChart"]
    assert len(added) == len(charts) >= 4
    first_types = {"scatter": "Line", "column": "ColumnClustered", "bar": "BarClustered"}
    for chart, action in zip(charts, added, strict=True):
        _, kind, sheet, source, *_, plot_by, anchor, _ = action["args"]
        ref, orientation = xlwings_apply.chart_source(chart)
        assert (kind, sheet, source, plot_by) == (
            first_types[getattr(chart, "kind", "scatter")],
            chart.sheet,
            a1.absolute(ref),
            orientation.title(),
        )
        assert anchor == a1.absolute(chart.anchor)
    # the x values go to every series before a line chart becomes a scatter chart
    steps = [a["func"] for a in acts if a["func"] in ("addChart", "setChartXAxisValues", "setChartType")]
    expected = []
    for chart in charts:
        expected += ["addChart", "setChartXAxisValues"] + (
            ["setChartType"] if getattr(chart, "kind", "scatter") == "scatter" else []
        )
    assert steps == expected
    assert {a["args"][1] for a in acts if a["func"] == "setChartType"} == {"XYScatterLinesNoMarkers"}
    x_values = [a["args"][1:] for a in acts if a["func"] == "setChartXAxisValues"]
    assert x_values == [[chart.sheet, a1.absolute(chart.categories)] for chart in charts]
    titled = [chart.title for chart in charts if chart.title]  # the Summary's charts have theirs in a cell
    assert [a["args"][1] for a in acts if a["func"] == "setChartTitle"] == titled
    axes = [a["args"][1:] for a in acts if a["func"] == "setChartAxis"]
    assert axes[0] == ["category", {"title": charts[0].x_title, "minimum_scale": charts[0].x_min,
                                    "maximum_scale": charts[0].x_max, "major_unit": charts[0].x_step,
                                    "number_format": charts[0].x_format}]  # fmt: skip
    heat = [item for item in items if isinstance(item, plan.HeatMap)]
    scales = [a for a in acts if a["func"] == "addConditionalFormat" and a["args"][0]["type"] == "ColorScale"]
    assert [s["args"][0]["thresholds"] for s in scales] == [[h.low, h.mid, h.high] for h in heat]
    named = {a["args"][0]: a["args"][1] for a in acts if a["func"] == "namesAdd"}
    assert named == {
        item.name: "=" + a1.sheet_ref(item.sheet, item.ref) for item in items if isinstance(item, plan.Name)
    }


def test_every_chart_has_its_series_names_in_its_source(first_run):
    """Lite cannot name series one by one: the line above (or left of) the series names them.

    On the desktop the series are also named from the plan, so there a header that differs
    from the series title does not show; on the party sheets both must agree.
    """
    _, acts, items, _ = first_run
    cells = written(build_template(), acts)
    for chart in (item for item in items if isinstance(item, plan.Chart)):
        ref, orientation = xlwings_apply.chart_source(chart)
        row, column, _, _ = a1.parse_area(ref)
        for series in chart.series:
            first_row, first_column, _, _ = a1.parse_area(series.ref)
            header = a1.cell(row, first_column) if orientation == "columns" else a1.cell(first_row, column)
            name = cells.get((chart.sheet, header))
            assert isinstance(name, str) and name, (chart.title, series.title)
            if chart.sheet in (layout.PROVIDER, layout.HOST):
                assert name == series.title, (chart.title, series.title)


@pytest.mark.slow
def test_second_run_replaces_charts_and_names():
    wb = build_template()
    command_line_run(wb)  # the workbook as saved after a run: charts and out_ names present
    book = remote_book(wb)
    macros.run_model(book, WHEN)
    acts = actions(book)
    deleted = [a for a in acts if a["func"] in ("deleteChart", "chartDelete")]
    assert len(deleted) == sum(len(ws._charts) for ws in wb.worksheets) > 0
    removed = {a["args"][2] for a in acts if a["func"] == "nameDelete"}
    assert removed == {name for name in wb.defined_names if name.startswith(layout.OUT_PREFIX)}
    assert len([a for a in acts if a["func"] == "addChart"]) == len(deleted)


def test_invalid_inputs_write_only_the_problems():
    wb = typed(fixed_cost="lots", reserved_places=5)
    book = remote_book(wb)
    outcome = macros.run_model(book, WHEN)
    acts = actions(book)
    assert not outcome.ok and outcome.message.startswith("2 problems: no results were written")
    assert {a["func"] for a in acts} <= {"setValues", "setFontProperty"}
    cells = written(wb, acts)
    fixed = layout.input_cell("fixed_cost")
    assert cells[(fixed.sheet, fixed.problem_cell)] == "fixed_cost = 'lots' is not a number"
    reserved = layout.input_cell("reserved_places")
    assert cells[(reserved.sheet, reserved.problem_cell)] == "reserved_places = 5 exceeds places = 4"
    problems = layout.STATUS_BY_NAME["status_problems"]
    assert cells[(layout.INPUTS, problems.ref)].startswith("2 problems")
    assert all(overlaps_an_input(wb, action) is None for action in range_actions(acts))


def test_a_workbook_without_the_models_names_is_refused():
    wb = build_template()
    del wb.defined_names["fixed_cost"]
    with pytest.raises(WorkbookError, match="the name 'fixed_cost' is missing"):
        macros.run_model(remote_book(wb), WHEN)


def test_every_plan_item_and_style_has_an_xlwings_writer():
    assert set(get_args(plan.Item)) <= set(xlwings_apply.APPLY)
    assert set(xlwings_apply.STYLES) >= plan.STYLES


def test_styles_are_openpyxls_as_fonts_and_fills():
    from excel_addin.files.openpyxl_apply import STYLES

    assert set(xlwings_apply.STYLES) == set(STYLES)
    assert xlwings_apply.STYLES["header"] == {"bold": True, "color": "#1F3864", "fill": "#D9E1F2"}
    assert xlwings_apply.STYLES["input"] == {"color": "#0000FF", "fill": "#FFF2CC"}
    assert xlwings_apply.STYLES["note"] == {"italic": True, "color": "#595959"}  # 11 pt, the default size


def test_a_style_becomes_font_and_fill_actions(first_run):
    _, acts, _, _ = first_run
    provider = build_template().sheetnames.index(layout.PROVIDER)
    caption = [a for a in acts if a["sheet_position"] == provider and a.get("start_row") == 2]  # A3, a note
    fonts = {tuple(a["args"]) for a in caption if a["func"] == "setFontProperty"}
    assert fonts == {("italic", True), ("color", "#595959")}


@pytest.mark.parametrize(("freeze", "frozen"), [("B4", "A1:A3"), ("A10", "1:9"), ("C1", "A:B")])
def test_frozen_range(freeze, frozen):
    assert xlwings_apply.frozen_range(freeze) == frozen


class FakeSheet:
    def __init__(self, name: str, protected: bool, log: list):
        self.name, self.log = name, log
        outer = self

        class Api:
            @property
            def ProtectContents(self):  # noqa: N802
                return protected

            def Unprotect(self):  # noqa: N802
                outer.log.append(("unprotect", outer.name))

            def Protect(self, **options):  # noqa: N802
                outer.log.append(("protect", outer.name, tuple(sorted(options))))

        self.api = Api()


class FakeBook:
    def __init__(self, sheets):
        self.sheets = {sheet.name: sheet for sheet in sheets}

        class App:
            class engine:  # noqa: N801
                name = "excel"

        self.app = App()


def test_desktop_lifts_and_restores_protection_even_when_a_write_fails(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    log: list = []
    book = FakeBook([FakeSheet("Inputs", True, log), FakeSheet("Scenarios", False, log)])
    with pytest.raises(RuntimeError), xlwings_apply.unprotected(book, ["Inputs", "Scenarios"]):
        log.append(("write",))
        raise RuntimeError("Excel refused a write")
    assert log[0] == ("unprotect", "Inputs") and log[1] == ("write",)
    assert log[2][:2] == ("protect", "Inputs") and "AllowFiltering" in log[2][2]
    assert len(log) == 3  # the unprotected Scenarios sheet is left alone


def test_remote_and_lite_never_touch_protection():
    log: list = []
    book = FakeBook([FakeSheet("Inputs", True, log)])
    book.app.engine.name = "remote"
    with xlwings_apply.unprotected(book, ["Inputs"]):
        pass
    assert log == []


# --- scenarios ----------------------------------------------------------------------------------


def saved(wb, name: str, when: datetime = WHEN):
    """Type ``name`` on the Scenarios sheet, run new_scenario; the workbook as Excel would then hold it."""
    wb[layout.SCENARIOS].cell(scenarios.NAME_ROW, 2).value = name
    book = remote_book(wb)
    outcome = macros.new_scenario(book, when)
    return outcome, actions(book), replay(wb, actions(book))


def test_new_scenario_keeps_every_input_cell_as_text_safe_values():
    wb = typed(host_contribution=250_000, fixed_cost="£900,000", share_tiers=[[0, 0.2], [0.6, 0.5]])
    outcome, acts, after = saved(wb, "-10% on the contribution")
    assert outcome.ok and outcome.message.startswith(
        f"Saved '-10% on the contribution' in row {scenarios.FIRST_ROW}"
    )
    cells = written(wb, acts)
    row = scenarios.FIRST_ROW
    raw_name = next(a for a in acts if a["func"] == "setValues" and a["start_row"] == row - 1)["values"][0][0]
    assert raw_name == "'-10% on the contribution"  # text, never a formula
    keys = [after[layout.SCENARIOS].cell(scenarios.KEY_ROW, c).value for c in range(1, 400)]
    column = {key: index + 1 for index, key in enumerate(keys) if key}
    at = lambda key: cells[(layout.SCENARIOS, a1.cell(row, column[key]))]  # noqa: E731
    assert at("host_contribution") == 250_000
    assert at("fixed_cost") == "£900,000"
    assert at("share_tiers[2,1]") == 0.6 and at("share_tiers[2,2]") == 0.5 and at("share_tiers[3,1]") is None
    assert len([k for k in keys if k]) == len(scenarios.FIXED_HEADERS) + len(scenarios.slots())
    formats = {}  # each stored cell shows as on its own sheet: £ for money, % for shares
    for action in acts:
        if action["func"] == "setNumberFormat" and action["start_row"] == row - 1:
            for c in range(action["start_column"], action["start_column"] + action["column_count"]):
                formats[c + 1] = action["args"][0]
    assert formats[column["fixed_cost"]] == layout.input_cell("fixed_cost").number_format == "£#,##0"
    assert formats[column["release_share"]] == layout.input_cell("release_share").number_format
    assert formats[column["share_tiers[1,2]"]] == "0%"
    wb2 = build_template()
    assert all(overlaps_an_input(wb2, action) is None for action in range_actions(acts))


def test_saving_again_under_the_same_name_replaces_its_row():
    _, _, after = saved(typed(), "Proposal A")
    _, _, after = saved(after, "Proposal B")
    outcome, _, after = saved(after, "  proposal a ")
    assert outcome.message.startswith(f"Replaced 'proposal a' in row {scenarios.FIRST_ROW}")
    names = [after[layout.SCENARIOS].cell(scenarios.FIRST_ROW + k, 1).value for k in range(3)]
    assert names == ["proposal a", "Proposal B", None]


def test_load_scenario_round_trip_writes_only_input_cells():
    original = typed(host_contribution=250_000, fixed_cost="£900,000", share_tiers=[[0, 0.2], [0.6, 0.5]])
    before = {cell.name: cell for cell in layout.all_inputs()}
    _, _, after = saved(original, "Deal 1")
    # the session moves on: other terms typed, then the kept deal is loaded back
    changed = typed(host_contribution=100_000, share_tiers=[[0, 0.3]])
    for r in range(1, after[layout.SCENARIOS].max_row + 1):
        for c in range(1, after[layout.SCENARIOS].max_column + 1):
            changed[layout.SCENARIOS].cell(r, c).value = after[layout.SCENARIOS].cell(r, c).value
    changed[layout.SCENARIOS].cell(scenarios.NAME_ROW, 2).value = "deal 1"
    book = remote_book(changed)
    outcome = macros.load_scenario(book)
    acts = actions(book)
    assert outcome.ok and outcome.message.startswith("Loaded 'deal 1' into the inputs")
    loaded = replay(changed, acts)
    for name, cell in before.items():
        got = [[loaded[cell.sheet].cell(cell.row + i, cell.column + j).value for j in range(cell.columns)]
               for i in range(cell.rows)]  # fmt: skip
        want = [[original[cell.sheet].cell(cell.row + i, cell.column + j).value for j in range(cell.columns)]
                for i in range(cell.rows)]  # fmt: skip
        assert got == want, name
    outside = [a for a in range_actions(acts) if overlaps_an_input(changed, a) is None]
    assert {sheet_name(changed, a) for a in outside} == {layout.SCENARIOS}  # only the message besides inputs


def test_load_unknown_or_empty_name_changes_nothing():
    _, _, after = saved(typed(), "Deal 1")
    after[layout.SCENARIOS].cell(scenarios.NAME_ROW, 2).value = "Deal 2"
    book = remote_book(after)
    outcome = macros.load_scenario(book)
    assert not outcome.ok and outcome.message == "There is no scenario called 'Deal 2' (kept: Deal 1)."
    assert {sheet_name(after, a) for a in range_actions(actions(book))} == {layout.SCENARIOS}
    after[layout.SCENARIOS].cell(scenarios.NAME_ROW, 2).value = None
    book = remote_book(after)
    assert not macros.new_scenario(book).ok
    assert written(after, actions(book)) == {
        (
            layout.SCENARIOS,
            f"B{scenarios.MESSAGE_ROW}",
        ): "Type a name for the scenario in the yellow cell first."
    }


def test_a_sheet_from_an_older_layout_gets_new_columns_and_still_loads():
    wb = typed(host_contribution=123_000)
    ws = wb[layout.SCENARIOS]
    first = scenarios.FIRST_INPUT_COLUMN
    keys = [ws.cell(scenarios.KEY_ROW, c).value for c in range(first, ws.max_column + 1)]
    old = [key for key in keys if key != "fixed_cost"]  # saved before fixed_cost was an input
    for c in range(first, ws.max_column + 1):
        ws.cell(scenarios.KEY_ROW, c).value = old[c - first] if c - first < len(old) else None
    _, _, after = saved(wb, "Old")
    new_keys = [
        after[layout.SCENARIOS].cell(scenarios.KEY_ROW, c).value for c in range(first, first + len(keys))
    ]
    assert new_keys == [*old, "fixed_cost"]
    items, missing = scenarios.load_items(old, [None] * len(old))
    assert missing == ["fixed_cost"] and all(isinstance(item, plan.Block) for item in items)
