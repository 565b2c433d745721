"""Reads of deal registration: the deals a member sees, and the conflicts between them (SPEC §4.8).

A deal *matches* another when their tax ids are equal or their normalised names are
(``deals.normalise``); it *conflicts* with every matching deal of another partner that is
submitted, or approved and still protected. Conflicts are found as the data stands, never stored:
``conflicts_for`` answers for a page of deals in one query, ``claims_on`` for a customer someone
is about to register.

What a member is shown of a conflict depends on its side: the vendor sees the other deal in full;
a partner only that the customer was registered before, and when (``ConflictView.for_partner``).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence

from django.db.models import Q, QuerySet
from django.utils import timezone

from tenancy.models import Tenant

from .models import Deal, DealSettings, DealStatus
from .normalise import normalise_customer, normalise_tax_id


def settings_of(tenant: Tenant) -> DealSettings:
    """The tenant's deal registration settings; made with the defaults the first time they are read."""
    found = DealSettings.objects.filter(tenant=tenant).first()
    if found is not None:
        return found
    settings, _created = DealSettings.objects.get_or_create(tenant=tenant)
    return settings


def claiming(day: datetime.date) -> Q:
    """Deals that claim their customer on ``day``: submitted, or approved and still protected."""
    return Q(status=DealStatus.SUBMITTED) | Q(status=DealStatus.APPROVED, protected_until__gte=day)


def _matching(keys: Iterable[str], tax_ids: Iterable[str]) -> Q | None:
    keys, tax_ids = sorted(set(keys) - {""}), sorted(set(tax_ids) - {""})
    if not keys and not tax_ids:
        return None
    condition = Q(pk__in=[])
    if keys:
        condition |= Q(customer_key__in=keys)
    if tax_ids:
        condition |= Q(customer_tax_id__in=tax_ids)
    return condition


@dataclasses.dataclass(frozen=True)
class Conflict:
    """Another partner's deal that claims the same customer: the deal, and how they match."""

    deal: Deal
    by_tax_id: bool
    by_name: bool

    def registered_on(self, tenant: Tenant) -> datetime.date:
        return timezone.localtime(self.deal.created_at, tenant.zone).date()


def _match(deal_key: str, deal_tax_id: str, other: Deal) -> tuple[bool, bool]:
    by_tax_id = bool(deal_tax_id) and other.customer_tax_id == deal_tax_id
    by_name = bool(deal_key) and other.customer_key == deal_key
    return by_tax_id, by_name


def claims_on(
    *, customer: str, tax_id: str, partner_id: int | None, day: datetime.date, exclude_pk: int | None = None
) -> list[Conflict]:
    """The deals of partners other than ``partner_id`` that claim this customer on ``day``, oldest first."""
    key, tax = normalise_customer(customer), normalise_tax_id(tax_id)
    condition = _matching([key], [tax])
    if condition is None:
        return []
    others = Deal.objects.filter(condition).filter(claiming(day)).select_related("partner")
    if partner_id is not None:
        others = others.exclude(partner_id=partner_id)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    conflicts = []
    for other in others.order_by("created_at", "id"):
        by_tax_id, by_name = _match(key, tax, other)
        conflicts.append(Conflict(deal=other, by_tax_id=by_tax_id, by_name=by_name))
    return conflicts


def conflicts_of(deal: Deal, *, day: datetime.date) -> list[Conflict]:
    """The conflicts of one deal on ``day`` (none once it claims nothing: rejected, closed, expired)."""
    return conflicts_for([deal], day=day).get(deal.pk, [])


def conflicts_for(deals: Sequence[Deal], *, day: datetime.date) -> dict[int, list[Conflict]]:
    """The conflicts of each of ``deals`` on ``day``, in one query whatever their number."""
    live = [deal for deal in deals if deal.status == DealStatus.SUBMITTED or deal.is_protected(day)]
    condition = _matching((deal.customer_key for deal in live), (deal.customer_tax_id for deal in live))
    if condition is None:
        return {}
    others = list(
        Deal.objects.filter(condition).filter(claiming(day)).select_related("partner").order_by("created_at", "id")
    )
    found: dict[int, list[Conflict]] = {}
    for deal in live:
        for other in others:
            if other.partner_id == deal.partner_id or other.pk == deal.pk:
                continue
            by_tax_id, by_name = _match(deal.customer_key, deal.customer_tax_id, other)
            if by_tax_id or by_name:
                found.setdefault(deal.pk, []).append(Conflict(deal=other, by_tax_id=by_tax_id, by_name=by_name))
    return found


def protected_conflicts(conflicts: Iterable[Conflict], day: datetime.date) -> list[Conflict]:
    """Those conflicts whose deal is approved and protected: they stop an approval."""
    return [conflict for conflict in conflicts if conflict.deal.is_protected(day)]


def deal_list(queryset: QuerySet[Deal]) -> QuerySet[Deal]:
    """Deals the newest first, with what their rows show."""
    return queryset.select_related("partner", "registered_by").order_by("-created_at", "-id")


def status_counts(queryset: QuerySet[Deal]) -> dict[str, int]:
    """How many deals of ``queryset`` are in each status (the list's tabs)."""
    from django.db.models import Count

    rows = queryset.order_by().values("status").annotate(count=Count("id"))
    return {row["status"]: row["count"] for row in rows}
