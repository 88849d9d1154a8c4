"""Regenerate the committed template from code: ``python workbook_templates/build.py``.

The template is never edited by hand; tests check that this file matches what
``excel_addin.template.build_template`` generates.
"""

from __future__ import annotations

import sys
from pathlib import Path

from excel_addin.openpyxl_io import save_atomic
from excel_addin.template import build_template

TEMPLATE = Path(__file__).with_name("partnership_model.xlsx")


def main() -> int:
    save_atomic(build_template(), TEMPLATE)
    print(TEMPLATE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
