"""Errors a finance officer can act on: which workbook, which cell or name, what to do.

``WorkbookError`` is about the file itself (cannot be opened, is open in Excel, lacks a
name the model relies on). Bad values in input cells are ``InvalidInputsError``, an engine
``ParameterError`` that also knows each problem's cell, so callers that only know the
engine still catch it.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import ParameterError


class WorkbookError(Exception):
    """The workbook cannot be used as it is; the message says why and what to do."""


class LayoutConflictError(RuntimeError):
    """A programming error: a write would touch an input cell or overlap another block."""


@dataclass(frozen=True)
class LocatedProblem:
    """One input problem with the cell it concerns, as the status area and the CLI show it."""

    name: str
    label: str
    where: str  # "Inputs!B14", or "" when the problem has no single cell
    message: str

    def __str__(self) -> str:
        place = f" ({self.where})" if self.where else ""
        return f"{self.label}{place}: {self.message}"


class InvalidInputsError(ParameterError):
    """Some input cells hold values the model cannot use; ``located`` lists them by cell."""

    def __init__(self, located: list[LocatedProblem]):
        super().__init__([(p.name, p.message) for p in located])
        self.located = list(located)

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.located)
