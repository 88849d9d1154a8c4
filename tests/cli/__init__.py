"""Tests of excel_addin/cli/: the `partnership` command line."""
