"""Builders for target tests: facts through the real import service, targets through the services."""

from __future__ import annotations

from decimal import Decimal

from targets import services
from targets.models import Target
from tests.facts.helpers import load, payment


def sale(partner, date: str, amount: str, customer: str = "客户甲") -> dict:
    return {"partner": partner.code, "date": date, "customer": customer, "amount": amount}


def sales(*rows: dict) -> None:
    load("sales", *rows)


def payments(partner, *dated_amounts: tuple[str, str]) -> None:
    load("payments", *(payment(partner, date, amount) for date, amount in dated_amounts))


def target(partner, metric: str, period: str, value: str | int, goal=None) -> Target:
    return services.target_create(partner=partner, metric=metric, period=period, value=Decimal(str(value)), goal=goal)
