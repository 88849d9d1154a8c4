"""Tests of engine/multiyear/."""
