"""The Host sheet: net cost, cost per local week and saving against spot, and their charts."""

from __future__ import annotations

from .. import layout
from ..context import RunContext
from ..plan import Item
from .common import ResultSheet
from .party import party_items


def build(ctx: RunContext) -> list[Item]:
    return party_items(ctx, "host", layout.HOST_SHEET, owns_names=False)


SHEET = ResultSheet(layout.HOST_SHEET, build)
