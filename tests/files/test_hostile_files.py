"""Hostile and impostor files: each refused with a clear message, in bounded memory, untouched.

Every file is made by ``hostile_files`` in the test. Each is given to `partnership run`
(the command that would write) and must exit with code 2 and a message saying what the
file is, without a traceback, with the file byte for byte as it was. Memory is measured
with tracemalloc around the command (every Python allocation, zlib's and expat's
buffers included); the time each refusal takes is measured in
``benchmarks/bench_reliability.py``, not here.
"""

from __future__ import annotations

import io
import json
import os
import tracemalloc
import types
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from excel_addin.cli import main
from excel_addin.files import safety as file_safety
from excel_addin.files.openpyxl_io import open_workbook
from excel_addin.files.operations import load_inputs, run_workbook
from excel_addin.files.safety import Limits
from excel_addin.files.stamp import Stamp, read_stamp, write_stamp
from excel_addin.workbook import layout
from excel_addin.workbook.errors import WorkbookError
from tests.support.hostile_files import (
    NOT_WORKBOOKS,
    billion_laughs,
    disguised_merge,
    encrypted_workbook,
    external_entity,
    hyperlink_bomb,
    lying_zip_bomb,
    lzma_packed,
    many_parts,
    many_small_bombs,
    merge_bomb,
    old_xls,
    template_bytes,
    utf16_laughs,
    word_document,
    zip_bomb,
)
from tests.support.office import soffice
from tests.support.reliability import Content, put_on_disk, sha256, slots
from tests.support.workbook import make_workbook

MiB = 2**20
TRIED: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    print(f"\nhostile files refused: {sum(TRIED.values())} ({', '.join(sorted(TRIED))})")


