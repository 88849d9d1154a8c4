"""The Guide sheet's words: what the model is, how to use it, what each result means.

Measure descriptions come from ``engine.MEASURES`` and sheet names from ``layout``, so the
guide cannot drift from what the workbook actually shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from engine import EXAMPLE_SOURCES, MEASURES, SPECS, calibration_lines
from excel_addin.workbook import a1, layout
from excel_addin.workbook.formats import unit_words
from excel_addin.workbook.plan import Item, SheetSetup, block

ELEMENTS = (
    (
        "1. Host contribution",
        "The host pays the provider a fixed sum each year towards the home's fixed costs.",
    ),
    ("2. Preferred access", "Some places are reserved for the host's own (local) placements."),
    (
        "3. Release",
        "When the host does not use a reserved place, the provider may fill it with another authority's "
        "child; the host is credited a share of that outside fee.",
    ),
    (
        "4. Compensation",
        "The provider pays the host for every week an outside authority's child occupies a place.",
    ),
    (
        "5. Surplus sharing",
        "Surplus above an agreed reasonable return is shared with the host, at a share that rises "
        "with local use.",
    ),
)

HOW_TO = (
    f"1. On the {layout.INPUTS} sheet, type the costs, fees and contract terms in the yellow cells. "
    "Each shows its allowed range and an explanation.",
    "   Every other cell is protected (no password) so that results are not overwritten by accident.",
    "2. Run the model, in one of three ways:",
    "   • Excel on the desktop with the xlwings add-in: the run_model macro (Alt+F8, or a button you "
    "assign it to), or Run main in the xlwings tab.",
    "   • xlwings Lite (Excel on the web or desktop): run the run_model script in the xlwings Lite task pane "
    "(its code comes from `partnership lite`).",
    "   • Command line, without Excel: partnership run <this file>.xlsx, then open the file.",
    "3. The status at the top of the Inputs sheet turns red – 'Results are out of date – run again' – "
    "as soon as any input differs from the last run.",
    "4. Invalid inputs: nothing is computed; each problem is shown next to its input (and printed on the "
    "command line).",
    f"Printing: every sheet prints on A4 landscape, one page wide, with its titles on each page. "
    f"The {layout.RESULTS} and {layout.SCENARIOS} sheets are for working on screen and do not print; "
    "the long sheets print their main part (charts, statements, the tables judged against the spot "
    "market) and say so in the page footer. The whole workbook prints on about 20 pages.",
    f"Proposals: type a name on the {layout.SCENARIOS} sheet and run new_scenario to keep every input "
    "under it; load_scenario puts a kept one back into the inputs.",
    'Worksheet functions (add-in or Lite): =PM_GRID("host_saving", Inputs!A1:F80) spills a table; also '
    "PM_POINT, PM_BREAKEVEN, PM_BREAKDOWN, PM_MEASURES, PM_RISK and PM_AGREEMENT.",
    "Command line: partnership new FILE (a fresh copy), partnership check FILE (validate only), "
    "partnership show FILE --measure provider_surplus (a table in the terminal), "
    "partnership compare FILE (the contracts compared).",
    "partnership term FILE: the whole multi-year term (each party's NPV against spot, the first year with a "
    "provider loss under each fee rule, the fee uplift that gives the provider its reasonable return).",
    "partnership risk FILE: each party's figures over simulated years, partnership against spot; "
    "partnership negotiate FILE: the terms both accept, today's terms judged, the balanced and equal-gains "
    "deals.",
    "partnership region FILE / partnership portfolio FILE: each council's share, each home, the pooled deal; "
    "partnership upgrade FILE: carry the inputs of a workbook from an older version into a fresh one.",
)

SHEETS = (
    (
        layout.SUMMARY,
        "The answer on one page: what each party gets against the spot market in an expected and a bad "
        "year, what the deal buys the host, whether today's terms are acceptable, the balanced deal.",
    ),
    (layout.INPUTS, "Parameters of the partnership, the grid of the result tables, and the run status."),
    (layout.PROVIDER, "Provider surplus, margin and gain as heat maps; break-even occupancy; charts."),
    (layout.HOST, "Host net cost, cost per local week and saving against the spot market; charts."),
    (layout.RESULTS, "Every measure at every occupancy and local use, one row each: filter it or pivot it."),
    (layout.BREAKDOWN, "Who pays whom, line by line, at one occupancy and local use that you choose."),
    (
        layout.RISK,
        "How uncertain next year is (low / most likely / high, or past years): each party's expected figure, "
        "spread, P10/P50/P90, chance of a loss or of paying more than spot, and worst 1 year in 10, with the "
        "partnership and on the spot market side by side; histograms of both.",
    ),
    (
        layout.AGREEMENT,
        "What each party needs before it signs (rules), a map of which pairs of two terms each party "
        "accepts, today's terms judged, the balanced deal (the largest product of the two gains over no "
        "deal) and the equal-gains deal, and a tornado: how far a result moves when each term alone moves "
        "down or up.",
    ),
    (
        layout.COMPARE,
        "Spot, block, open-book cost-plus and the partnership side by side: the contract terms, one year's "
        "figures, each contract's risk, and maps of the best contract for each party.",
    ),
    (
        layout.TERM,
        "The whole agreement year by year: cost inflation, fee uplift rules, each party's NPV against the "
        "spot market, when the provider's surplus turns negative under each fee rule, and the fee uplift "
        "that keeps the provider at its reasonable return.",
    ),
    (
        layout.REGION,
        "Several councils hosting one partnership: the member councils table and sharing rules, each "
        "council's statement (what it pays and receives, net cost, saving against its own spot price), "
        "its chart and heat maps. An empty councils table leaves the sheet empty.",
    ),
    (
        layout.PORTFOLIO,
        "Several homes under one agreement: each home, and the portfolio with the surplus shared per home "
        "or pooled, with the difference. An empty homes table leaves the sheet empty.",
    ),
    (
        layout.SCENARIOS,
        "The proposals kept during a negotiation: one row per scenario with every input; the add-in's "
        "new_scenario and load_scenario macros write and read it.",
    ),
)

EXAMPLE_INTRO = (
    "Every new workbook starts from an example: a four-bed home on the spot market, and a partnership's "
    "opening offer. It is not data about any real home: replace every value with your own.",
    "The example is set so that the spot market looks like the published figures. Each value and where it "
    "comes from:",
)


def _example_value(value: Any, unit: str) -> str:
    """An example value as the Inputs sheet shows it: £5,000, 25 %, 4; share tiers in one line."""
    if unit == "share" and isinstance(value, tuple):
        return ", ".join(f"{share * 100:g} % from {lowest * 100:g} %" for lowest, share in value)
    if unit == "share":
        return f"{value * 100:g} %"
    if unit.startswith("£"):
        return f"£{value:,.0f}"
    return f"{value:g}"


def _example(row: int) -> tuple[list[Part], int]:
    """The example's values, units and sources (one table in code, shared with its test), then its checks."""
    items: list[Part] = [block(layout.GUIDE, row, 1, "Where the example values come from", style="heading")]
    for offset, line in enumerate(EXAMPLE_INTRO, start=1):
        items += _wrapped(row + offset, 1, line)
    row += len(EXAMPLE_INTRO) + 1
    items.append(block(layout.GUIDE, row, 1, [["Input", "Example value", "Unit", "Source"]], style="header"))
    rows = []
    for source in EXAMPLE_SOURCES:
        spec = SPECS[source.name]
        basis = "" if source.basis == "definition" else f"{source.basis.capitalize()}. "
        rows.append(
            [
                spec.label,
                _example_value(spec.default, spec.unit),
                unit_words(spec.unit),
                basis + source.source,
            ]
        )
    items += _table_rows(row + 1, rows)
    row += len(rows) + 2
    checks = calibration_lines()
    for offset, line in enumerate(checks):
        items += _wrapped(row + offset, 1, line)
    return items, row + len(checks) + 1


