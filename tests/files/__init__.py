"""Tests of excel_addin/files/: the template file, hostile files, locks, saving, inputs preserved."""
