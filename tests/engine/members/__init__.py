"""Tests of engine/members/."""
