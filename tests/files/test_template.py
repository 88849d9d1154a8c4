"""The template: generated from the layout, committed, protected, validated, named."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from engine import PARAMETERS
from excel_addin.files.openpyxl_io import SAFE_XML
from excel_addin.files.template import build_template, summary
from excel_addin.workbook import a1, layout

COMMITTED = Path(__file__).resolve().parents[2] / "workbook_templates" / "partnership_model.xlsx"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> openpyxl.Workbook:
    """The template as code generates it, saved and read back (as any user gets it)."""
    path = tmp_path_factory.mktemp("template") / "generated.xlsx"
    build_template().save(path)
    return openpyxl.load_workbook(path)


def test_committed_template_matches_the_code(generated):
    committed = openpyxl.load_workbook(COMMITTED)
    assert summary(committed) == summary(generated), "run `make template` and commit the result"


def test_sheets_in_order_with_hidden_snapshot_and_config(generated):
    assert generated.sheetnames == list(layout.sheet_order())
    assert generated[layout.SNAPSHOT].sheet_state == "hidden"
    assert generated[layout.XLWINGS_CONF].sheet_state == "hidden"
    assert generated.active.title == layout.INPUTS


def test_every_parameter_has_a_named_value_cell_with_its_default(generated):
    for spec in PARAMETERS:
        sheet, ref = next(iter(generated.defined_names[spec.name].destinations))
        ws = generated[sheet]
        if spec.name == "share_tiers":
            rows = [[c.value for c in row] for row in ws[ref]]
            assert rows == [[0, 0.25], [0.5, 0.4], [0.75, 0.6], [None, None], [None, None]]
        else:
            assert ws[ref].value == spec.default
            label_row = a1.parse_cell(ref.replace("$", ""))[0]
            assert ws.cell(label_row, layout.COLUMNS.label).value == spec.label
            assert ws.cell(label_row, layout.COLUMNS.rule).value == spec.rule


def test_number_formats_of_inputs(generated):
    ws = generated[layout.INPUTS]
    assert ws[layout.input_cell("fixed_cost").ref].number_format == "£#,##0"
    assert ws[layout.input_cell("release_share").ref].number_format == "0.0%"
    assert ws[layout.input_cell("occupancy_step").ref].number_format == "0%"
    assert ws[layout.input_cell("places").ref].number_format == "0"


def test_every_input_cell_has_data_validation(generated):
    for cell in layout.all_inputs():
        ws = generated[cell.sheet]
        if cell.choices:  # a drop-down list of the choices
            rules = [v for v in ws.data_validations.dataValidation if str(v.sqref) == cell.ref]
            assert [(v.type, v.formula1) for v in rules] == [("list", '"' + ",".join(cell.choices) + '"')]
            continue
        if cell.column_specs:  # one rule per number column; a text column is not held to numbers
            for index, spec in enumerate(cell.column_specs):
                column = a1.area(cell.row, cell.column + index, cell.rows, 1)
                rules = [v for v in ws.data_validations.dataValidation if str(v.sqref) == column]
                numeric = [v for v in rules if v.type == "custom" and "ISNUMBER" in v.formula1]
                assert len(numeric) == (0 if spec.unit == "text" else 1), (cell.name, spec.name)
                assert all(spec.rule in v.error for v in numeric)
            continue
        rules = [v for v in ws.data_validations.dataValidation if cell.ref in str(v.sqref)]
        assert len(rules) == 1, cell.name
        rule = rules[0]
        first = a1.cell(cell.row, cell.column)
        assert rule.type == "custom" and rule.formula1.startswith(f"AND(ISNUMBER({first})")
        assert rule.showErrorMessage and cell.spec.rule in rule.error
    reserved = layout.input_cell("reserved_places")
    rule = next(
        v for v in generated[layout.INPUTS].data_validations.dataValidation if reserved.ref in str(v.sqref)
    )
    assert f"{reserved.ref}<=places" in rule.formula1
    places = layout.input_cell("places")
    rule = next(
        v for v in generated[layout.INPUTS].data_validations.dataValidation if str(v.sqref) == places.ref
    )
    assert f"{places.ref}=INT({places.ref})" in rule.formula1


def test_only_input_cells_are_unlocked_and_sheets_are_protected_without_password(generated):
    inputs = {
        (c.sheet, a1.cell(c.row + i, c.column + j))
        for c in layout.all_inputs()
        for i in range(c.rows)
        for j in range(c.columns)
    }
    protected = {s.name: s.protected for s in layout.SHEETS}  # Scenarios is not: the macros write it
    for name in (*(s.name for s in layout.SHEETS), layout.SNAPSHOT):
        ws = generated[name]
        assert ws.protection.sheet == protected.get(name, True) and not ws.protection.password, name
        unlocked = {
            (name, c.coordinate) for row in ws.iter_rows() for c in row if c.protection.locked is False
        }
        assert unlocked == {key for key in inputs if key[0] == name}
    assert generated[layout.RESULTS].protection.autoFilter is False  # filtering stays allowed


def test_status_area_before_any_run(generated):
    ws = generated[layout.INPUTS]
    status = {c.name: ws[c.ref].value for c in layout.STATUS}
    assert status["status_message"] == layout.status_formula()
    assert all(status[name] is None for name in ("status_computed_at", "status_fingerprint"))
    snapshot = generated[layout.SNAPSHOT]
    assert snapshot[layout.SNAPSHOT_FINGERPRINT.ref].value is None
    slots = layout.snapshot_slots()
    assert {slot.cell.name for slot in slots} == {cell.name for cell in layout.all_inputs()}
    assert snapshot.cell(slots[0].row, 2).value == slots[0].changed_formula


def test_xlwings_conf_sheet_as_the_add_in_reads_it(generated):
    ws = generated[layout.XLWINGS_CONF]
    rows = []
    for row in range(1, 10):
        if ws.cell(row, 1).value is None:
            break
        rows.append((ws.cell(row, 1).value, ws.cell(row, 2).value))
    assert rows == [("UDF Modules", "excel_addin.udfs")]


def test_openpyxl_reads_through_defusedxml():
    assert SAFE_XML is True
