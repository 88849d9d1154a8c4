"""Regions of councils and portfolios of homes: member tables, each member's results, pooled figures
and risk.
"""
