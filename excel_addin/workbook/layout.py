"""Where everything lives in the workbook: sheet names, input cells, defined names, status.

This module is the one source of truth for positions. The template, the reader, the
result sheets, the snapshot and its out-of-date formula all take cells from here, so a
new input (on the Inputs sheet or on a new result sheet) is declared once and is then
read, validated, protected, snapshotted and watched for changes everywhere.

Inputs rows are generated from ``engine.PARAMETERS``; the grid axes and the breakdown
point are ``ParameterSpec`` rows too, so one reader and one range check serve all of them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from engine import CONTRACT_TERMS, PARAMETERS, ParameterSpec
from excel_addin.workbook import a1, member_inputs, risk_inputs
from excel_addin.workbook import multiyear_inputs as term_specs
from excel_addin.workbook.formats import GENERAL, SHARE, SHARE_FINE, input_format
from excel_addin.workbook.formula import Formula

SUMMARY = "Summary"
GUIDE = "Guide"
INPUTS = "Inputs"
PROVIDER = "Provider"
HOST = "Host"
RESULTS = "Results"
BREAKDOWN = "Breakdown"
REGION = "Region"
PORTFOLIO = "Portfolio"
COMPARE = "Compare"
SNAPSHOT = "LastRun"
XLWINGS_CONF = "xlwings.conf"
SCENARIOS = "Scenarios"  # the add-in's kept proposals (excel_addin.workbook.scenarios)

OUT_PREFIX = "out_"
TITLE_ROW, SUBTITLE_ROW = 1, 2  # every sheet: title, then a line saying how to read it
STATUS_HEADING_ROW = 3  # "Run status" above the status cells of the Inputs sheet
GUIDE_FIRST_ROW = 4  # where the Guide's text starts
XLWINGS_NOTE_COLUMN = 4  # explanations beside the add-in's key/value rows (columns A:B)
TIER_ROWS = 5  # rows of the share tiers table; empty rows at its foot are ignored
CHART_LOCAL_USES = (0.0, 0.25, 0.5, 0.75, 1.0)  # one chart line per local use

# Geometry of the generated result sheets, relative to each sheet's output_row.
CAPTION_OFFSET = 0  # the "computed when, from which inputs" line
CHARTS_OFFSET = 2  # charts start two rows below the caption
ROW_HEIGHT_CM = 0.53  # the default row height, 15 points
CHART_MIN_WIDTH_CM = 13.0  # two side by side still fit an A4 landscape page
CHART_ASPECT = 0.68  # height / width of a chart
TABLE_GAP = 2  # empty rows between tables
LABEL_WIDTH = 24  # column A of the result sheets
VALUE_WIDTH = 8.0  # one grid column (fits "-£1,234k" and "£12,345"): 21 of them print at 8 pt or more
RESULTS_WIDTH = 12  # the narrowest column of the tidy Results table
# A cost per local week is shown only where the host uses at least this many placement-weeks a
# year (a quarter of a year of one place): below it the fixed sums over a handful of weeks give
# figures such as -£406 or £385,000 a week that mean nothing. Sheets, formulas, the command line
# and the Guide all take it from here.
MIN_LOCAL_WEEKS = 13
OUT_OF_DATE = "Results are out of date – run again"
UP_TO_DATE = "Results are up to date"
NOT_RUN = "Not run yet – run the model to fill the result sheets"

# The desktop add-in reads these key/value rows (column A key, column B value, from A1 down).
XLWINGS_SETTINGS: tuple[tuple[str, str], ...] = (("UDF Modules", "excel_addin.udfs"),)


@dataclass(frozen=True)
class InputColumns:
    """Columns of every input section: label, value, unit, allowed range, help, problem."""

    label: int = 1
    value: int = 2
    unit: int = 3
    rule: int = 4
    help: int = 5
    problem: int = 6

    @property
    def headers(self) -> tuple[str, ...]:
        return ("Input", "Value", "Unit", "Allowed", "Explanation", "Problem")


COLUMNS = InputColumns()


@dataclass(frozen=True)
class InputCell:
    """One input: its spec, and where its value cell (or table body) and label sit."""

    spec: ParameterSpec
    sheet: str
    row: int  # first row of the value cell(s)
    label_row: int  # row of the label, unit, allowed range, help and problem
    rows: int = 1
    columns: int = 1
    number_format: str = GENERAL
    header: tuple[str, ...] = ()  # column headers of a table input, written on the label row
    column_specs: tuple[ParameterSpec, ...] = ()  # a table's columns: format, validation, problem cells
    column_rules: tuple[tuple[str, str], ...] = ()  # (column, extra validation rule) of a table
    choices: tuple[str, ...] = ()  # a cell whose value is picked from a list
    row_labels: tuple[str, ...] = ()  # a table's row names, written in the label column beside its rows

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def column(self) -> int:
        return COLUMNS.value

    @property
    def ref(self) -> str:
        """ "B14" or, for a table, "B30:C34"."""
        return a1.area(self.row, self.column, self.rows, self.columns)

    @property
    def address(self) -> str:
        """ "Inputs!B14": how messages name the cell."""
        return f"{self.sheet}!{self.ref}"

    @property
    def defined(self) -> str:
        """ "Inputs!$B$14": the workbook-level defined name's target."""
        return a1.sheet_ref(self.sheet, self.ref)

    @property
    def rectangle(self) -> tuple[int, int, int, int]:
        return (self.row, self.column, self.rows, self.columns)

    @property
    def is_table(self) -> bool:
        return self.rows > 1 or self.columns > 1

    @property
    def wide(self) -> bool:
        """A table reaching the explanation column: its explanation and problems go below it."""
        return self.columns > COLUMNS.help - COLUMNS.value

    @property
    def note_row(self) -> int:
        """The row under a wide table holding its explanation and allowed values."""
        return self.row + self.rows

    @property
    def problem_row(self) -> int:
        return self.note_row + 1 if self.wide else self.label_row

    @property
    def problem_column(self) -> int:
        return COLUMNS.value if self.wide else COLUMNS.problem

    @property
    def problem_cell(self) -> str:
        return a1.cell(self.problem_row, self.problem_column)

    def part(self, row: int | None = None, column: str | None = None) -> str:
        """Where a problem with one row (1-based, below the header) and/or column of a table is."""
        keys = [spec.name for spec in self.column_specs]
        top, height = (self.row + row - 1, 1) if row and row <= self.rows else (self.row, self.rows)
        left, width = (self.column, self.columns)
        if column in keys:
            left, width = self.column + keys.index(column), 1
        return f"{self.sheet}!{a1.area(top, left, height, width)}"


