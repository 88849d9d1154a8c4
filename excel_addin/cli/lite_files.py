"""Writing the xlwings Lite files into a folder (`partnership lite`): main.py, requirements.txt
and the unprotected Lite workbook.

The texts come from the xlwings layer (``excel.lite``); the files are written here, where the
command line may use both that layer and the file layer, each file new and moved into place,
never through a link (``files.surroundings``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from excel_addin.cli.envelope import Outcome, arg, command
from excel_addin.excel.lite import LEGACY_MARK, LITE_WORKBOOK, MARK, REQUIREMENTS, main_py
from excel_addin.files.openpyxl_io import save_atomic
from excel_addin.files.surroundings import read_plain, refuse_special, replace_with
from excel_addin.files.template import build_template
from excel_addin.workbook.errors import WorkbookError


def write_lite(folder: Path, workbook: bool = True, force: bool = False) -> list[Path]:
    """Write main.py, requirements.txt and (``workbook``) the unprotected template into ``folder``.

    xlwings Lite cannot lift a sheet's protection, and the template protects every sheet
    but Scenarios; the Lite workbook is the same template with those protections removed
    (input validation, names and the status formula stay). A Lite workbook already in the
    folder is kept as it is: it may hold someone's inputs (delete it to get a fresh one).
    A main.py or requirements.txt that this command did not write (no mark in its first
    lines) is someone's own work and is replaced only with ``force``; each file is written
    new and moved into place, never through a link (``surroundings``).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    texts = {folder / "main.py": main_py(), folder / "requirements.txt": REQUIREMENTS}
    lite_workbook = folder / LITE_WORKBOOK
    for path in [*texts, lite_workbook]:
        refuse_special(path, "the xlwings Lite files", "Nothing was written.")
    for path in texts:
        head = read_plain(path, 4096)
        if head is not None and not force and not written_by_lite(head):
            raise WorkbookError(
                f"{path} was not written by `partnership lite`, so it may be your own work; nothing was "
                f"written. Choose another folder, or add --force to replace it."
            )
    for path, text in texts.items():
        replace_with(path, text.encode("utf-8"))
    written = list(texts)
    if workbook and not lite_workbook.exists():
        wb = build_template()
        for ws in wb.worksheets:
            ws.protection.sheet = False
        save_atomic(wb, lite_workbook)
        written.append(lite_workbook)
    return written


def written_by_lite(head: bytes) -> bool:
    """Whether a file's first bytes carry the mark of this command (or its older requirements.txt)."""
    text = head.decode("utf-8", "replace")
    return MARK in text or text.startswith(LEGACY_MARK)


@command(
    "lite",
    "write main.py and requirements.txt for the xlwings Lite editor (and an unprotected workbook for it)",
    arg("folder", type=Path, metavar="FOLDER", help="where to write them (created if needed)"),
    arg("--force", action="store_true", help="replace a main.py or requirements.txt it did not write"),
)
def lite(args: argparse.Namespace) -> Outcome:
    from excel_addin.excel.lite import bundle_modules

    try:
        files = write_lite(args.folder, force=args.force)
    except OSError as error:
        raise WorkbookError(f"cannot write in {args.folder} ({error.strerror or error}).") from None
    size = files[0].stat().st_size
    data = {
        "folder": str(args.folder),
        "files": [str(path) for path in files],
        "modules": len(bundle_modules()),
        "main_bytes": size,
    }

    def show(out: Console) -> None:
        out.print(f"Wrote {', '.join(path.name for path in files)} to {args.folder}.")
        out.print(
            "In Excel: open the workbook, start xlwings Lite, paste main.py into its main.py tab and "
            "requirements.txt into its requirements.txt tab; then =PM_GRID(...) works and run_model runs."
        )

    return Outcome(data, show)
