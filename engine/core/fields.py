"""Specification rows for inputs, and the generic checks every input table shares.

Parameters of docs/model.md, contract terms, risk and term inputs are all described by
``ParameterSpec`` rows, so one reader and one range check serve them all and every
message reads the same way: ``name = value must be …``. ``SpecFields`` is the one frozen
dataclass pattern over such a table: defaults come from the rows, and reading, writing,
copying and validating are written here once.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeGuard

from engine.core.cells import Coerced, format_value, to_number
from engine.core.errors import ParameterError

Problems = list[tuple[str, str]]


@dataclass(frozen=True)
class ParameterSpec:
    """One row of the parameter table of docs/model.md."""

    name: str
    symbol: str
    label: str
    unit: str  # "places", "weeks", "£/year", "£/week", "share"
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True
    integer: bool = False
    element: str = ""  # which of the five partnership elements, if any
    help: str = ""

    rule_text: str = ""  # the rule in words where it is more than a range

    @property
    def rule(self) -> str:
        """The valid range in words, as the workbook and error messages show it."""
        if self.rule_text:
            return self.rule_text
        parts = []
        if self.minimum is not None:
            parts.append(f"{'≥' if self.min_inclusive else '>'} {bound_text(self, self.minimum)}")
        if self.maximum is not None:
            parts.append(f"{'≤' if self.max_inclusive else '<'} {bound_text(self, self.maximum)}")
        rule = " and ".join(parts)
        return f"whole number {rule}" if self.integer else rule


def bound_text(spec: ParameterSpec, bound: float) -> str:
    """A limit as people read it: "£1,000,000,000,000" for money, "10,000" places, "0.5"."""
    shown = format_value(bound)
    if float(bound) == int(bound) and abs(bound) >= 10_000:
        shown = f"{int(bound):,}"
    return f"£{shown}" if spec.unit.startswith("£") and bound else shown


def is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def range_problem(spec: ParameterSpec, value: Any) -> str | None:
    shown = f"{spec.name} = {format_value(value)}"
    if not is_number(value):
        return f"{shown} is not a finite number"
    if spec.integer and value != math.floor(value):
        return f"{shown} must be a whole number"
    below = spec.minimum is not None and (
        value < spec.minimum or (not spec.min_inclusive and value == spec.minimum)
    )
    if below and spec.minimum is not None:
        word = "at least" if spec.min_inclusive else "more than"
        return f"{shown} must be {word} {bound_text(spec, spec.minimum)}"
    above = spec.maximum is not None and (
        value > spec.maximum or (not spec.max_inclusive and value == spec.maximum)
    )
    if above and spec.maximum is not None:
        word = "at most" if spec.max_inclusive else "less than"
        return f"{shown} must be {word} {bound_text(spec, spec.maximum)}"
    return None


def coerce_number(spec: ParameterSpec, raw: Any) -> Coerced:
    """One cell value as the number ``spec`` wants (whole where it must be), or the problem."""
    coerced = to_number(spec.name, raw)
    if coerced.problem is None and spec.integer:
        if coerced.value != math.floor(coerced.value):
            return Coerced(None, f"{spec.name} = {format_value(raw)} must be a whole number")
        return Coerced(int(coerced.value))
    return coerced


def range_problems(specs: Iterable[ParameterSpec], values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The range rules broken by ``values``; names absent from ``values`` are skipped."""
    problems = []
    for spec in specs:
        if spec.name in values:
            message = range_problem(spec, values[spec.name])
            if message:
                problems.append((spec.name, message))
    return problems


