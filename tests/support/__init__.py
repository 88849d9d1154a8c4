"""Helpers shared by tests and benchmarks: workbooks made and filled, LibreOffice, hostile files."""
