"""The template workbook, generated from the layout: nothing in it is typed by hand.

``build_template()`` is what ``partnership new`` writes and what
``workbook_templates/build.py`` saves as the committed template. The visible text and
values go through the same plan items as a run; what only a template needs (defaults in
the input cells, data validation, defined names, protection, the status colours) is here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from engine import ParameterSpec, __version__, format_value
from excel_addin.files.openpyxl_apply import APPLY, style_cell
from excel_addin.files.stamp import read_stamp, write_stamp
from excel_addin.workbook import a1, layout, scenarios
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.formats import GENERAL, input_format
from excel_addin.workbook.guide import guide_items
from excel_addin.workbook.layout import COLUMNS, InputCell, SheetLayout
from excel_addin.workbook.plan import Item, SheetSetup, block, column_block, snapshot_items
from excel_addin.workbook.run import parse_inputs
from excel_addin.workbook.sheets import SHEETS

# Rules an input has beyond its spec's range, as data-validation conditions ({cell} is the cell).
EXTRA_RULES = {
    "reserved_places": ("{cell}<=places",),
    "share_tiers": ("{cell}>=0", "{cell}<=1"),
    "block_places": ("{cell}<=places",),
}
PLACEHOLDER = "No results yet: run the model (see the Guide sheet)."


def _titles(sheet: SheetLayout) -> list[Item]:
    items: list[Item] = [block(sheet.name, layout.TITLE_ROW, 1, sheet.title, style="title")]
    if sheet.subtitle:
        items.append(block(sheet.name, layout.SUBTITLE_ROW, 1, sheet.subtitle, style="subtitle"))
    return items


def _input_rows(sheet: SheetLayout) -> list[Item]:
    """Column headers, section headings, and each input's label, unit, range and explanation."""
    if not sheet.sections or sheet.header_row is None:  # a sheet with inputs has its column headers
        return []
    items: list[Item] = [block(sheet.name, sheet.header_row, 1, [COLUMNS.headers], style="header")]
    for section in sheet.sections:
        items.append(block(sheet.name, section.heading_row, 1, section.title, style="heading"))
        for cell in section.cells:
            items += _describe(sheet.name, cell)
    return items


def _describe(sheet: str, cell: InputCell) -> list[Item]:
    row, spec = cell.label_row, cell.spec
    items: list[Item] = [block(sheet, row, COLUMNS.label, spec.label, style="label")]
    if cell.row_labels:  # each row of the table named beside it
        items.append(column_block(sheet, cell.row, COLUMNS.label, cell.row_labels, style="axis"))
    if cell.wide:  # the explanation would sit on the table: it goes under it, across
        items.append(block(sheet, row, COLUMNS.value, [cell.header], style="header"))
        text = f"{spec.help} Allowed: {spec.rule}."
        items.append(block(sheet, cell.note_row, COLUMNS.value, text, style="note"))
        return items
    if cell.header:
        items.append(block(sheet, row, COLUMNS.value, [cell.header], style="header"))
        items.append(block(sheet, row, COLUMNS.help, spec.help, style="note"))
        items.append(block(sheet, row + 1, COLUMNS.help, f"Allowed: {spec.rule}", style="note"))
        return items
    items.append(block(sheet, row, COLUMNS.unit, "%" if spec.unit == "share" else spec.unit, style="unit"))
    items.append(block(sheet, row, COLUMNS.rule, spec.rule, style="label"))
    items.append(block(sheet, row, COLUMNS.help, spec.help, style="note"))
    return items


def _status_labels() -> list[Item]:
    """Labels of the status area and its out-of-date formula; the other status cells start empty."""
    items: list[Item] = [block(layout.INPUTS, layout.STATUS_HEADING_ROW, 1, "Run status", style="heading")]
    items += [
        block(layout.INPUTS, cell.row, COLUMNS.label, cell.label, style="status") for cell in layout.STATUS
    ]
    message = layout.STATUS_BY_NAME["status_message"]
    formula = layout.status_formula().with_result(layout.NOT_RUN)
    items.append(block(layout.INPUTS, message.row, COLUMNS.value, formula, style="status"))
    return items