@dataclass(frozen=True)
class InputSection:
    """A titled group of input rows (the five elements, the grid, the breakdown point…)."""

    title: str
    heading_row: int
    cells: tuple[InputCell, ...]


@dataclass(frozen=True)
class SheetLayout:
    """One sheet: its name, titles, input sections and the rows the run owns.

    ``output_row`` is the first row the run clears and rewrites (None: the run writes
    nothing below the inputs). Input cells must sit above it.
    """

    name: str
    title: str
    subtitle: str = ""
    output_row: int | None = None
    header_row: int | None = None  # where the input column headers go
    sections: tuple[InputSection, ...] = ()
    column_widths: dict[str, float] = field(default_factory=dict)
    protected: bool = True  # False: macros write to it from any Excel (Lite cannot unprotect)

    @property
    def inputs(self) -> tuple[InputCell, ...]:
        return tuple(cell for section in self.sections for cell in section.cells)

    @property
    def owned_row(self) -> int:
        """``output_row`` of a sheet the run writes to (every result sheet has one)."""
        if self.output_row is None:
            raise ValueError(f"the {self.name} sheet has no rows for results")
        return self.output_row


@dataclass(frozen=True)
class StatusCell:
    """A cell of the status area on the Inputs sheet, with its defined name."""

    name: str
    label: str
    row: int

    @property
    def ref(self) -> str:
        return a1.cell(self.row, COLUMNS.value)

    @property
    def defined(self) -> str:
        return a1.sheet_ref(INPUTS, self.ref)


def _share(name: str, label: str, default: float, help: str, **rule) -> ParameterSpec:
    return ParameterSpec(name, "", label, "share", default, help=help, **rule)


