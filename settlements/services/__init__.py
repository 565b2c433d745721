"""Writes for settlements: runs (``runs``) and statements' transitions and adjustments (``statements``)."""
