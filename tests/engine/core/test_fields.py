"""The one validated-parameters pattern: each input family takes its defaults from its table."""

from __future__ import annotations

import dataclasses

import pytest

from engine import (
    CONTRACT_TERMS,
    PARAMETERS,
    REGION_RULES_BY_NAME,
    TERM_PARAMETERS,
    UNCERTAINTY_INPUTS,
    ContractTerms,
    ParameterError,
    Parameters,
    RegionRules,
    TermInputs,
    Uncertainty,
    UpliftRule,
)

FAMILIES = [
    (Parameters, PARAMETERS),
    (Uncertainty, UNCERTAINTY_INPUTS),
    (RegionRules, tuple(REGION_RULES_BY_NAME.values())),
    (ContractTerms, CONTRACT_TERMS),
]


@pytest.mark.parametrize(("family", "table"), FAMILIES)
def test_each_field_default_is_its_table_row_default(family, table):
    # The table is the one place a default is written: the dataclass field holds the row's value.
    assert {f.name: f.default for f in dataclasses.fields(family)} == {
        spec.name: spec.default for spec in table
    }


def test_term_fields_take_their_rows_defaults_and_a_rule_its_kind():
    # The term table also holds inputs that are not fields (the cost assumption; each rule's
    # rate, cap and floor); a rule field's default is the kind in its row, made a rule on construction.
    defaults = {f.name: f.default for f in dataclasses.fields(TermInputs)}
    rows = {spec.name: spec.default for spec in TERM_PARAMETERS}
    assert defaults == {name: rows[name] for name in defaults}
    assert defaults["fee_uplift"] == "cost_linked"
    assert TermInputs().fee_uplift == UpliftRule("cost_linked")


@pytest.mark.parametrize(("family", "table"), FAMILIES)
def test_default_round_trips_through_plain_values(family, table):
    default = family()
    assert family.from_mapping(default.to_mapping()) == default
    assert family.from_mapping({}) == default


def test_replace_validates_like_construction_and_keeps_the_family_message():
    # places 4 → 2 leaves reserved_places 3 above places: the Parameters rule, raised by the shared replace.
    with pytest.raises(ParameterError, match=r"reserved_places = 3 exceeds places = 2"):
        Parameters().replace(places=2)
    assert ContractTerms().replace(block_fee="£6,000").block_fee == 6_000.0
    with pytest.raises(ParameterError, match=r"credit_rule = 'shares' must be contribution, use or mix"):
        RegionRules(credit_rule="shares")