AXIS_SPECS: tuple[ParameterSpec, ...] = (
    _share("occupancy_min", "Occupancy from", 0.0, "First row of every result table.", minimum=0, maximum=1),
    _share("occupancy_max", "Occupancy to", 1.0, "Last row of every result table.", minimum=0, maximum=1),
    _share(
        "occupancy_step",
        "Occupancy step",
        0.05,
        "Distance between rows; at least 1 % (at most 101 rows).",
        minimum=0.01,
        maximum=1,
    ),
    _share(
        "local_use_min", "Local use from", 0.0, "First column of every result table.", minimum=0, maximum=1
    ),
    _share("local_use_max", "Local use to", 1.0, "Last column of every result table.", minimum=0, maximum=1),
    _share(
        "local_use_step",
        "Local use step",
        0.05,
        "Distance between columns; at least 1 % (at most 101 columns).",
        minimum=0.01,
        maximum=1,
    ),
)

BREAKDOWN_SPECS: tuple[ParameterSpec, ...] = (
    _share(
        "breakdown_occupancy",
        "Occupancy",
        0.75,
        "Average share of the places occupied over the year.",
        minimum=0,
        maximum=1,
    ),
    _share(
        "breakdown_local_use",
        "Local use",
        0.5,
        "Share of the occupied places used by the host's own placements.",
        minimum=0,
        maximum=1,
    ),
)


def _groups(specs: Iterable[ParameterSpec]) -> list[tuple[str, list[ParameterSpec]]]:
    """Consecutive parameters of the same partnership element form one titled section."""
    groups: list[tuple[str, list[ParameterSpec]]] = []
    for element, members in itertools.groupby(specs, key=lambda spec: spec.element):
        title = element or ("The home: places, costs and fees" if not groups else "Other terms")
        groups.append((title, list(members)))
    return groups


@dataclass(frozen=True)
class TableShape:
    """A table input: its body's size, column headers and format (its rows sit under the label).

    ``column_specs`` give each column its own format and validation (unit "text": none) and
    let a problem such as ``councils[2].use_share`` be shown at its own cell;
    ``column_rules`` add validation rules by column, ``{cell}`` being the column's first cell
    and ``{<column>}`` another column's cell on the same row.
    """

    rows: int
    header: tuple[str, ...]
    number_format: str = GENERAL
    column_specs: tuple[ParameterSpec, ...] = ()
    column_rules: tuple[tuple[str, str], ...] = ()
    row_labels: tuple[str, ...] = ()  # names of the rows, in the label column (e.g. Occupancy, Local use)


# Inputs that are tables rather than single cells; a new table input adds its shape here.
TABLES: dict[str, TableShape] = {
    "share_tiers": TableShape(TIER_ROWS, ("From local use", "Host's share"), SHARE),
    "councils": TableShape(
        member_inputs.MEMBER_ROWS,
        member_inputs.COUNCIL_HEADER,
        column_specs=member_inputs.COUNCIL_COLUMN_SPECS,
    ),
    "homes": TableShape(
        member_inputs.MEMBER_ROWS,
        member_inputs.HOME_HEADER,
        column_specs=member_inputs.HOME_COLUMN_SPECS,
        column_rules=(("reserved_places", "{cell}<=IF(ISNUMBER({places}),{places},places)"),),
    ),
}
# Inputs picked from a drop-down list (their parsers are the result sheets').
CHOICES: dict[str, tuple[str, ...]] = {**member_inputs.CHOICES}


def _cell(sheet: str, spec: ParameterSpec, row: int) -> tuple[InputCell, int]:
    """The input cell for ``spec`` with its label on ``row``, and how many rows it takes."""
    table = TABLES.get(spec.name)
    if table:
        columns = len(table.header)
        cell = InputCell(
            spec,
            sheet,
            row + 1,
            row,
            table.rows,
            columns,
            table.number_format,
            table.header,
            table.column_specs,
            table.column_rules,
            row_labels=table.row_labels,
        )
        return cell, 1 + table.rows + (2 if cell.wide else 0)
    fine = spec.name not in {s.name for s in AXIS_SPECS}
    number_format = input_format(spec.unit, spec.integer, fine)
    return InputCell(
        spec, sheet, row, row, number_format=number_format, choices=CHOICES.get(spec.name, ())
    ), 1


