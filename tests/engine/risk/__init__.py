"""Tests of engine/risk/."""
