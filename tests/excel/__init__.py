"""Tests of excel_addin/excel/: worksheet functions, macros and the Lite bundle, on xlwings without Excel."""
