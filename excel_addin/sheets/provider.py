"""The Provider sheet: surplus, margin and gain, break-even, and their charts."""

from __future__ import annotations

from .. import layout
from ..context import RunContext
from ..plan import Item
from .common import ResultSheet
from .party import party_items


def build(ctx: RunContext) -> list[Item]:
    return party_items(ctx, "provider", layout.PROVIDER_SHEET, owns_names=True)


SHEET = ResultSheet(layout.PROVIDER_SHEET, build)
