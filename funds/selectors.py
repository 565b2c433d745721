"""Reads of market development funds: the funds with their figures, requests, claims, and their history.

A fund's figures (budget, approved, claimed, paid) are subqueries on the fund list: one query for a page
of funds, however many requests and claims they hold. A partner-side member's figures are its own.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from .models import DecisionStatus, Fund, FundClaim, FundEvent, FundRequest

MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY_FIELD)
FIGURES = ("approved", "waiting", "claimed", "claims_approved", "on_statements", "paid")


def _sum(queryset: QuerySet, field: str):
    total = queryset.order_by().values("request__fund" if queryset.model is FundClaim else "fund")
    total = total.annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=MONEY_FIELD), ZERO)


def with_figures(funds: QuerySet[Fund], *, partner_id: int | None = None) -> QuerySet[Fund]:
    """Each fund with ``approved`` (requests approved), ``waiting`` (requests undecided), ``claimed`` (claims
    not rejected), ``claims_approved``, ``on_statements`` (claims on a statement) and ``paid`` (on a paid one);
    ``remaining`` = budget − approved. With ``partner_id``, the figures of that partner's requests and claims."""
    requests = FundRequest.objects.filter(fund=OuterRef("pk"))
    claims = FundClaim.objects.filter(request__fund=OuterRef("pk"))
    if partner_id is not None:
        requests, claims = requests.filter(partner_id=partner_id), claims.filter(partner_id=partner_id)
    approved_claims = claims.filter(status=DecisionStatus.APPROVED)
    funds = funds.annotate(
        approved=_sum(requests.filter(status=DecisionStatus.APPROVED), "approved_amount"),
        waiting=_sum(requests.filter(status=DecisionStatus.SUBMITTED), "amount"),
        claimed=_sum(claims.exclude(status=DecisionStatus.REJECTED), "amount"),
        claims_approved=_sum(approved_claims, "approved_amount"),
        on_statements=_sum(approved_claims.filter(statement_line__isnull=False), "approved_amount"),
        paid=_sum(approved_claims.filter(statement_line__statement__status="paid"), "approved_amount"),
    )
    if partner_id is None:
        funds = funds.annotate(remaining=ExpressionWrapper(F("budget") - F("approved"), output_field=MONEY_FIELD))
    return funds


def funds_for_tier(funds: QuerySet[Fund], tier_code: str) -> QuerySet[Fund]:
    """The funds the partners of a tier may ask for: those naming its tier, or no tier at all."""
    return funds.filter(Q(tiers=[]) | Q(tiers__contains=[tier_code]))


def request_list(requests: QuerySet[FundRequest]) -> QuerySet[FundRequest]:
    """Requests with ``claims_held``: what their claims ask for or were granted, rejected claims aside."""
    held = Case(When(status=DecisionStatus.APPROVED, then=F("approved_amount")), default=F("amount"))
    live = (
        FundClaim.objects.filter(request=OuterRef("pk"))
        .exclude(status=DecisionStatus.REJECTED)
        .order_by()
        .values("request")
        .annotate(total=Sum(held))
        .values("total")
    )
    return requests.select_related("fund", "partner", "decided_by", "requested_by").annotate(
        claims_held=Coalesce(Subquery(live, output_field=MONEY_FIELD), ZERO)
    )


def claim_list(claims: QuerySet[FundClaim]) -> QuerySet[FundClaim]:
    return claims.select_related(
        "request__fund", "partner", "decided_by", "claimed_by", "statement_line__statement"
    ).prefetch_related("files")


def history_of(*, fund: Fund | None = None, request: FundRequest | None = None, claim: FundClaim | None = None):
    """The moves of a fund (all of it), a request (with its claims) or a claim, oldest first."""
    events = FundEvent.objects.select_related("actor", "claim", "request")
    if claim is not None:
        return events.filter(claim=claim)
    if request is not None:
        return events.filter(request=request)
    return events.filter(fund=fund)


def request_claimable(request: FundRequest) -> Decimal:
    """What the partner may still claim on a request: approved less what its live claims hold."""
    if request.status != DecisionStatus.APPROVED:
        return Decimal("0.00")
    held = getattr(request, "claims_held", None)
    if held is None:
        from .services import claimed_total

        held = claimed_total(request)
    return max(request.approved_amount - held, Decimal("0.00"))


def payment_state(claim: FundClaim) -> str:
    """``waiting`` (not approved), ``due`` (approved, on no statement yet), the statement's status, or ``none``."""
    if claim.status != DecisionStatus.APPROVED:
        return "none" if claim.status == DecisionStatus.REJECTED else "waiting"
    if claim.statement_line_id is None:
        return "due"
    return claim.statement_line.statement.status