def read_mapping(
    specs: Iterable[ParameterSpec],
    mapping: Mapping[str, Any],
    special: Mapping[str, Callable[[Any], Coerced]] | None = None,
    what: str = "a parameter of the model",
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Parse spreadsheet-style values: defaults for absent names, problems for the rest.

    ``special`` maps a name to its own parser (for tables such as share tiers). Returns
    the parsed values (without the ones that failed) and the list of problems.
    """
    specs = tuple(specs)
    special = special or {}
    known = {spec.name for spec in specs}
    problems = [(name, f"{name} is not {what}") for name in mapping if name not in known]
    values: dict[str, Any] = {}
    for spec in specs:
        if spec.name not in mapping:
            values[spec.name] = spec.default
            continue
        parse = special.get(spec.name, lambda raw, spec=spec: coerce_number(spec, raw))
        coerced = parse(mapping[spec.name])
        if coerced.problem:
            problems.append((spec.name, coerced.problem))
        else:
            values[spec.name] = coerced.value
    return values, problems


def table_rows(raw: Any) -> Iterable[Any]:
    """The rows of a table given as a list of rows, a 2-D array or a pandas DataFrame.

    A DataFrame is iterated by row, not by column name, so every table input reads alike.
    """
    if hasattr(raw, "to_numpy"):
        raw = raw.to_numpy()
    return iter(raw)


class SpecFields:
    """Base of the frozen input dataclasses: each field is a row of a ``ParameterSpec`` table.

    A subclass says once, in its class line, what it is made of: its table (``specs``), what
    an unknown name is not (``what``: "a contract term"), its rules beyond the table's
    ranges (``rules``: values -> problems) and its parsers for cells that are not one number
    (``parsers``: tables, choices). It declares its fields with type annotations only: every
    annotated field that has a row takes the row's default, so no default is written twice.
    Decorated with ``@dataclass(frozen=True)``, it then validates on construction (one
    ``ParameterError`` naming every problem, so an invalid instance never exists), reads
    spreadsheet values (``from_mapping``), gives plain values back (``to_mapping``) and
    copies with changes (``replace``); ``_normalise`` may tidy given values before the check.
    """

    _specs: ClassVar[tuple[ParameterSpec, ...]] = ()
    _what: ClassVar[str] = "a parameter of the model"
    _rules: ClassVar[Callable[[Mapping[str, Any]], Problems] | None] = None
    _parsers: ClassVar[Mapping[str, Callable[[Any], Coerced]]] = {}

    def __init_subclass__(
        cls,
        specs: Iterable[ParameterSpec] = (),
        what: str = "",
        rules: Callable[[Mapping[str, Any]], Problems] | None = None,
        parsers: Mapping[str, Callable[[Any], Coerced]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls._specs = tuple(specs)
        cls._what = what or cls._what
        cls._rules = staticmethod(rules) if rules else None
        cls._parsers = dict(parsers or {})
        rows = {spec.name: spec for spec in cls._specs}
        for name in inspect.get_annotations(cls):
            if name in rows and name not in vars(cls):
                setattr(cls, name, rows[name].default)  # the dataclass default

    @classmethod
    def _check(cls, values: Mapping[str, Any]) -> Problems:
        """Every rule broken by ``values`` (already numbers); absent names are skipped."""
        return cls._rules(values) if cls._rules else range_problems(cls._specs, values)

    def _normalise(self) -> None:
        """Tidy the given values before they are checked (nothing to tidy by default)."""

    def __post_init__(self) -> None:
        self._normalise()
        problems = self._check({f.name: getattr(self, f.name) for f in dataclasses.fields(self)})  # type: ignore[arg-type]  # subclasses are dataclasses
        if problems:
            raise ParameterError(problems)

    @classmethod
    def _read(cls, mapping: Mapping[str, Any]) -> tuple[dict[str, Any], Problems]:
        """Parsed values (defaults for absent names) and the problems of reading them."""
        return read_mapping(cls._specs, mapping, cls._parsers, what=cls._what)

    @classmethod
    def _build(cls, values: Mapping[str, Any], problems: Problems) -> Self:
        """The instance, or one ``ParameterError`` with every problem found so far."""
        if problems:
            raise ParameterError(problems)
        return cls(**values)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Self:
        """Build from plain values as a spreadsheet gives them ("5,000", "£5,000", "25%").

        Absent names take their default; unknown names, empty cells, booleans, NaN and
        infinities are problems. All problems are raised together.
        """
        values, problems = cls._read(mapping)
        return cls._build(values, problems + cls._check(values))

    def to_mapping(self) -> dict[str, Any]:
        """Plain Python values by name, tables as lists of lists (the inverse of ``from_mapping``)."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (validated like any construction)."""
        return self.from_mapping({**self.to_mapping(), **changes})


def _plain(value: Any) -> Any:
    """Tuples (paths, tables) as lists, so a value reads like the spreadsheet cells it came from."""
    return [_plain(item) for item in value] if isinstance(value, tuple) else value