def input_sections(
    sheet: str, groups: list[tuple[str, list[ParameterSpec]]], first_row: int
) -> tuple[InputSection, ...]:
    """Titled sections of input rows from ``first_row`` down: (title, specs) per section.

    A result sheet with its own inputs lays them out with this, so they take the same
    columns (label, value, unit, allowed, explanation, problem) as the Inputs sheet.
    """
    sections, row = [], first_row
    for title, specs in groups:
        heading, row, cells = row, row + 1, []
        for spec in specs:
            cell, used = _cell(sheet, spec, row)
            cells.append(cell)
            row += used
        sections.append(InputSection(title, heading, tuple(cells)))
        row += 1
    return tuple(sections)


STATUS: tuple[StatusCell, ...] = (
    StatusCell("status_message", "Status", 4),
    StatusCell("status_computed_at", "Computed at", 5),
    StatusCell("status_version", "Model version", 6),
    StatusCell("status_fingerprint", "Inputs fingerprint", 7),
    StatusCell("status_problems", "Problems", 8),
)
STATUS_BY_NAME = {cell.name: cell for cell in STATUS}

_INPUT_WIDTHS: dict[str, float] = {"A": 34, "B": 15, "C": 12, "D": 26, "E": 62, "F": 48}

INPUTS_SHEET = SheetLayout(
    INPUTS,
    "Commissioning Partnership Model – inputs",
    "Type in the yellow cells only, then run the model: the add-in's Run button, xlwings Lite, "
    "or `partnership run <file>` on the command line.",
    header_row=10,
    sections=input_sections(
        INPUTS,
        [*_groups(PARAMETERS), ("Grid shown on the result sheets", list(AXIS_SPECS))],
        11,
    ),
    column_widths=_INPUT_WIDTHS,
)

GUIDE_SHEET = SheetLayout(
    GUIDE,
    "Commissioning Partnership Model – guide",
    "What each party gets from a local partnership, at every occupancy and local use.",
    column_widths={"A": 38, "B": 26, "C": 15, "D": 80},
)

PROVIDER_SHEET = SheetLayout(
    PROVIDER,
    "Provider: surplus, margin and gain from the partnership",
    "Rows: occupancy (share of the places filled over the year). "
    "Columns: local use (share of occupied places used by the host).",
    output_row=3,
)

HOST_SHEET = SheetLayout(
    HOST,
    "Host council: net cost, cost per local week and saving against the spot market",
    PROVIDER_SHEET.subtitle,
    output_row=3,
)

RESULTS_SHEET = SheetLayout(
    RESULTS,
    "All measures, one row per occupancy and local use",
    "Filter or pivot this table (its body is the defined name out_results). "
    "Money in £ per year of the agreement.",
    output_row=3,
)

BREAKDOWN_SHEET = SheetLayout(
    BREAKDOWN,
    "Breakdown: who pays whom, for one occupancy and local use",
    "Type the occupancy and local use in the yellow cells, then run the model. "
    "Amounts are £ per year; + received, − paid.",
    output_row=9,
    header_row=4,
    sections=input_sections(BREAKDOWN, [("The cell to break down", list(BREAKDOWN_SPECS))], 5),
    column_widths={"A": 34, "B": 22, "C": 20, "D": 22, "E": 15, "F": 15, "G": 15, "H": 15, "I": 15},
)

COMPARE_SPECS: tuple[ParameterSpec, ...] = (
    _share(
        "compare_occupancy",
        "Occupancy of the year to compare",
        0.85,
        "The occupancy of the one year whose figures are set side by side.",
        minimum=0,
        maximum=1,
    ),
    _share(
        "compare_local_use",
        "Local use of that year and the charts",
        0.6,
        "The local use of that year; the charts show every occupancy at this local use.",
        minimum=0,
        maximum=1,
    ),
)
COMPARE_SECTIONS = input_sections(
    COMPARE,
    [
        *((f"{element} contract", list(specs)) for element, specs in _groups(CONTRACT_TERMS)),
        ("The year to compare, and the charts' local use", list(COMPARE_SPECS)),
    ],
    5,
)

