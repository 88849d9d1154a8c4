"""Multi-year agreements: cost inflation, fee uplift rules, the year-by-year term and its NPVs."""
