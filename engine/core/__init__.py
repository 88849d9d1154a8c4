"""The model of docs/model.md for one year: parameters, measures, compute/evaluate, grids, break-even,
breakdown, outcome sets.
"""
