"""The plan's named cell styles, as plain data: one table for every writer.

A plan names a style ("header", "input", …); openpyxl (``files.openpyxl_apply``) turns the
table into fonts, fills, alignments and borders, and xlwings (``excel.xlwings_apply``) sets
the fonts and fills it can. Plain data keeps the table in the library-free layer, so the
xlwings Lite bundle carries the same table as desktop Excel.

Each style may hold ``font`` (bold, italic, size, color), ``fill`` (a colour), ``alignment``
(openpyxl's Alignment keywords) and ``border`` (side → (line style, colour or None)).
Colours are RGB hex without "#".
"""

from __future__ import annotations

from typing import Any

NAVY, GREY, INPUT_FILL, HEADER_FILL, AXIS_FILL = "1F3864", "595959", "FFF2CC", "D9E1F2", "EDEDED"
THIN = ("thin", "BFBFBF")

STYLES: dict[str, dict[str, Any]] = {
    "title": {"font": {"bold": True, "size": 16, "color": NAVY}},
    # notes and subtitles are 11 pt like the figures: a result sheet printed to fit the page width
    # is scaled to about 73 %, and they must still read at 8 pt (printing.MIN_FONT_PT)
    "subtitle": {"font": {"italic": True, "size": 11, "color": GREY}},
    "heading": {"font": {"bold": True, "size": 12, "color": NAVY}},
    "header": {
        "font": {"bold": True, "color": NAVY},
        "fill": HEADER_FILL,
        "alignment": {"wrap_text": True, "vertical": "center"},
        "border": {"bottom": THIN},
    },
    "axis": {"font": {"bold": True}, "fill": AXIS_FILL},
    "label": {"font": {}},
    "unit": {"alignment": {"horizontal": "left", "indent": 1}},
    "category": {"font": {"size": 9}, "alignment": {"horizontal": "center"}},  # a word in a map cell
    "axis_vertical": {  # a narrow map column's heading, read bottom to top
        "font": {"bold": True, "size": 9},
        "fill": AXIS_FILL,
        "alignment": {"textRotation": 90, "horizontal": "center"},
    },
    "pass": {"fill": "C6EFCE", "font": {"color": "006100"}},  # a rule that holds
    "fail": {"fill": "FFC7CE", "font": {"color": "9C0006"}},  # one that fails
    "note": {"font": {"italic": True, "size": 11, "color": GREY}},
    "problem": {"font": {"bold": True, "color": "C00000"}, "alignment": {"horizontal": "left"}},
    "status": {"font": {"bold": True}, "alignment": {"horizontal": "left"}},
    "status_top": {"font": {"bold": True}, "alignment": {"horizontal": "left", "vertical": "top"}},
    "paragraph": {"alignment": {"wrap_text": True, "vertical": "top"}},  # text wrapped in its cell
    "total": {"font": {"bold": True}, "border": {"top": ("thin", None), "bottom": ("double", None)}},
    "input": {
        "font": {"color": "0000FF"},
        "fill": INPUT_FILL,
        "border": {"left": THIN, "right": THIN, "top": THIN, "bottom": THIN},
    },
}


def cell_styles() -> dict[str, dict[str, Any]]:
    """The fonts and fills a cell-by-cell writer sets (xlwings): bold, italic, size, "#rrggbb" colours.

    Alignment and borders are left out: the template already carries them where a style is used.
    """
    plain: dict[str, dict[str, Any]] = {}
    for name, spec in STYLES.items():
        font = spec.get("font", {})
        out: dict[str, Any] = {}
        if font.get("bold"):
            out["bold"] = True
        if font.get("italic"):
            out["italic"] = True
        if font.get("size") not in (None, 11):
            out["size"] = float(font["size"])
        if "color" in font:
            out["color"] = "#" + font["color"]
        if "fill" in spec:
            out["fill"] = "#" + spec["fill"]
        plain[name] = out
    return plain
