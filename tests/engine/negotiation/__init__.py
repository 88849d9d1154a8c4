"""Tests of engine/negotiation/."""
