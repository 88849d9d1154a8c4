"""The Term sheet and `partnership term`: inputs in, the engine's multi-year results out.

The engine is tested on its own (tests/engine/multiyear/test_term.py: golden three-year example,
reference model, properties). Here the question is whether the workbook carries the term inputs in and
the results out faithfully, so the oracle is the engine called directly with the same inputs,
plus a cross-check against the one-year sheets and two values worked by hand.
"""

from __future__ import annotations

import dataclasses
import json
import re
import zipfile

import numpy as np
import openpyxl
import pytest

from engine import (
    COST_ASSUMPTIONS,
    UPLIFT_KINDS,
    Parameters,
    TermInputs,
    cumulative_table,
    make_axis,
    rule_comparison,
    term_grid,
    term_summary,
    term_table,
)
from excel_addin.cli import COMMANDS, main
from excel_addin.files.openpyxl_io import callbacks, open_workbook
from excel_addin.files.operations import check_workbook, run_workbook
from excel_addin.workbook import layout
from excel_addin.workbook.errors import InvalidInputsError
from excel_addin.workbook.reader import read_raw
from excel_addin.workbook.run import parse_inputs
from excel_addin.workbook.sheets import term as term_sheet
from tests.support.workbook import as_array, make_workbook, named_values, set_inputs

YEARS = 6
PATH_COLUMNS = layout.input_cell("term_path").columns
OCCUPANCY_PATH = [0.8, 0.85, 0.9, 0.9, 0.95, 0.95]
EDITED = [[0, 0], [0.02, 0.02], [0.04, 0.025], [0.08, "3%"]]  # high_pay_pressure edited (text too)


def path_rows(**rows: list) -> list[list]:
    """The year-by-year table's four rows, each padded to its 25 year columns."""
    names = [name for name, _, _ in term_sheet.term_specs.PATH_ROWS]
    return [list(rows.get(name, [])) + [None] * (PATH_COLUMNS - len(rows.get(name, []))) for name in names]


CHANGED = {
    "years": YEARS,
    "discount_rate": "5%",
    "cost_assumption": "high_pay_pressure",
    "cost_assumptions": EDITED,
    "term_occupancy": 0.85,
    "term_local_use": 0.6,
    "term_path": path_rows(occupancy=OCCUPANCY_PATH),
    "fee_uplift": "capped",
    "fee_uplift_rate": 0.05,
    "fee_uplift_cap": 0.03,
    "fee_uplift_floor": 0.01,
    "host_contribution_uplift": "Index",  # any case, as a finance officer might type it
    "host_contribution_uplift_rate": 0.02,
    "compensation_uplift": "fixed",
    "spot_price_uplift": "cost_linked",
    "occupancy_step": 0.1,
    "local_use_step": 0.25,
}
PARAMS = Parameters()
OCCUPANCY, LOCAL_USE = make_axis(0, 1, 0.1), make_axis(0, 1, 0.25)


