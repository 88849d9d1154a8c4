"""The model of MODEL.md for one year: parameters, measures, compute/evaluate, grids, break-even,
breakdown, outcome sets.
"""
