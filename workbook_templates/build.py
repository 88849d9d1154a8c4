"""Regenerate the committed template from code: ``python workbook_templates/build.py``.

The template is never edited by hand; tests check that this file matches what
``excel_addin.files.template.build_template`` generates.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import openpyxl

from excel_addin.files.openpyxl_io import save_atomic
from excel_addin.files.template import build_template, summary

TEMPLATE = Path(__file__).with_name("partnership_model.xlsx")


def main() -> int:
    """Write the template, unless the committed one already has the same content."""
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / TEMPLATE.name
        build_template().save(fresh)
        if TEMPLATE.exists() and summary(openpyxl.load_workbook(TEMPLATE)) == summary(
            openpyxl.load_workbook(fresh)
        ):
            print(f"{TEMPLATE} is up to date")
            return 0
    save_atomic(build_template(), TEMPLATE)
    print(f"wrote {TEMPLATE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