def expected_term() -> TermInputs:
    """The same inputs given to the engine directly (engine names, edited assumption table)."""
    assumptions = tuple(
        dataclasses.replace(row, fixed_cost_inflation=0.08, variable_cost_inflation=0.03)
        if row.name == "high_pay_pressure"
        else row
        for row in COST_ASSUMPTIONS
    )
    return TermInputs.from_mapping(
        {
            "years": YEARS,
            "discount_rate": 0.05,
            "cost_assumption": "high_pay_pressure",
            "occupancy": OCCUPANCY_PATH,
            "local_use": 0.6,
            "fee_uplift": "capped",
            "fee_uplift_rate": 0.05,
            "fee_uplift_cap": 0.03,
            "fee_uplift_floor": 0.01,
            "host_contribution_uplift": "index",
            "host_contribution_uplift_rate": 0.02,
            "compensation_uplift": "fixed",
            "spot_price_uplift": "cost_linked",
        },
        assumptions,
    )


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    path = make_workbook(tmp_path_factory.mktemp("term"), **CHANGED)
    assert main(["run", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def wb(ran):
    return openpyxl.load_workbook(ran)


def row_of(wb, name: str) -> np.ndarray:
    return as_array(named_values(wb, layout.out_name(name)))[0]


def test_year_by_year_table_equals_the_engine(wb):
    table = term_table(PARAMS, expected_term())
    assert row_of(wb, "term_year").tolist() == [1, 2, 3, 4, 5, 6]
    names = [name for _, group in term_sheet.YEAR_ROWS for name in group] + ["discount_factor"]
    for name in names:
        np.testing.assert_allclose(row_of(wb, f"term_{name}"), table[name], rtol=1e-12, err_msg=name)
    cumulative = cumulative_table(table)
    for name in term_sheet.CUMULATIVE:
        np.testing.assert_allclose(row_of(wb, f"term_cumulative_{name}"), cumulative[name], rtol=1e-12)
    assert row_of(wb, "term_occupancy").tolist() == OCCUPANCY_PATH  # the typed path, year by year


def test_prices_and_discount_worked_by_hand(wb):
    # fixed cost rises 8 % a year (the edited high_pay_pressure row): year 3 = 775,000 × 1.08² = 903,960
    assert row_of(wb, "term_fixed_cost")[2] == pytest.approx(903_960)
    # host contribution index 2 %: year 6 = 200,000 × 1.02⁵ = 220,816.16
    assert row_of(wb, "term_host_contribution")[5] == pytest.approx(220_816.16, abs=0.01)
    # capped fees: the 5 % rate is held at the 3 % cap: local fee in year 2 = 5,000 × 1.03 = 5,150
    assert row_of(wb, "term_local_fee")[1] == pytest.approx(5_150)
    # compensation fixed for the term; discount 5 %: year 3 = 1 / 1.05² = 0.907029478…
    assert set(row_of(wb, "term_compensation_per_week")) == {250}
    assert row_of(wb, "term_discount_factor")[2] == pytest.approx(0.9070294784580499)


def test_totals_and_npv_columns(wb):
    table = term_table(PARAMS, expected_term())
    sheet, ref = next(iter(wb.defined_names[layout.out_name("term_provider_surplus")].destinations))
    row = openpyxl.utils.cell.coordinate_from_string(ref.split(":")[0].replace("$", ""))[1]
    total, npv = (wb[sheet].cell(row, 2 + YEARS + k).value for k in (0, 1))
    values = table["provider_surplus"].to_numpy()
    assert total == pytest.approx(values.sum())
    assert npv == pytest.approx(sum(v / 1.05**t for t, v in enumerate(values)))  # year 1 undiscounted


def test_summary_figures_equal_the_engine(wb):
    s = term_summary(PARAMS, expected_term())
    npv = as_array(named_values(wb, "out_term_npv"))
    expected = [
        [s["npv_provider_surplus"], s["npv_provider_spot_surplus"], s["npv_provider_gain"]],
        [s["npv_host_net_cost"], s["npv_host_spot_cost"], s["npv_host_saving"]],
    ]
    np.testing.assert_allclose(npv, expected, rtol=1e-12)
    # partnership against spot: the third column is the difference, the better way round for each party
    assert npv[0, 2] == pytest.approx(npv[0, 0] - npv[0, 1])
    assert npv[1, 2] == pytest.approx(npv[1, 1] - npv[1, 0])
    value = named_values(wb, "out_term_provider_return")[0][0]
    assert value == pytest.approx(s["term_provider_return"])
    rate = named_values(wb, "out_term_uplift_rate")[0][0]
    assert rate == pytest.approx(s["reasonable_return_uplift_rate"], abs=1e-12)
    first = named_values(wb, "out_term_first_negative_year")[0][0]
    assert first == (term_sheet.NEVER if np.isnan(s["first_negative_year"]) else s["first_negative_year"])


def test_each_fee_rule_equals_the_engine(wb):
    frame = rule_comparison(PARAMS, expected_term())
    rows = named_values(wb, "out_term_rules")
    shown = as_array([[np.nan if v == term_sheet.NEVER else v for v in row] for row in rows])
    columns = [key for key, _, _ in term_sheet.RULE_COLUMNS]
    np.testing.assert_allclose(shown, frame[columns].to_numpy(dtype=float), rtol=1e-12, equal_nan=True)
    assert frame["first_negative_year"].notna().any()  # the table shows a real loss year somewhere


def test_npv_grids_equal_the_engine(wb):
    grid = term_grid(PARAMS, expected_term(), OCCUPANCY, LOCAL_USE)
    for name in term_sheet.NPV_GRIDS:
        table = as_array(named_values(wb, layout.out_name(f"term_npv_{name}")))
        np.testing.assert_allclose(table, grid.npv(name), rtol=1e-12, equal_nan=True, err_msg=name)


def test_heat_maps_follow_the_colour_convention(wb):
    ws = wb[layout.TERM]
    rules = {str(cf.sqref): cf.rules[0] for cf in ws.conditional_formatting}
    for name in term_sheet.NPV_GRIDS:
        ref = next(iter(wb.defined_names[layout.out_name(f"term_npv_{name}")].destinations))[1]
        if name == "host_net_cost":  # raw spend is no judgement: the host's saving grid is coloured
            assert ref.replace("$", "") not in rules
            continue
        rule = rules[ref.replace("$", "")]
        colours = [c.rgb[-6:] for c in rule.colorScale.color]
        assert colours[1] == "FFFFFF" and rule.colorScale.cfvo[1].val == 0  # white at zero
        assert colours[2] == "63BE7B"  # green where the party is better off


def chart_titles(path) -> list[str]:
    """Every chart title and series title drawn in the file, as text."""
    with zipfile.ZipFile(path) as archive:
        return [
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/charts/chart") and name.endswith(".xml")
        ]


def test_margin_chart_has_one_line_per_fee_rule(ran):
    charts = chart_titles(ran)
    margin = [xml for xml in charts if term_sheet.MARGIN_TITLE in xml]
    assert len(margin) == 1
    assert len(re.findall(r"<(?:c:)?ser>", margin[0])) == len(UPLIFT_KINDS)
    for kind in UPLIFT_KINDS:  # each line's title starts with its rule in words: "linked to costs"
        assert re.search(rf"<(?:c:)?v>{term_sheet.kind_words(kind).lower()}\b", margin[0]), kind
    assert "<v>capped +5% (1%–3%)</v>" in margin[0] or "<c:v>capped +5% (1%–3%)</c:v>" in margin[0]
    assert any(term_sheet.TOTALS_TITLE in xml for xml in charts)


def test_zero_inflation_and_discount_repeat_the_one_year_sheets(tmp_path):
    """Independent of the term engine: NPV over T years = T × the Provider/Host sheets' one-year grid."""
    still = {f"{name}_uplift": "fixed" for name in ("fee", "host_contribution", "compensation", "spot_price")}
    path = make_workbook(
        tmp_path, years=4, discount_rate=0, cost_assumption="none", occupancy_step=0.25, **still
    )
    run_workbook(path)
    wb = openpyxl.load_workbook(path, data_only=True)  # live one-year tables: their saved results
    for name in term_sheet.NPV_GRIDS:
        one_year = as_array(named_values(wb, layout.out_name(name)))
        term = as_array(named_values(wb, layout.out_name(f"term_npv_{name}")))
        np.testing.assert_allclose(term, 4 * one_year, rtol=1e-12, err_msg=name)


# --- validation: every problem at once, each naming its cell --------------------------------------


@pytest.fixture(scope="module")
def template_raw(tmp_path_factory):
    """The template's inputs as the reader reads them (changed per case below, without files)."""
    path = make_workbook(tmp_path_factory.mktemp("raw"))
    return read_raw(callbacks(open_workbook(path), path)[0])


BAD = [
    ({"years": 30}, "Term of the agreement (Term!B6): years = 30 must be at most 25"),
    (
        {"fee_uplift": "sometimes"},
        "Fees: rule (Term!B31): fee_uplift = 'sometimes' must be one of fixed, index, cost_linked, capped",
    ),
    (
        {"fee_uplift_floor": 0.05},
        "Fees: floor on the rise (Term!B34): fee_uplift_floor = 0.05 is above fee_uplift_cap = 0.04",
    ),
    ({"term_occupancy": 1.5}, "Occupancy (Term!B18): term_occupancy = 1.5 must be at most 1"),
    (
        {"cost_assumption": "gloomy"},
        "Cost inflation assumption (Term!B8): cost_assumption = 'gloomy' must be one of none, cpi_target, "
        "central, high_pay_pressure",
    ),
    (
        {"cost_assumptions": [[0, 0], [0.02, 0.02], ["lots", 0.025], [0.07, 0.035]]},
        "Cost inflation assumptions (Term!B12:C15): central fixed_cost_inflation = 'lots' is not a number "
        "(Term!B14)",
    ),
    (
        {"term_path": path_rows(occupancy=[0.8, 0.9, 0.9])},
        "Year by year (Term!B23:Z26): occupancy is empty in years 4 to 10 (Term!E23:K23); fill every year "
        "from 1 to 10, or empty the whole row to use one value",
    ),
    (
        {"term_path": path_rows(local_use=[0.5, 1.2] + [0.5] * 8)},
        "Year by year (Term!B23:Z26): local_use year 2 = 1.2 must be at most 1 (Term!C24)",
    ),
    (
        {"term_path": path_rows(fixed_cost_inflation=[0.04] * 10)},
        "Year by year (Term!B23:Z26): fixed_cost_inflation in year 1 (Term!B25) must be empty: year 1 is "
        "at today's prices and the first rise is the one into year 2",
    ),
    (
        {"years": 5, "term_path": path_rows(variable_cost_inflation=[None] + [0.03] * 6)},
        "Year by year (Term!B23:Z26): variable_cost_inflation has values in years 6 to 7 (Term!G26:H26), "
        "after the last year of the term (5); clear them or lengthen the term",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[str(list(c)) for c, _ in BAD])
def test_each_problem_names_its_cell(template_raw, change, message):
    with pytest.raises(InvalidInputsError) as error:
        parse_inputs({**template_raw, **change})
    assert [str(p) for p in error.value.located] == [message]


def test_every_problem_at_once(template_raw):
    change = {name: value for case in (BAD[0], BAD[1], BAD[5]) for name, value in case[0].items()}
    with pytest.raises(InvalidInputsError) as error:
        parse_inputs({**template_raw, **change})
    assert sorted(str(p) for p in error.value.located) == sorted(m for _, m in (BAD[0], BAD[1], BAD[5]))


def test_a_path_or_an_edited_assumption_is_used(template_raw):
    raw = {
        **template_raw,
        "years": 3,
        "term_path": path_rows(local_use=[0.2, 0.4, 0.6], variable_cost_inflation=[None, 0.1, "5%"]),
        "cost_assumptions": [[0, 0], [0.02, 0.02], ["6%", 0.025], [0.07, 0.035]],
    }
    setup = term_sheet.term_results(parse_inputs(raw)).setup
    assert setup.term.local_use == (0.2, 0.4, 0.6) and setup.term.occupancy == 0.9
    assert setup.term.variable_cost_inflation == (0.1, 0.05)
    assert setup.term.fixed_cost_inflation == 0.06  # the edited central row
    assert setup.varies == ("local_use", "variable_cost_inflation")


def test_cli_run_refuses_bad_term_inputs_and_leaves_the_file(tmp_path, capsys):
    path = make_workbook(tmp_path, fee_uplift_cap=0.005, fee_uplift_floor=0.01)
    before = path.read_bytes()
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert (
        "Fees: floor on the rise (Term!B34): fee_uplift_floor = 0.01 is above fee_uplift_cap = 0.005" in err
    )
    assert path.read_bytes() == before


def test_template_inputs_lists_and_row_labels(tmp_path):
    wb = openpyxl.load_workbook(make_workbook(tmp_path))
    ws = wb[layout.TERM]
    validations = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    for name in term_sheet.term_specs.CHOICES:
        cell = layout.input_cell(name)
        assert validations[cell.ref].type == "list", name
        assert validations[cell.ref].formula1 == '"' + ",".join(term_sheet.term_specs.CHOICES[name]) + '"'
        assert ws[cell.ref].value == cell.spec.default
    path = layout.input_cell("term_path")
    labels = [ws.cell(path.row + i, 1).value for i in range(path.rows)]
    assert labels == ["Occupancy", "Local use", "Fixed cost inflation", "Variable cost inflation"]
    assert [ws.cell(path.label_row, path.column + j).value for j in (0, 24)] == ["Year 1", "Year 25"]
    rates = layout.input_cell("cost_assumptions")
    assert [ws.cell(rates.row + i, 1).value for i in range(rates.rows)] == [r.name for r in COST_ASSUMPTIONS]
    assert ws.cell(rates.row + 2, rates.column).value == 0.04  # central, fixed cost


def test_a_changed_term_input_marks_the_results_out_of_date(tmp_path):
    path = make_workbook(tmp_path)
    run_workbook(path)
    set_inputs(path, fee_uplift="fixed", term_path=path_rows(occupancy=[0.9] * 10))
    summary = check_workbook(path)
    assert summary.status == layout.OUT_OF_DATE
    assert summary.changed == ["term_path", "fee_uplift"]


# --- partnership term --------------------------------------------------------------------------------


def test_term_is_a_command():
    assert "term" in COMMANDS


def test_term_json_equals_the_engine(ran, capsys):
    assert main(["term", str(ran), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    s, frame = term_summary(PARAMS, expected_term()), rule_comparison(PARAMS, expected_term())
    assert data["ok"] is True and data["command"] == "term" and data["status"] == layout.UP_TO_DATE
    assert data["years"] == YEARS and data["occupancy"] == OCCUPANCY_PATH and data["local_use"] == 0.6
    assert data["fee_uplift"] == "capped"
    provider, host = data["npv"]["provider_surplus"], data["npv"]["host_net_cost"]
    assert provider == {
        "partnership": pytest.approx(s["npv_provider_surplus"]),
        "spot": pytest.approx(s["npv_provider_spot_surplus"]),
        "better_by": pytest.approx(s["npv_provider_gain"]),
    }
    assert host["better_by"] == pytest.approx(s["npv_host_saving"])
    assert host["better_by"] == pytest.approx(host["spot"] - host["partnership"])
    assert data["first_negative_year"] == {
        kind: None if np.isnan(year) else int(year) for kind, year in frame["first_negative_year"].items()
    }
    assert data["reasonable_return_uplift_rate"] == pytest.approx(s["reasonable_return_uplift_rate"])
    assert data["term_provider_return"] == pytest.approx(s["term_provider_return"])


def test_term_prints_the_summary(tmp_path, capsys):
    path = make_workbook(tmp_path)  # the template's term: 10 years, everything cost-linked
    assert main(["term", str(path)]) == 0
    out = capsys.readouterr().out
    s = term_summary(PARAMS, TermInputs())
    assert "a 10-year term at occupancy 90%, local use 75%" in out and layout.NOT_RUN in out
    assert f"£{s['npv_provider_surplus']:,.0f}" in out and f"£{s['npv_host_saving']:,.0f}" in out
    assert "Linked to costs (chosen)" in out and "never" in out
    assert "better by £" in out and "worse by £" in out and "better by -" not in out
    assert f"{s['reasonable_return_uplift_rate']:.2%} a year" in out


def test_term_exit_codes(tmp_path, capsys):
    path = make_workbook(tmp_path, years="ten")
    assert main(["term", str(path)]) == 2
    assert "Term of the agreement (Term!B6): years = 'ten' is not a number" in capsys.readouterr().err
    assert main(["term", str(tmp_path / "missing.xlsx"), "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["error"] == "workbook"
