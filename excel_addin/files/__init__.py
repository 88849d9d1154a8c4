"""The openpyxl file layer: checks before parsing, the lock, atomic saves, the template, upgrades,
new/check/run end to end.
"""