def _setups() -> list[Item]:
    """Widths, frozen panes and printing of the sheets that exist before any run."""
    items: list[Item] = []
    for sheet in (s for s in layout.SHEETS if s.column_widths and s is not layout.GUIDE_SHEET):
        # sheets that exist before any run; the Guide's set-up comes with its text (guide_items)
        freeze = (
            a1.cell(sheet.header_row + 1, 1) if sheet is layout.INPUTS_SHEET and sheet.header_row else None
        )
        items.append(
            SheetSetup(
                sheet.name,
                column_widths=tuple(sheet.column_widths.items()),
                freeze=freeze,
                row_heights=tuple((cell.label_row, 30.0) for cell in sheet.inputs if cell.wide),
            )
        )
    return items


def _template_context() -> RunContext:
    """The defaults as a run would read them: what the live tables of a new workbook start from."""
    raw = {
        cell.name: _default_rows(cell) if cell.is_table else cell.spec.default for cell in layout.all_inputs()
    }
    return RunContext(parse_inputs(raw), datetime(2000, 1, 1), __version__, template=True)


def template_items() -> list[Item]:
    """Every visible word and formula of a fresh template, as plan items.

    Sheets whose tables are formulas (``ResultSheet.live``) get them, so a new workbook
    answers as inputs are typed; the others say that a run fills them in.
    """
    live = {sheet.name: sheet for sheet in SHEETS if sheet.live}
    ctx = _template_context()
    items: list[Item] = []
    for sheet in layout.SHEETS:
        items += _titles(sheet) + _input_rows(sheet)
        if sheet.output_row and sheet.name in live:
            items += live[sheet.name].build(ctx)
        elif sheet.output_row:
            items.append(block(sheet.name, sheet.output_row, 1, PLACEHOLDER, style="note"))
    items += guide_items() + _status_labels() + snapshot_items({}, None) + _setups()
    items += scenarios.template_items()
    note = "Inputs at the last successful run (written by the model)."
    items.append(block(layout.SNAPSHOT, layout.TITLE_ROW, 1, note, style="note"))
    items += [
        block(layout.SNAPSHOT, c.row, 1, c.label)
        for c in (layout.SNAPSHOT_FINGERPRINT, layout.SNAPSHOT_CHANGES)
    ]
    return items


def _validations(cell: InputCell) -> list[DataValidation]:
    """The input's data validation: a list to pick from, one rule per table column, or one rule."""
    if cell.choices:
        return [_choice_validation(cell)]
    if not cell.column_specs:
        return [_validation(cell)]
    rules: dict[str, list[str]] = {}
    for column_name, rule in cell.column_rules:
        rules.setdefault(column_name, []).append(rule)
    keys = [spec.name for spec in cell.column_specs]
    validations = []
    for index, spec in enumerate(cell.column_specs):
        column = cell.column + index
        if spec.unit == "text":
            choices = layout.CHOICES.get(f"{cell.name}.{spec.name}")
            if choices:  # a drop-down per column, e.g. a rule's party
                area = a1.area(cell.row, column, cell.rows, 1)
                validations.append(_choice_validation(cell, choices, area, f"{cell.name}.{spec.name}"))
            continue
        others = {key: a1.cell(cell.row, cell.column + j) for j, key in enumerate(keys)}
        extra = tuple(
            rule.format(cell=a1.cell(cell.row, column), **others) for rule in rules.get(spec.name, ())
        )
        area = a1.area(cell.row, column, cell.rows, 1)
        validations.append(_validation(cell, spec, area, extra, f"{cell.spec.label}: {spec.label}"))
    return validations


