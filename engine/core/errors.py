"""The engine's one exception type: bad inputs, reported all at once.

A finance officer fixing a workbook wants every problem in one pass, not one per run,
so validation collects problems and raises once.
"""

from __future__ import annotations


class ParameterError(ValueError):
    """Invalid parameters or axis values.

    ``problems`` is a list of ``(name, message)`` pairs so that a workbook can show
    each message next to the cell it concerns; ``str(error)`` joins the messages.
    """

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = list(problems)
        super().__init__("; ".join(message for _, message in self.problems))
