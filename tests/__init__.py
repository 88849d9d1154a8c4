"""The tests, one folder per package they check (engine/<feature>/, workbook/, files/, excel/, cli/).

Helpers shared by tests and benchmarks are in support/.
"""