def _choice_validation(
    cell: InputCell, choices: tuple[str, ...] = (), ref: str | None = None, key: str | None = None
) -> DataValidation:
    """A drop-down of the allowed choices; anything else typed is refused.

    ``choices``, ``ref`` and ``key`` ("table.column") describe one column of a table. A list in
    ``layout.SUGGESTED`` only suggests: another value is let through after a warning (the run
    checks it), e.g. a statistic p95 beside the listed p90.
    """
    choices = choices or cell.choices
    suggested = (key or cell.name) in layout.SUGGESTED
    listed = ", ".join(choices)
    error = f"{cell.spec.label}: choose one of {listed}."
    if suggested:
        error = f"{cell.spec.label}: not one of the usual values. Keep it anyway? The run checks it."
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=cell.is_table,  # empty rows at the foot of a table are fine
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="warning" if suggested else "stop",
        errorTitle=cell.spec.label[:32],
        error=error[:225],
        promptTitle=cell.spec.label[:32],
        prompt=(f"Choose one of {listed}." if key else f"{cell.spec.help} Choose one of {listed}.")[:255],
    )
    validation.add(ref or cell.ref)
    return validation


def _validation(
    cell: InputCell,
    spec: ParameterSpec | None = None,
    ref: str | None = None,
    extra: tuple[str, ...] = (),
    title: str | None = None,
) -> DataValidation:
    """Excel refuses values outside the input's rule as they are typed (blank rows allowed in tables).

    ``spec``, ``ref``, ``extra`` and ``title`` describe one column of a table with column specs.
    """
    spec = spec or cell.spec
    ref = ref or cell.ref
    title = title or spec.label
    first = a1.cell(*a1.parse_area(ref)[:2])
    parts = [f"ISNUMBER({first})"]
    if spec.minimum is not None:
        parts.append(f"{first}{'>=' if spec.min_inclusive else '>'}{format_value(spec.minimum)}")
    if spec.maximum is not None:
        parts.append(f"{first}{'<=' if spec.max_inclusive else '<'}{format_value(spec.maximum)}")
    if spec.integer:
        parts.append(f"{first}=INT({first})")
    if cell.column_specs:
        parts += list(extra)
    else:
        parts += [rule.format(cell=first) for rule in EXTRA_RULES.get(spec.name, ())]
    rule = f"Allowed: {spec.rule}."
    validation = DataValidation(
        type="custom",
        formula1=f"AND({','.join(parts)})",
        allow_blank=cell.is_table,  # empty rows at the foot of a table are fine
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle=title[:32],
        error=f"{title}: {rule}"[:225],
        promptTitle=title[:32],
        prompt=f"{spec.help} {rule}"[:255],
    )
    validation.add(ref)
    return validation


def _default_rows(cell: InputCell) -> list[list[Any]]:
    """The spec's default in the cell's shape (a table's spare rows empty)."""
    if not cell.is_table:
        return [[cell.spec.default]]
    rows = [list(row) for row in cell.spec.default]
    return rows + [[None] * cell.columns] * (cell.rows - len(rows))


def _column_format(spec: ParameterSpec) -> str:
    """A table column's format: text as typed, numbers as their unit (shares to 0.1 %)."""
    return GENERAL if spec.unit == "text" else input_format(spec.unit, spec.integer)


def _inputs(wb: Workbook) -> None:
    """Default values, yellow style, unlocked cells, validation and a defined name per input."""
    for cell in layout.all_inputs():
        ws = wb[cell.sheet]
        formats = [_column_format(spec) for spec in cell.column_specs] or [cell.number_format] * cell.columns
        for i, values in enumerate(_default_rows(cell)):
            for j, value in enumerate(values):
                target = ws.cell(cell.row + i, cell.column + j, value)
                style_cell(target, "input", formats[j])
                target.protection = Protection(locked=False)
        for validation in _validations(cell):
            ws.add_data_validation(validation)
    for name, target in layout.fixed_names().items():
        wb.defined_names[name] = DefinedName(name, attr_text=target)


