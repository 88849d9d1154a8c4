"""Risk: distributions of occupancy, local use and fixed cost, Monte Carlo summaries, weighted
statistics, the tornado.
"""
