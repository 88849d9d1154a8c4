"""The partnership model of MODEL.md: pure numpy/pandas, no files, no Excel, no printing.

Runs anywhere numpy and pandas do, including xlwings Lite (Pyodide). The one-year model
is ``evaluate``/``payoff_grid``; risk, negotiation, contract comparison, multi-year terms,
regions and portfolios build on it and are exported here too.
"""

from .breakdown import breakdown
from .breakeven import break_even_occupancy
from .contract_compare import (
    COMPARE_COLUMNS,
    best_contract,
    best_counts,
    best_for_host,
    best_for_provider,
    compare_contracts,
    contract_table,
)
from .contract_risk import CONTRACT_RISK_FIGURES, contract_risk, contract_risk_over_outcomes
from .contract_terms import CONTRACT_TERMS, ContractTerms
from .contracts import (
    COMPARISON_MEASURES,
    CONTRACT_NAMES,
    CONTRACTS,
    compute_contracts,
    evaluate_contract,
    evaluate_contracts,
)
from .errors import ParameterError
from .grid import GridResult, default_axis, make_axis, payoff_grid
from .inflation import COST_ASSUMPTIONS, cost_assumptions_table
from .measures import KEY_MEASURES, MEASURE_NAMES, MEASURES, Measure, measure
from .model import compute, evaluate
from .negotiation import (
    CATEGORIES,
    CATEGORY_LABELS,
    AgreementZone,
    agreement_zone,
    assess_terms,
    balanced_points,
)
from .outcomes import Outcomes, make_outcomes, point_outcome
from .parameters import PARAMETERS, SPECS, Parameters
from .portfolio import (
    HOME_PARAMETERS,
    PortfolioResult,
    home_table,
    portfolio_evaluate,
    portfolio_grid,
    portfolio_point,
    read_homes,
)
from .portfolio_risk import portfolio_risk
from .region import (
    COUNCIL_MEASURES,
    RegionResult,
    RegionRules,
    allocate,
    allocation_keys,
    explain_rules,
    read_councils,
    read_region,
    region_evaluate,
    region_grid,
    region_point,
)
from .risk import RiskResult, monte_carlo, risk_over_outcomes
from .rules import DEFAULT_RULES, RULE_COLUMNS, Rule, parse_rules, rules_frame
from .specs import ParameterSpec, range_problems, read_mapping, table_rows
from .statistics import STATISTICS
from .sweep import term_names
from .term import (
    TermGridResult,
    cumulative_table,
    discount_factors,
    term_grid,
    term_prices,
    term_table,
    term_totals,
    year_parameters,
)
from .term_analysis import (
    first_negative_year,
    first_negative_year_grids,
    measure_by_rule,
    reasonable_return_uplift_grid,
    reasonable_return_uplift_rate,
    rule_comparison,
    term_summary,
)
from .term_inputs import TERM_PARAMETERS, TermInputs
from .tornado import tornado
from .uncertainty import UNCERTAINTY_INPUTS, Uncertainty, draw_outcomes, expected_outcome, grid_outcomes
from .uplift import UPLIFT_KINDS, UpliftRule
from .zone_explanation import ZoneExplanation, explain_zone, failing_rules

__version__ = "0.1.0"

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "COMPARE_COLUMNS",
    "COMPARISON_MEASURES",
    "CONTRACTS",
    "CONTRACT_NAMES",
    "CONTRACT_RISK_FIGURES",
    "CONTRACT_TERMS",
    "COST_ASSUMPTIONS",
    "COUNCIL_MEASURES",
    "DEFAULT_RULES",
    "HOME_PARAMETERS",
    "KEY_MEASURES",
    "MEASURES",
    "MEASURE_NAMES",
    "PARAMETERS",
    "RULE_COLUMNS",
    "SPECS",
    "STATISTICS",
    "TERM_PARAMETERS",
    "UNCERTAINTY_INPUTS",
    "UPLIFT_KINDS",
    "AgreementZone",
    "ContractTerms",
    "GridResult",
    "Measure",
    "Outcomes",
    "ParameterError",
    "ParameterSpec",
    "Parameters",
    "PortfolioResult",
    "RegionResult",
    "RegionRules",
    "RiskResult",
    "Rule",
    "TermGridResult",
    "TermInputs",
    "Uncertainty",
    "UpliftRule",
    "ZoneExplanation",
    "__version__",
    "agreement_zone",
    "allocate",
    "allocation_keys",
    "assess_terms",
    "balanced_points",
    "best_contract",
    "best_counts",
    "best_for_host",
    "best_for_provider",
    "break_even_occupancy",
    "breakdown",
    "compare_contracts",
    "compute",
    "compute_contracts",
    "contract_risk",
    "contract_risk_over_outcomes",
    "contract_table",
    "cost_assumptions_table",
    "cumulative_table",
    "default_axis",
    "discount_factors",
    "draw_outcomes",
    "evaluate",
    "evaluate_contract",
    "evaluate_contracts",
    "expected_outcome",
    "explain_rules",
    "explain_zone",
    "failing_rules",
    "first_negative_year",
    "first_negative_year_grids",
    "grid_outcomes",
    "home_table",
    "make_axis",
    "make_outcomes",
    "measure",
    "measure_by_rule",
    "monte_carlo",
    "parse_rules",
    "payoff_grid",
    "point_outcome",
    "portfolio_evaluate",
    "portfolio_grid",
    "portfolio_point",
    "portfolio_risk",
    "range_problems",
    "read_councils",
    "read_homes",
    "read_mapping",
    "read_region",
    "reasonable_return_uplift_grid",
    "reasonable_return_uplift_rate",
    "region_evaluate",
    "region_grid",
    "region_point",
    "risk_over_outcomes",
    "rule_comparison",
    "rules_frame",
    "table_rows",
    "term_grid",
    "term_names",
    "term_prices",
    "term_summary",
    "term_table",
    "term_totals",
    "tornado",
    "year_parameters",
]