def _status_colours(ws: Worksheet) -> None:
    """Red when out of date, green when up to date, amber before the first run."""
    ref = layout.STATUS_BY_NAME["status_message"].ref
    absolute = a1.absolute(ref)
    white = Font(bold=True, color="FFFFFF")
    rules = (
        (layout.OUT_OF_DATE, PatternFill("solid", fgColor="C00000", bgColor="C00000"), white),
        (layout.UP_TO_DATE, PatternFill("solid", fgColor="548235", bgColor="548235"), white),
        (layout.NOT_RUN, PatternFill("solid", fgColor="FFC000", bgColor="FFC000"), Font(bold=True)),
    )
    for text, fill, font in rules:
        ws.conditional_formatting.add(
            ref, FormulaRule(formula=[f'{absolute}="{text}"'], fill=fill, font=font)
        )


def _protect(wb: Workbook) -> None:
    """Protect without a password: input cells stay editable, filters and column widths too."""
    for name in (*(sheet.name for sheet in layout.SHEETS if sheet.protected), layout.SNAPSHOT):
        protection = wb[name].protection
        protection.sheet = True
        protection.autoFilter = protection.sort = False
        protection.formatColumns = protection.formatRows = False


def _xlwings_conf(ws: Worksheet) -> None:
    """Key/value rows from A1 down, as the xlwings add-in reads them; a note beside them."""
    for row, (key, value) in enumerate(layout.XLWINGS_SETTINGS, start=1):
        ws.cell(row, 1, key)
        ws.cell(row, 2, value)
    notes = (
        "Settings for the xlwings add-in: key in column A, value in column B, from A1 down, no gaps.",
        "To use a particular Python for this workbook, add a row Interpreter_Win (or Interpreter_Mac) "
        "with the full path of its pythonw.exe (python); while there is none, the add-in's setting applies.",
    )
    for row, note in enumerate(notes, start=1):
        ws.cell(row, layout.XLWINGS_NOTE_COLUMN, note)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 18, 24


def build_template() -> Workbook:
    """A fresh workbook: every sheet, default inputs, status, snapshot, names and protection."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])  # the one empty sheet of a new workbook
    for name in layout.sheet_order():
        wb.create_sheet(name)
    for item in template_items():
        APPLY[type(item)](wb, item)
    _inputs(wb)
    _status_colours(wb[layout.INPUTS])
    for cell in layout.STATUS:  # room for "Results are out of date – run again" and the problem summary
        wb[layout.INPUTS].merge_cells(a1.area(cell.row, COLUMNS.value, 1, COLUMNS.help - COLUMNS.value + 1))
    _protect(wb)
    _xlwings_conf(wb[layout.XLWINGS_CONF])
    wb[layout.SNAPSHOT].sheet_state = wb[layout.XLWINGS_CONF].sheet_state = "hidden"
    wb.active = wb[layout.INPUTS]
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == layout.INPUTS  # one selected tab, or Excel groups them
    wb.properties.title = "Commissioning Partnership Model"
    wb.properties.creator = "partnership-model"
    write_stamp(wb)  # which version and layout made it: see excel_addin.files.stamp
    return wb


def summary(wb: Workbook) -> dict[str, Any]:
    """What a user sees and the model relies on, to compare two workbooks without their bytes.

    Values, validations, colour rules, merges, protection and defined names: a saved file
    differs byte for byte on every save (timestamps) even when none of these do.
    """
    sheets = {}
    for ws in wb.worksheets:
        validations = [
            (str(v.sqref), v.type, v.formula1, v.allow_blank) for v in ws.data_validations.dataValidation
        ]
        sheets[ws.title] = {
            "state": ws.sheet_state,
            "cells": {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None},
            "formats": {
                c.coordinate: c.number_format for row in ws.iter_rows() for c in row if c.value is not None
            },
            "validations": sorted(validations),
            "conditional": sorted((str(cf.sqref), len(cf.rules)) for cf in ws.conditional_formatting),
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "protected": bool(ws.protection.sheet),
        }
    names = {name: defined.attr_text for name, defined in wb.defined_names.items()}
    return {"order": wb.sheetnames, "sheets": sheets, "names": names, "stamp": read_stamp(wb)}
