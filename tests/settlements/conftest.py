import pytest

from settlements.models import Statement
from tests.facts.helpers import load

from .helpers import compute, program


@pytest.fixture
def drafts(acme):
    """2026-Q1 computed by finance: ACME-OWN's draft pays ¥18,000.00 (600,000 at 3%), ACME-OTHER's ¥500.00."""
    program("RETRO")
    load(
        "sales",
        {"partner": "ACME-OWN", "date": "2026-01-15", "customer": "甲", "amount": "600000"},
        {"partner": "ACME-OTHER", "date": "2026-02-01", "customer": "丁", "amount": "50000"},
    )
    compute(actor=acme.member("finance").user)
    acme.statement = Statement.objects.get(partner=acme.own, period="2026-Q1")
    acme.other_statement = Statement.objects.get(partner=acme.other, period="2026-Q1")
    return acme