COMPARE_SHEET = SheetLayout(
    COMPARE,
    "Compare contracts: spot, block, open-book cost-plus and the partnership",
    "Type the block and open-book terms in the yellow cells (the home, fees and partnership terms are "
    "on the Inputs sheet), then run the model. Money in £ per year unless stated.",
    output_row=COMPARE_SECTIONS[-1].cells[-1].row + 2,
    header_row=4,
    sections=COMPARE_SECTIONS,
    column_widths={"A": 44, "B": 9, "C": 9, "D": 15, "E": 11, "F": 9},
)


SCENARIOS_SHEET = SheetLayout(
    SCENARIOS,
    "Scenarios: the proposals on the table",
    "new_scenario keeps every input under the name typed below; load_scenario puts a kept one back "
    "into the input cells. One row per scenario; delete rows you no longer need.",
    protected=False,
)


def _last_row(sections: tuple[InputSection, ...]) -> int:
    """The last row the sections use (a wide table's problem row included)."""
    cell = sections[-1].cells[-1]
    return cell.problem_row if cell.wide else cell.row + cell.rows - 1


def _member_sheet(
    name: str, table: ParameterSpec, table_title: str, groups: list[tuple[str, list[ParameterSpec]]], **texts
) -> SheetLayout:
    """A member table first (it has its own headings), then the usual input columns and sections."""
    members = input_sections(name, [(table_title, [table])], 4)
    header_row = _last_row(members) + 2
    others = input_sections(name, groups, header_row + 1)
    widths = {"A": 34, "B": 16, **{a1.column_letter(c): 12.0 for c in range(3, 24)}}
    return SheetLayout(
        name,
        output_row=_last_row(others) + 2,
        header_row=header_row,
        sections=(*members, *others),
        column_widths=widths,
        **texts,
    )


REGION_SHEET = _member_sheet(
    REGION,
    member_inputs.COUNCILS,
    "The member councils (template: an illustrative example – type your own over it)",
    [
        ("How the councils share the partnership", list(member_inputs.RULE_SPECS)),
        ("The point shown in the summary and the charts", list(member_inputs.REGION_POINT)),
    ],
    title="Region: each member council's part of the partnership",
    subtitle="Several councils host one partnership together. Type the councils and the sharing rules "
    "in the yellow cells, then run the model; each council finds its own column and its own charts below.",
)

PORTFOLIO_SHEET = _member_sheet(
    PORTFOLIO,
    member_inputs.HOMES,
    "The homes of the agreement (template: an illustrative example – type your own over it)",
    [
        ("The point shown in the summary and the first chart", list(member_inputs.PORTFOLIO_POINT)),
        (
            "Risk across the homes (ranges, draws and seed: the Risk sheet's)",
            list(member_inputs.PORTFOLIO_RISK),
        ),
    ],
    title="Portfolio: several homes under one agreement, surplus shared per home or pooled",
    subtitle="Type the homes in the yellow cells (empty = the Inputs sheet's value), then run the model. "
    "Pooled sharing sets one home's loss against another's surplus: the difference is shown below.",
)

# The Term sheet: a multi-year agreement. Its inputs are the engine's term inputs
# (excel_addin.workbook.multiyear_inputs); the year-by-year table runs across, one column per year.
TERM = "Term"
TABLES["cost_assumptions"] = TableShape(
    len(term_specs.COST_ASSUMPTION_ROWS),
    term_specs.COST_ASSUMPTIONS_HEADER,
    SHARE_FINE,
    row_labels=term_specs.COST_ASSUMPTION_ROWS,
)
TABLES["term_path"] = TableShape(
    len(term_specs.PATH_ROWS),
    term_specs.PATH_HEADER,
    SHARE_FINE,
    row_labels=tuple(label for _, label, _ in term_specs.PATH_ROWS),
)
CHOICES.update(term_specs.CHOICES)
TERM_SECTIONS = input_sections(TERM, term_specs.groups(), 5)
TERM_SHEET = SheetLayout(
    TERM,
    "Term: the whole agreement year by year, with cost inflation and fee uplifts",
    "Type in the yellow cells, then run the model. Year 1 is the year on the Inputs sheet, at today's "
    "prices; the results start below the inputs.",
    output_row=_last_row(TERM_SECTIONS) + 2,
    header_row=4,
    sections=TERM_SECTIONS,
    column_widths={
        "A": 40,
        "B": 12,
        "C": 10.5,
        "D": 15,
        "E": 12,
        **{a1.column_letter(c): VALUE_WIDTH for c in range(6, 3 + len(term_specs.PATH_HEADER))},
    },
)

