"""Which version of the model made a workbook, and whether its cells are where this one looks.

The template records two custom document properties (Excel: File › Info › Properties ›
Advanced › Custom; Excel and LibreOffice keep them when they save): the product version
that wrote it, and a 12-digit id of its layout (every sheet name and every defined name's
cell). What decides whether a run may use a file is its structure itself (sheets present,
names where the layout expects them); the stamp lets the refusal say which version made
the file, and that `partnership upgrade` copies its inputs into a fresh workbook.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from openpyxl.packaging.custom import CustomPropertyList, StringProperty
from openpyxl.workbook.workbook import Workbook

from engine import __version__
from excel_addin.workbook import layout

VERSION_PROPERTY = "partnership_model_version"
LAYOUT_PROPERTY = "partnership_layout"


@dataclass(frozen=True)
class Stamp:
    """What the template that became this workbook recorded about itself."""

    version: str
    layout: str


def layout_id() -> str:
    """12 hex digits that change whenever a sheet or an input or status cell moves, appears or goes."""
    canonical = json.dumps({"sheets": layout.sheet_order(), "names": layout.fixed_names()}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def current() -> Stamp:
    return Stamp(__version__, layout_id())


def write_stamp(wb: Workbook, stamp: Stamp | None = None) -> None:
    """Record the version and layout in the workbook's custom document properties."""
    stamp = stamp or current()
    for name, value in ((VERSION_PROPERTY, stamp.version), (LAYOUT_PROPERTY, stamp.layout)):
        if name in _properties(wb).names:
            del _properties(wb)[name]
        _properties(wb).append(StringProperty(name=name, value=value))


def _properties(wb: Workbook) -> CustomPropertyList:
    """The workbook's custom document properties (an attribute types-openpyxl does not declare)."""
    return wb.custom_doc_props  # type: ignore[attr-defined]


def read_stamp(wb: Workbook) -> Stamp | None:
    """The stamp, or None for a workbook made before stamps (or by something else)."""
    names = _properties(wb).names
    if VERSION_PROPERTY not in names or LAYOUT_PROPERTY not in names:
        return None
    return Stamp(str(_properties(wb)[VERSION_PROPERTY].value), str(_properties(wb)[LAYOUT_PROPERTY].value))


def missing_sheets(wb: Workbook) -> list[str]:
    """Sheets of the layout the workbook lacks, as problems."""
    return [f"the sheet '{name}' is missing" for name in layout.sheet_order() if name not in wb.sheetnames]


def layout_message(file: str, problems: list[str], stamp: Stamp | None) -> str:
    """Why a workbook's layout is not this version's, and how to carry its inputs over."""
    listed = "\n".join(f"  - {problem}" for problem in problems)
    if stamp is None:
        why = (
            "does not have the layout of the partnership model "
            "(rows moved, names deleted, or made by another version)"
        )
    elif stamp.layout != layout_id():
        why = (
            f"was made by partnership-model {stamp.version} (layout {stamp.layout}); this is "
            f"partnership-model {__version__} (layout {layout_id()}), which keeps its cells elsewhere"
        )
    else:
        why = "does not have the layout it was made with (sheets, rows or names deleted or moved since)"
    return (
        f"{file} {why}:\n{listed}\n"
        f"Your inputs in {file} are untouched. Copy them into a fresh workbook: `partnership upgrade {file}` "
        f"copies every input this version still has into {Path(file).stem}-upgraded.xlsx, or create one "
        "with `partnership new NEW.xlsx` and copy your values into it."
    )
