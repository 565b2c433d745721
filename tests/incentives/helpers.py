"""Programs and agreements for the incentives tests, made through the real services."""

from __future__ import annotations

from incentives import services

SPEC_BRACKETS = [
    {"threshold": "0", "rate_percent": "1"},
    {"threshold": "100000", "rate_percent": "2"},
    {"threshold": "500000", "rate_percent": "3"},
]


def program_body(**overrides) -> dict:
    """A quarterly retroactive program on sales with the spec's brackets (SPEC §4.4)."""
    return {
        "code": "Q-REBATE",
        "name": "季度返利",
        "basis": "sales",
        "method": "retroactive",
        "period_kind": "quarter",
        "brackets": SPEC_BRACKETS,
        "starts_on": "2025-01-01",
        **overrides,
    }


def agreement_body(**overrides) -> dict:
    return {
        "code": "PS-CORE",
        "name": "利润分成",
        "period_kind": "quarter",
        "rates": [{"tier": "ordinary", "rate_percent": "10"}],
        "loss_share_percent": "5",
        "starts_on": "2025-01-01",
        **overrides,
    }


def make_program(actor=None, **overrides):
    return services.program_create(actor=actor, **program_body(**overrides))


def make_agreement(actor=None, **overrides):
    return services.agreement_create(actor=actor, **agreement_body(**overrides))
