"""Tests of engine/contracts/."""