# The Risk and Agreement sheets: uncertainty and simulation; acceptance rules, the two
# terms swept and the tornado. Their inputs are in excel_addin.workbook.risk_inputs.
RISK = "Risk"
AGREEMENT = "Agreement"
for _name, (_rows, _header, _columns) in risk_inputs.TABLE_SHAPES.items():
    TABLES[_name] = TableShape(_rows, _header, column_specs=_columns)
CHOICES.update(risk_inputs.CHOICES)  # a table column's list is keyed "table.column"
SUGGESTED = risk_inputs.SUGGESTED  # lists that only suggest (another value after a warning)
RISK_SECTIONS = input_sections(RISK, risk_inputs.RISK_GROUPS, 5)
RISK_SHEET = SheetLayout(
    RISK,
    "Risk: what next year could bring each party, partnership against the spot market",
    "Say how uncertain next year's occupancy and local use are (yellow cells), then run the model: "
    "thousands of possible years are drawn and each party's figures compared with no partnership.",
    output_row=_last_row(RISK_SECTIONS) + 2,
    header_row=4,
    sections=RISK_SECTIONS,
    column_widths={"A": 50, "B": 15, "C": 15, "D": 22, "E": 60, "F": 40},
)
AGREEMENT_SECTIONS = input_sections(AGREEMENT, risk_inputs.AGREEMENT_GROUPS, 5)
AGREEMENT_SHEET = SheetLayout(
    AGREEMENT,
    "Agreement: which terms both parties accept, and the balanced deals",
    "Type what each party needs and the two terms to sweep (yellow cells), then run the model. "
    "The map of who accepts is to the right of the tables below.",
    output_row=_last_row(AGREEMENT_SECTIONS) + 2,
    header_row=4,
    sections=AGREEMENT_SECTIONS,
    column_widths={"A": 52, "B": 19, "C": 20, "D": 26, "E": 16, "F": 14, "G": 14, "H": 3},
)

# The Summary sheet: the verdict in words and two small charts, first in the workbook. It has no
# inputs; its column widths and one-page print set-up are the sheet's own (sheets/summary.py).
SUMMARY_SHEET = SheetLayout(
    SUMMARY,
    "Summary: what the partnership gives each party, against the spot market",
    "For the inputs on the Inputs sheet and the years simulated on the Risk sheet. Money in £ per year.",
    output_row=3,
)

# Every sheet with a layout, in workbook order; a new result sheet adds its layout here.
SHEETS: tuple[SheetLayout, ...] = (
    SUMMARY_SHEET,
    GUIDE_SHEET,
    INPUTS_SHEET,
    PROVIDER_SHEET,
    HOST_SHEET,
    RESULTS_SHEET,
    BREAKDOWN_SHEET,
    COMPARE_SHEET,
    REGION_SHEET,
    PORTFOLIO_SHEET,
    TERM_SHEET,
    RISK_SHEET,
    AGREEMENT_SHEET,
    SCENARIOS_SHEET,
)


def sheet_order() -> tuple[str, ...]:
    """Every sheet of the workbook in tab order: the laid-out ones, then the two hidden ones."""
    return (*(sheet.name for sheet in SHEETS), SNAPSHOT, XLWINGS_CONF)


def all_inputs() -> tuple[InputCell, ...]:
    """Every input cell of the workbook, on any sheet, in workbook order."""
    return tuple(cell for sheet in SHEETS for cell in sheet.inputs)


def input_cell(name: str) -> InputCell | None:
    """The input cell called ``name``, or None."""
    return next((cell for cell in all_inputs() if cell.name == name), None)


