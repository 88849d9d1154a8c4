"""Tests of excel_addin/workbook/: layout, plan, reader, each sheet end to end (LibreOffice tests too)."""