def _table_rows(row: int, rows: list[list[str]]) -> list[Part]:
    """A table's rows, each cell wrapped within its column and each row as tall as its longest cell."""
    widths = list(layout.GUIDE_SHEET.column_widths.values())
    items: list[Part] = [block(layout.GUIDE, row, 1, rows, style="paragraph")]
    for offset, cells in enumerate(rows):
        lines = max(
            -(-len(str(text)) // int(w / CHARACTER_WIDTH)) for text, w in zip(cells, widths, strict=False)
        )
        if lines > 1:
            items.append(Wrap(f"{a1.cell(row + offset, 1)}", lines * LINE_HEIGHT))
    return items


@dataclass(frozen=True)
class Wrap:
    """A wrapped paragraph: the cells joined into one and the height of its row (not a plan item)."""

    ref: str
    height: float


Part: TypeAlias = "Item | Wrap"  # what the Guide's builders return: cells, and rows to wrap


LAST_COLUMN = 4  # the Guide's text runs over columns A to D
LINE_HEIGHT = 15.0  # points: one line of 11 pt text
CHARACTER_WIDTH = 0.95  # an average character of text against the digit a column width counts


def _wrapped(row: int, column: int, text: str, style: str | None = None) -> list[Part]:
    """``text`` in one cell from ``column`` to the last column, wrapped onto the lines it needs.

    A long line left to spill over empty cells is cut at the edge of the page (or shrinks the
    whole page when printed): joined and wrapped, it reads as a paragraph on screen and paper.
    """
    widths = list(layout.GUIDE_SHEET.column_widths.values())[column - 1 : LAST_COLUMN]
    per_line = max(1.0, sum(widths) / CHARACTER_WIDTH)
    lines = max(1, -(-len(text) // int(per_line)))
    ref = a1.area(row, column, 1, LAST_COLUMN - column + 1)
    return [
        block(layout.GUIDE, row, column, text, style=style or "paragraph"),
        Wrap(ref, lines * LINE_HEIGHT),
    ]


def _paragraphs(row: int, title: str, lines: tuple[str, ...]) -> tuple[list[Part], int]:
    items: list[Part] = [block(layout.GUIDE, row, 1, title, style="heading")]
    for offset, line in enumerate(lines, start=1):
        items += _wrapped(row + offset, 1, line)
    return items, row + len(lines) + 2


def _pairs(row: int, title: str, pairs: tuple[tuple[str, str], ...]) -> tuple[list[Part], int]:
    items: list[Part] = [block(layout.GUIDE, row, 1, title, style="heading")]
    for offset, (name, text) in enumerate(pairs, start=1):
        items.append(block(layout.GUIDE, row + offset, 1, name, style="status_top"))
        items += _wrapped(row + offset, 2, text)
    return items, row + len(pairs) + 2


def _measures(row: int) -> tuple[list[Part], int]:
    """Axes first, then every measure: label, name (as in out_ names and Results), unit, meaning."""
    items: list[Part] = [
        block(layout.GUIDE, row, 1, "What the results mean", style="heading"),
        *_wrapped(
            row + 1,
            1,
            "Occupancy: average share of the places occupied over the year. Local use: share of the "
            "occupied places used by the host's own placements. " + PER_WEEK_GUIDE,
        ),
        block(layout.GUIDE, row + 2, 1, [["Result", "Name", "Unit", "Meaning"]], style="header"),
    ]
    rows = []
    for m in MEASURES:
        better = {"higher": " (higher is better)", "lower": " (lower is better)"}.get(m.better, "")
        rows.append([m.label, m.name, unit_words(m.unit), m.description + better])
    items += _table_rows(row + 3, rows)
    return items, row + 3 + len(rows) + 1


def guide_items() -> list[Item]:
    """Every line of the Guide sheet below its title."""
    intro = (
        "A host council (or a region) and the provider of a children's home agree a local partnership "
        "instead of buying placements one at a time on the spot market.",
        "For every combination of occupancy and local use the model shows what each party gets: where the "
        "risks are, where the rewards, and which terms both can accept.",
    )
    items, row = _paragraphs(layout.GUIDE_FIRST_ROW, "What the model is", intro)
    for part in (
        lambda r: _pairs(r, "The partnership in five elements", ELEMENTS),
        lambda r: _paragraphs(r, "How to use this workbook", HOW_TO),
        lambda r: _pairs(r, "The sheets", SHEETS),
        _measures,
        _example,
    ):
        more, row = part(row)
        items += more
    return [item for item in items if not isinstance(item, Wrap)] + [_setup(items, row)]


PER_WEEK_GUIDE = (
    f"Host cost per local week is left empty where the host uses fewer than {layout.MIN_LOCAL_WEEKS} "
    "placement-weeks a year (a quarter of a year of one place): there the yearly sums shared over a "
    "few weeks give figures that mean nothing. Colours judge the host against buying the same weeks "
    "on the spot market: green where it saves, red where it pays more; its net cost alone is not coloured."
)


def _setup(items: list[Part], last_row: int) -> SheetSetup:
    """The Guide's widths and print area, its paragraphs joined and wrapped, their rows tall enough."""
    wraps = [item for item in items if isinstance(item, Wrap)]
    return SheetSetup(
        layout.GUIDE,
        column_widths=tuple(layout.GUIDE_SHEET.column_widths.items()),
        print_area=a1.area(1, 1, last_row, LAST_COLUMN),
        row_heights=tuple((a1.parse_cell(w.ref.split(":")[0])[0], w.height) for w in wraps),
        merges=tuple(w.ref for w in wraps if ":" in w.ref),
    )
