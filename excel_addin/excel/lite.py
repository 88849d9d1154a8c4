"""`partnership lite`: a self-contained main.py and requirements.txt for the xlwings Lite editor.

xlwings Lite runs Python inside Excel (Pyodide: CPython compiled to WebAssembly), with
no Python on the computer. Its editor holds one ``main.py`` and a ``requirements.txt``
(installed with micropip from PyPI or Pyodide's own repository). The model is not on
PyPI, and a wheel of our own would have to be served from a web address with CORS
headers, which a council's IT rarely allows. So the model travels inside ``main.py``:

- the sources of the modules the add-in needs (the ``engine`` package and the
  library-free part of ``excel_addin``, found by following their imports) are embedded
  as text, one string per module, readable and checkable;
- a small importer (a ``sys.meta_path`` finder) imports ``engine`` and ``excel_addin``
  from those strings, so the code runs exactly as in the repository, relative imports
  and all; re-running main.py (Lite does on every save) replaces an older bundle;
- the top of the file declares the worksheet functions (``@func``) and the scripts
  (``@script``) from ``functions.FUNCTIONS``: the same functions as the desktop add-in.

Only numpy, pandas and xlwings are needed (Pyodide ships numpy and pandas); a bundled
module importing anything else (openpyxl, rich) is refused here, at generation time.
"""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

from engine import __version__
from excel_addin.excel import functions
from excel_addin.workbook import layout, scenarios

PACKAGES = ("engine", "excel_addin")
ENTRY_MODULES = ("excel_addin.excel.functions", "excel_addin.excel.macros")
ALLOWED_THIRD_PARTY = frozenset({"numpy", "pandas", "xlwings"})
MARK = "by `partnership lite`"  # in the first lines of every file it writes: its own, to replace
LEGACY_MARK = "# xlwings Lite installs these when this tab changes."  # requirements.txt before the mark
REQUIREMENTS = (
    "# Written by `partnership lite`: write it again rather than editing it.\n"
    "# xlwings Lite installs these when this tab changes.\n"
    "# numpy and pandas come with Pyodide: do not pin them.\n"
    "numpy\n"
    "pandas\n"
    "# the add-in uses the chart and colour-scale API of xlwings 0.37.5 and later\n"
    "xlwings>=0.37.5\n"
)
LITE_WORKBOOK = "partnership_lite.xlsx"
SCRIPTS = (
    ("run_model", "Compute and write every result sheet, the status area and the charts."),
    ("new_scenario", "Keep every input under the name typed on the Scenarios sheet."),
    ("load_scenario", "Put the scenario named on the Scenarios sheet back into the input cells."),
)


class LiteBundleError(RuntimeError):
    """The add-in's modules cannot be bundled for Pyodide (a module needs another library)."""


def _root() -> Path:
    """The folder holding the two packages."""
    return Path(__file__).resolve().parents[2]


def _path(module: str) -> Path | None:
    """The source file of a module of our packages (package → its __init__.py), or None."""
    base = _root().joinpath(*module.split("."))
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def _is_package(module: str) -> bool:
    path = _path(module)
    return path is not None and path.name == "__init__.py"