def refuse(capsys, path: Path, *expected: str, command: str = "run") -> tuple[str, float]:
    """Run the command on ``path``: exit 2, each expected phrase, no traceback, file untouched.

    Returns the message and the peak memory in MiB.
    """
    before, stat = sha256(path), path.stat()
    capsys.readouterr()
    tracemalloc.start()
    try:
        code = main([command, str(path)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    output = "".join(capsys.readouterr())
    assert code == 2, output
    assert "Traceback" not in output
    for phrase in expected:
        assert phrase in output, output
    assert sha256(path) == before and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no lock or temporary file left
    TRIED[path.stem] += 1
    return output, peak / MiB


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# --- zip bombs: refused from the zip's table of contents, before anything is inflated -----------


def guard_zipfile(monkeypatch, forbid: str) -> None:
    """Make the checks' zipfile fail the test if it opens a part ("open") or lists the archive ("list")."""

    class Guarded(zipfile.ZipFile):
        def __init__(self, *args, **kwargs):
            if forbid == "list":
                raise AssertionError("the archive was listed before its table of contents was checked")
            super().__init__(*args, **kwargs)

        def open(self, *args, **kwargs):
            raise AssertionError("a part was inflated before the sizes were checked")

    module = types.SimpleNamespace(**{name: getattr(zipfile, name) for name in dir(zipfile)})
    module.ZipFile = Guarded
    monkeypatch.setattr(file_safety, "zipfile", module)


def test_zip_bomb_is_refused_from_its_declared_size(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, "bomb.xlsx", zip_bomb(1024))  # 1 GiB inside 1 MB
    guard_zipfile(monkeypatch, "open")
    _, peak = refuse(capsys, path, "bomb.xlsx looks like a 'zip bomb'", "1,024 MB", "not opened")
    assert peak < 16 + 3 * path.stat().st_size / MiB


def test_many_parts_each_harmless_together_a_bomb(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, "bombs.xlsx", many_small_bombs(30))  # 30 × 8 MiB, 50:1 each
    guard_zipfile(monkeypatch, "open")
    _, peak = refuse(capsys, path, "would unpack to more than 128 MB", "zip bomb")
    assert peak < 16 + 3 * path.stat().st_size / MiB


def test_a_zip_that_lies_about_its_sizes_is_read_no_further_than_it_says(tmp_path, capsys):
    path = write(tmp_path, "liar.xlsx", lying_zip_bomb(1024))  # declares 20 kB, holds 1 GiB
    _, peak = refuse(capsys, path, "it is damaged", "Bad CRC-32")
    assert peak < 16 + 3 * path.stat().st_size / MiB


def test_twenty_thousand_parts_are_refused_before_listing_them(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, "parts.xlsx", many_parts(20_000))
    guard_zipfile(monkeypatch, "list")
    _, peak = refuse(capsys, path, "parts (the model accepts 1,000)")
    assert peak < 16 + 3 * path.stat().st_size / MiB


def test_a_file_bigger_than_the_limit_is_not_even_read(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(file_safety, "LIMITS", Limits(file_bytes=10_000))
    path = write(tmp_path, "big.xlsx", template_bytes())
    refuse(capsys, path, "the model reads workbooks up to 0 MB")


# --- XML: no DTD, so no entity can expand or reach out; defusedxml is the second line -----------


@pytest.mark.parametrize(
    ("maker", "name"),
    [(billion_laughs, "laughs.xlsx"), (external_entity, "xxe.xlsx")],
)
def test_a_document_type_declaration_is_refused(tmp_path, capsys, maker, name):
    path = write(tmp_path, name, maker())
    _, peak = refuse(capsys, path, "contains XML with a document type declaration (in xl/workbook.xml)")
    assert peak < 16 + 3 * path.stat().st_size / MiB


def test_the_laughs_in_utf16_are_refused_for_their_encoding(tmp_path, capsys):
    path = write(tmp_path, "laughs16.xlsx", utf16_laughs())
    refuse(capsys, path, "XML in an unusual text encoding (xl/workbook.xml)")


def test_openpyxl_itself_refuses_entities_through_defusedxml():
    """Were our own check bypassed, the parser openpyxl uses still refuses to expand anything."""
    from defusedxml import DefusedXmlException

    assert openpyxl.DEFUSEDXML is True
    for maker in (billion_laughs, external_entity):
        with pytest.raises(ValueError) as error:  # openpyxl wraps the parser's refusal
            openpyxl.load_workbook(io.BytesIO(maker()))
        causes, cause = [], error.value
        while cause is not None:
            causes.append(cause)
            cause = cause.__cause__ or cause.__context__
        assert any(isinstance(c, DefusedXmlException) for c in causes), causes


def test_no_workbook_is_read_without_defusedxml(tmp_path, monkeypatch):
    path = make_workbook(tmp_path)
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(WorkbookError, match=r"safe XML parser \(defusedxml\) is not in use"):
        open_workbook(path)


# --- worksheets that would make millions of objects --------------------------------------------


@pytest.mark.parametrize(
    ("maker", "name", "phrase"),
    [
        (merge_bomb, "merged.xlsx", "merged cells or hyperlinks covering more than 500,000 cells"),
        (hyperlink_bomb, "linked.xlsx", "merged cells or hyperlinks covering more than 500,000 cells"),
        (disguised_merge, "disguised.xlsx", "unusual address ('&#65;1:XFD1048576'"),
    ],
)
def test_a_range_over_a_whole_sheet_is_refused(tmp_path, capsys, maker, name, phrase):
    path = write(tmp_path, name, maker())
    _, peak = refuse(capsys, path, phrase)
    assert peak < 16 + 3 * path.stat().st_size / MiB


def test_cells_are_counted_before_loading(tmp_path):
    path = make_workbook(tmp_path)
    run_workbook(path)
    with pytest.raises(WorkbookError, match="more than 1,000 cells and rows"):
        open_workbook(path, Limits(cells=1_000))
    with pytest.raises(WorkbookError, match="merged cells or hyperlinks covering more than 10 cells"):
        open_workbook(path, Limits(spanned_cells=10))  # the status cells are merged, 5 × 4
    assert open_workbook(path)  # within the real limits


# --- impostors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(NOT_WORKBOOKS))
def test_a_file_that_is_not_a_workbook_says_what_it_is(tmp_path, capsys, kind):
    data, what = NOT_WORKBOOKS[kind]
    path = write(tmp_path, f"{kind}.xlsx", data)
    refuse(capsys, path, f"{kind}.xlsx is not an Excel workbook: it is", what)


def test_a_password_protected_workbook_is_named_as_such(tmp_path, capsys):
    path = write(tmp_path, "secret.xlsx", encrypted_workbook())
    refuse(capsys, path, "secret.xlsx is protected with a password to open", "Encrypt with Password")


@pytest.mark.parametrize("name", ["renamed.xlsx", "really.xls"])
def test_an_old_xls_is_named_as_such(tmp_path, capsys, name):
    path = write(tmp_path, name, old_xls())
    refuse(capsys, path, "old Excel 97–2003 format")


@pytest.mark.parametrize(
    ("maker", "phrase"),
    [
        (word_document, "is a Word document, not an Excel workbook"),
        (lzma_packed, "with a method Excel never uses (zip method 14)"),
    ],
)
def test_other_zip_files(tmp_path, capsys, maker, phrase):
    path = write(tmp_path, "other.xlsx", maker())
    refuse(capsys, path, phrase)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_named_like_a_workbook_is_not_opened(tmp_path, capsys):
    path = tmp_path / "pipe.xlsx"
    os.mkfifo(path)  # opening it would wait forever for a writer
    code = main(["check", str(path)])
    assert code == 2 and "is not a regular file" in "".join(capsys.readouterr())


# --- defined names deleted or moved, sheets missing, older versions -----------------------------


def _edit(path: Path, change) -> None:
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        (
            lambda wb: wb.defined_names.pop("spot_price"),
            "the name 'spot_price' is missing (it should point to Inputs!B18)",
        ),
        (
            lambda wb: setattr(wb.defined_names["spot_price"], "attr_text", "Provider!$B$18"),
            "the name 'spot_price' points to Provider!B18 but the model expects Inputs!B18",
        ),
        (
            lambda wb: setattr(wb.defined_names["fixed_cost"], "attr_text", "#REF!"),
            "the name 'fixed_cost' points to",
        ),
        (lambda wb: wb.remove(wb[layout.RESULTS]), f"the sheet '{layout.RESULTS}' is missing"),
        (lambda wb: setattr(wb[layout.INPUTS], "title", "Data"), f"the sheet '{layout.INPUTS}' is missing"),
    ],
    ids=["deleted", "other-sheet", "ref-error", "sheet-deleted", "sheet-renamed"],
)
def test_names_and_sheets_not_where_the_model_keeps_them(tmp_path, capsys, change, phrase):
    path = make_workbook(tmp_path, fixed_cost=800_000)
    _edit(path, change)
    refuse(capsys, path, phrase, "does not have the layout it was made with", "partnership upgrade")


def _older_version(wb: openpyxl.Workbook) -> None:
    """What an earlier release looked like: no Breakdown sheet, its own version and layout."""
    wb.remove(wb[layout.BREAKDOWN])
    for name in ("breakdown_occupancy", "breakdown_local_use"):
        del wb.defined_names[name]
    write_stamp(wb, Stamp("0.0.9", "0123456789ab"))


def test_a_workbook_from_an_older_version_says_so_and_how_to_move_on(tmp_path, capsys):
    path = make_workbook(tmp_path, fixed_cost=800_000)
    _edit(path, _older_version)
    refuse(
        capsys,
        path,
        "was made by partnership-model 0.0.9 (layout 0123456789ab)",
        f"the sheet '{layout.BREAKDOWN}' is missing",
        "the name 'breakdown_occupancy' is missing",
        "Your inputs in model.xlsx are untouched",
        "`partnership upgrade model.xlsx` copies every input this version still has into model-upgraded.xlsx",
    )


@pytest.mark.slow
def test_upgrade_carries_the_inputs_of_an_older_version_into_a_fresh_workbook(tmp_path, capsys):
    old = make_workbook(tmp_path, "old.xlsx", fixed_cost="£800,000", share_tiers=[[0, 0.3], [0.6, 0.5]])
    _edit(old, _older_version)
    _edit(old, lambda wb: setattr(wb.defined_names["spot_price"], "attr_text", "Inputs!$B$60"))  # moved row
    _edit(old, lambda wb: wb[layout.INPUTS].cell(60, 2, 7_000))
    variable = next(slot for slot in slots() if slot.input.name == "variable_cost")
    put_on_disk(
        old, [(variable, Content("formula_number", "=250+60", 310.0, "n", 310.0))]
    )  # last: as Excel saved
    before = sha256(old)
    new = tmp_path / "new.xlsx"
    capsys.readouterr()
    assert main(["upgrade", str(old), "-o", str(new), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["made_by"] == "0.0.9"
    assert data["defaults"] == ["breakdown_occupancy", "breakdown_local_use"]
    assert data["skipped"] == [] and "spot_price" in data["copied"]
    assert sha256(old) == before
    _, inputs = load_inputs(new)
    assert inputs.params.fixed_cost == 800_000 and inputs.params.spot_price == 7_000
    assert inputs.params.variable_cost == 310  # the formula's saved result, not the formula
    assert inputs.params.share_tiers == ((0, 0.3), (0.6, 0.5))
    assert openpyxl.load_workbook(new)[layout.INPUTS][layout.input_cell("fixed_cost").ref].value == "£800,000"
    assert main(["run", str(new)]) == 0
    assert main(["upgrade", str(old), "-o", str(new)]) == 2  # never over an existing file without --force
    assert "already exists" in "".join(capsys.readouterr())


def test_a_workbook_without_a_stamp_is_read_when_its_layout_is_right(tmp_path):
    path = make_workbook(tmp_path)
    _edit(path, lambda wb: [wb.custom_doc_props.__delitem__(p) for p in list(wb.custom_doc_props.names)])
    assert read_stamp(openpyxl.load_workbook(path)) is None
    _, inputs = load_inputs(path)
    assert inputs.params.fixed_cost == 775_000  # the example's, as the template holds it


def test_the_template_records_version_and_layout(tmp_path):
    from excel_addin.files.stamp import current

    stamp = read_stamp(openpyxl.load_workbook(make_workbook(tmp_path)))
    assert stamp == current() and len(stamp.layout) == 12


@pytest.mark.libreoffice
def test_real_files_from_libreoffice_a_resaved_workbook_passes_and_an_xls_is_named(tmp_path, capsys):
    """A workbook saved again by another spreadsheet passes every check and keeps its stamp;
    a genuine .xls (written by LibreOffice, named .xls or renamed .xlsx) is named as such."""
    path = make_workbook(tmp_path, "deal.xlsx", fixed_cost=870_000)
    profile = tmp_path / "profile"
    (profile / "user").mkdir(parents=True)
    (resaved,) = soffice(profile, "xlsx", tmp_path / "resaved", [path])
    (xls,) = soffice(profile, "xls", tmp_path / "xls", [path])
    assert read_stamp(openpyxl.load_workbook(resaved)) == read_stamp(openpyxl.load_workbook(path))
    assert main(["run", str(resaved)]) == 0
    _, inputs = load_inputs(resaved)
    assert inputs.params.fixed_cost == 870_000
    refuse(capsys, xls, "old Excel 97–2003 format")
    renamed = xls.with_suffix(".xlsx")
    xls.rename(renamed)
    refuse(capsys, renamed, "is in the old Excel 97–2003 format (.xls), whatever its name says")
