"""Direction words by sign: the exact sentences for a rise, a fall and no change."""

from __future__ import annotations

import math

import pytest

from excel_addin.workbook.risk_figures import _share, money
from excel_addin.workbook.words import better_by, changes, compared, moves, points_text


def test_moves_says_raises_for_a_rise_even_from_a_loss():
    # The sentence the Risk sheet once got wrong: -£40,521 → £48,645 is a rise.
    assert (
        moves("its expected surplus", -40_521, 48_645, money)
        == "raises its expected surplus from -£40,521 to £48,645"
    )


def test_moves_says_lowers_for_a_fall():
    assert (
        moves("the provider's probability of a loss", 0.037, 0.0, _share)
        == "lowers the provider's probability of a loss from 3.7 % to 0 %"
    )


@pytest.mark.parametrize(("before", "after"), [(0.0, 0.0), (0.0, 0.0001), (1_000.2, 1_000.4)])
def test_moves_says_leaves_at_when_the_figures_read_the_same(before, after):
    text = _share if before < 1 else money
    # 0 % → 0.01 % both print "0 %": "from 0 % to 0 %" would read as a mistake.
    assert moves("it", before, after, text) == f"leaves it at {text(before)}"


def test_compared_gives_the_size_and_the_direction():
    assert compared(-3_454, money) == "£3,454 lower"
    assert compared(3_454, money) == "£3,454 higher"
    assert compared(0.2, money) == "the same"
    assert compared(-5, money, up="dearer", down="cheaper") == "£5 cheaper"


def test_better_by_never_says_better_by_a_negative_amount():
    # `partnership term` once printed "Partnership better by -£2,973,887".
    assert better_by(-2_973_887, money) == "worse by £2,973,887"
    assert better_by(1_779_117, money) == "better by £1,779,117"
    assert better_by(0.0, money) == "no different"
    assert better_by(math.nan, money) == "–"


def test_changes_says_which_way_and_by_how_much():
    assert changes("the host's profit share", -40_061, money) == "lowers the host's profit share by £40,061"
    assert changes("the host's net cost", 40_061, money) == "raises the host's net cost by £40,061"
    assert changes("its deficit cover", 0.0, money) == "leaves its deficit cover unchanged"


def test_points_text_is_percentage_points_not_a_relative_change():
    # 3.7 % → 0 % is 3.7 percentage points lower, not "-100 %".
    assert points_text(0.0 - 0.037) == "-3.7 pp"
    assert points_text(0.484) == "+48.4 pp"
    assert points_text(0.0) == "0 pp"
    assert points_text(0.00001) == "0 pp"
    assert points_text(-0.25, short=False) == "-25.0 percentage points"
    assert points_text(math.nan) == "–"