def _package(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _imports(module: str, path: Path) -> tuple[set[str], set[str]]:
    """(our modules, other top-level packages) that ``module`` imports anywhere in its code."""
    ours, others = set(), set()
    package = _package(module, path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            names = [target] + [f"{target}.{alias.name}" for alias in node.names]
        for name in names:
            top = name.split(".")[0]
            if top in PACKAGES:
                if _path(name) is not None:
                    ours.add(name)
            elif top and top != "__future__":
                others.add(top)
    return ours, others


def bundle_modules() -> dict[str, str]:
    """Every module the add-in imports, from the entry modules: ``{"engine.core.grid": source, …}``."""
    found: dict[str, str] = {}
    pending = [*ENTRY_MODULES]
    problems = []
    while pending:
        module = pending.pop()
        if module in found:
            continue
        path = _path(module)
        if path is None:
            continue
        found[module] = path.read_text(encoding="utf-8")
        parts = module.split(".")
        pending += [".".join(parts[:k]) for k in range(1, len(parts))]  # parent packages
        ours, others = _imports(module, path)
        pending += sorted(ours)
        for name in sorted(others - ALLOWED_THIRD_PARTY - set(sys.stdlib_module_names)):
            problems.append(f"{module} imports {name}")
    if problems:
        raise LiteBundleError(
            "These modules cannot run in xlwings Lite (only numpy, pandas and xlwings are there): "
            + "; ".join(problems)
        )
    return dict(sorted(found.items()))


def _filename(module: str, source_is_package: bool) -> str:
    path = module.replace(".", "/")
    return f"{path}/__init__.py" if source_is_package else f"{path}.py"


def _function_block(spec: functions.Function) -> str:
    """``@func`` / ``@arg`` lines and a wrapper with the pure function's own signature."""
    signature = inspect.signature(spec.function)
    lines = ["@func"]
    for arg in spec.args:
        options = [repr(arg.name)]
        if arg.range:
            options.append("ndim=2")
        options.append(f"doc={arg.doc!r}")
        lines.append(f"@arg({', '.join(options)})")
    call = ", ".join(signature.parameters)
    lines.append(f"def {spec.name}{signature}:")
    lines.append(f"    {spec.description!r}")
    lines.append(f"    return _bundle.functions.{spec.name}({call})")
    return "\n".join(lines)


def _script_block(name: str, doc: str) -> str:
    return "\n".join(
        [
            "@script",
            f"def {name}(book: xw.Book):",
            f"    {doc!r}",
            f"    print(_bundle.macros.{name}(book).message)",
        ]
    )


INSTALLER = '''
class _BundleFinder:
    """Imports the bundled packages from _SOURCES (a sys.meta_path finder and loader)."""

    marker = "partnership-model-bundle"

    def __init__(self, sources):
        self.sources = sources

    def _key(self, fullname):
        base = fullname.replace(".", "/")
        if base + "/__init__.py" in self.sources:
            return base + "/__init__.py", True
        if base + ".py" in self.sources:
            return base + ".py", False
        return None, False

    def find_spec(self, fullname, path=None, target=None):
        key, package = self._key(fullname)
        if key is None:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=_ORIGIN + key, is_package=package)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        key, _ = self._key(module.__name__)
        source = self.sources[key]
        filename = _ORIGIN + key
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), module.__dict__)


def _install(sources):
    """Put the bundle first on sys.meta_path, dropping any bundle a previous run of main.py left."""
    sys.meta_path[:] = [f for f in sys.meta_path if getattr(f, "marker", None) != _BundleFinder.marker]
    for name in [n for n in sys.modules if n.split(".")[0] in _PACKAGES]:
        del sys.modules[name]
    sys.meta_path.insert(0, _BundleFinder(sources))
    return types.SimpleNamespace(
        functions=importlib.import_module("excel_addin.excel.functions"),
        macros=importlib.import_module("excel_addin.excel.macros"),
    )
'''


def main_py() -> str:
    """The text of main.py."""
    modules = bundle_modules()
    names = [spec.name for spec in functions.FUNCTIONS]
    header = f'''"""Commissioning Partnership Model for xlwings Lite: worksheet functions and scripts.

Generated by `partnership lite` from partnership-model {__version__}: do not edit; generate it again.
Paste this file into the main.py tab of the xlwings Lite editor and requirements.txt into
its requirements.txt tab, in a workbook made by `partnership new` (or the Lite workbook
written beside this file: the same template with its sheets unprotected, which Lite needs).

Worksheet functions: {", ".join(names)}.
Scripts (the Run button of the editor): {", ".join(name for name, _ in SCRIPTS)}.
The scenario scripts use the name typed in {layout.SCENARIOS}!B{scenarios.NAME_ROW}.

The model itself (the packages {" and ".join(PACKAGES)}, {len(modules)} modules) is bundled at the end
of this file as text and imported from there.
"""

import importlib
import importlib.util
import linecache
import sys
import types

import xlwings as xw
from xlwings import arg, func, script
'''
    blocks = [_function_block(spec) for spec in functions.FUNCTIONS]
    blocks += [_script_block(name, doc) for name, doc in SCRIPTS]
    sources = ["_SOURCES = {"]
    files = {_filename(module, _is_package(module)): source for module, source in modules.items()}
    for key, source in sorted(files.items()):
        sources.append(f"    {key!r}: (")
        sources += [f"        {line!r}" for line in source.splitlines(keepends=True)] or ["        ''"]
        sources.append("    ),")
    sources.append("}")
    tail = [
        "# --- the bundled model: do not edit below this line -----------------------------------",
        f"_PACKAGES = {PACKAGES!r}",
        f'_ORIGIN = "<partnership-model {__version__}>/"',
        INSTALLER.strip("\n"),
        "\n".join(sources),
        "_bundle = _install(_SOURCES)",
    ]
    return "\n\n\n".join([header.rstrip("\n"), *blocks, *tail]) + "\n"