def input_cell_of(name: str) -> InputCell:
    """The input cell called ``name``, for a name the layout always has (a KeyError otherwise)."""
    cell = input_cell(name)
    if cell is None:
        raise KeyError(f"no input cell called {name!r}")
    return cell


_PART = re.compile(r"^(?P<table>\w+)(?:\[(?P<row>\d+)\])?(?:\.(?P<column>\w+))?$")


def locate(name: str) -> tuple[InputCell | None, str]:
    """The input a problem's name belongs to, and the cell(s) it concerns.

    ``fixed_cost`` → its cell; for a table with column specs ``councils[2].use_share`` → that
    row's use-share cell, ``councils.use_share`` → the column, ``councils[3]`` → the row.
    """
    cell = input_cell(name)
    if cell is not None:
        return cell, cell.address
    match = _PART.match(name)
    cell = input_cell(match["table"]) if match else None
    if cell is None or match is None:
        return None, ""
    if not cell.column_specs:
        return cell, cell.address
    return cell, cell.part(int(match["row"]) if match["row"] else None, match["column"])


def parameter_names() -> tuple[str, ...]:
    """The inputs that make up ``engine.Parameters``."""
    return tuple(spec.name for spec in PARAMETERS)


def out_name(key: str) -> str:
    """The defined name of a result table: ``out_provider_surplus``, ``out_occupancy``…"""
    return f"{OUT_PREFIX}{key}"


# The hidden snapshot sheet: a copy of every input as it was at the last successful run.
SNAPSHOT_FINGERPRINT = StatusCell("snapshot_fingerprint", "Fingerprint at the last run", 2)
SNAPSHOT_CHANGES = StatusCell("snapshot_changes", "Input cells changed since", 3)
SNAPSHOT_FIRST_ROW = 5
SNAPSHOT_VALUE_COLUMN = 3  # column A: input name, B: cells changed, C…: the values


@dataclass(frozen=True)
class SnapshotSlot:
    """Where the snapshot keeps one input's last-run value(s), same shape as the input."""

    cell: InputCell
    row: int

    @property
    def ref(self) -> str:
        return a1.area(self.row, SNAPSHOT_VALUE_COLUMN, self.cell.rows, self.cell.columns)

    @property
    def changed_formula(self) -> Formula:
        """How many of this input's cells differ from the snapshot (text comparison, so 0 ≠ blank)."""
        live = a1.sheet_ref(self.cell.sheet, self.cell.ref)
        kept = a1.absolute(self.ref)
        return Formula(f'=IFERROR(SUMPRODUCT(--({live}&""<>{kept}&"")),1)')


def snapshot_slots() -> tuple[SnapshotSlot, ...]:
    """One slot per input cell, stacked down the snapshot sheet."""
    slots, row = [], SNAPSHOT_FIRST_ROW
    for cell in all_inputs():
        slots.append(SnapshotSlot(cell, row))
        row += cell.rows
    return tuple(slots)


def snapshot_changes_formula() -> Formula:
    """The total of the per-input change counts."""
    last = SNAPSHOT_FIRST_ROW + sum(cell.rows for cell in all_inputs()) - 1
    return Formula(f"=SUM({a1.absolute(a1.area(SNAPSHOT_FIRST_ROW, 2, last - SNAPSHOT_FIRST_ROW + 1, 1))})")


def status_formula() -> Formula:
    """Not run yet / out of date / up to date, from the snapshot's fingerprint and change count."""
    return Formula(
        f'=IF({SNAPSHOT_FINGERPRINT.name}="","{NOT_RUN}",'
        f'IF({SNAPSHOT_CHANGES.name}>0,"{OUT_OF_DATE}","{UP_TO_DATE}"))'
    )


def snapshot_defined(cell: StatusCell) -> str:
    return a1.sheet_ref(SNAPSHOT, cell.ref)


def fixed_names() -> dict[str, str]:
    """Every defined name the template creates: inputs, status cells and snapshot cells."""
    names = {cell.name: cell.defined for cell in all_inputs()}
    names.update({cell.name: cell.defined for cell in STATUS})
    names.update({cell.name: snapshot_defined(cell) for cell in (SNAPSHOT_FINGERPRINT, SNAPSHOT_CHANGES)})
    return names
