"""Negotiation: levers (contract terms a sweep moves), acceptance rules, the agreement zone and
balanced deals.
"""
