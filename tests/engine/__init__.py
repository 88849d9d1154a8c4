"""Tests of engine/: one folder per feature subpackage."""
