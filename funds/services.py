"""Writes of market development funds: funds, partners' requests and claims, and the vendor's decisions.

A request and a claim move along one table, and nowhere else::

    (submit) ──▶ submitted ──approve (amount ≤ what is left / what was claimed)──▶ approved
                     └───────reject (with a reason)─────────────────────────────▶ rejected

Approving a request locks the fund's row first, so two approvals at once are decided one after the
other, each against what the other left: a fund is never overspent. Claiming locks the request's
row, so two claims at once never add up to more than was approved. Every move is a ``FundEvent``
(who, when, from what to what, the amount and why) in the same transaction, and the people who
should hear of it are told (``notices``) once it commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.dates import tenant_today
from common.money import format_money
from common.periods import Period
from partners.models import Partner, PartnerStatus, Tier
from tenancy.context import require_tenant

from . import notices
from .errors import DecisionRefused, OverBudget
from .models import (
    REASON_MAX_LENGTH,
    ClaimFile,
    DecisionStatus,
    Fund,
    FundClaim,
    FundEvent,
    FundRequest,
)

Action = FundEvent.Action
FUND_FIELDS = ("name", "description", "budget", "tiers", "is_open")
MAX_PROOF_FILES = 10


# --- funds ----------------------------------------------------------------------------------------


def _period(text: str) -> Period:
    try:
        return Period.parse(str(text))
    except ValueError as error:
        raise ValidationError({"period": str(error)}) from error


def _tiers(codes: Iterable[str]) -> list[str]:
    """The tier codes, each a tier of the tenant, in rank order, once each."""
    wanted = [str(code).strip() for code in codes or () if str(code).strip()]
    known = dict(Tier.objects.filter(code__in=wanted).values_list("code", "rank"))
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise ValidationError({"tiers": _("Unknown tier: %(codes)s.") % {"codes": ", ".join(unknown)}})
    return sorted(set(wanted), key=lambda code: (known[code], code))


def approved_total(fund: Fund) -> Decimal:
    """What the fund's approved requests hold: the budget spoken for."""
    total = FundRequest.objects.filter(fund=fund, status=DecisionStatus.APPROVED).aggregate(
        total=Sum("approved_amount")
    )["total"]
    return total or Decimal("0.00")


@transaction.atomic
def fund_create(
    *, actor, code: str, name: str, period: str, budget: Decimal, tiers: Iterable[str] = (), description: str = "",
    is_open: bool = True,
) -> Fund:  # fmt: skip
    """A new fund for a period and some tiers (none named: every tier), open for partners' requests."""
    parsed = _period(period)
    fund = Fund(
        code=code, name=name, description=description, period=str(parsed), starts_on=parsed.start,
        ends_on=parsed.end, budget=budget, tiers=_tiers(tiers), is_open=is_open, created_by=actor,
    )  # fmt: skip
    fund.full_clean(exclude=["tenant"])
    fund.save()
    FundEvent.objects.create(
        fund=fund, action=Action.FUND_CREATED, amount=fund.budget, actor=actor, note=_describe_fund(fund)
    )
    return fund


def _describe_fund(fund: Fund) -> str:
    tiers = ", ".join(fund.tiers) if fund.tiers else _("every tier")
    return _("Budget %(budget)s for %(period)s; %(tiers)s.") % {
        "budget": format_money(fund.budget, require_tenant().currency),
        "period": fund.period,
        "tiers": tiers,
    }


@transaction.atomic
def fund_update(*, fund: Fund, actor, **changes: Any) -> Fund:
    """Change a fund's name, description, budget, tiers or whether it is open (its code and period stay).

    The budget never goes below what approved requests already hold.
    """
    unknown = set(changes) - set(FUND_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    locked = Fund.objects.select_for_update().get(pk=fund.pk)
    if "tiers" in changes:
        changes["tiers"] = _tiers(changes["tiers"])
    changed = [field for field, value in changes.items() if getattr(locked, field) != value]
    for field in changed:
        setattr(locked, field, changes[field])
    locked.full_clean(exclude=["tenant"])
    if "budget" in changed:
        held = approved_total(locked)
        if locked.budget < held:
            raise ValidationError(
                {"budget": _("Approved requests already hold %(held)s: the budget cannot be less.")
                           % {"held": format_money(held, require_tenant().currency)}}
            )  # fmt: skip
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
        FundEvent.objects.create(
            fund=locked, action=Action.FUND_CHANGED, amount=locked.budget, actor=actor, note=_describe_fund(locked)
        )
    return locked


# --- requests -------------------------------------------------------------------------------------


def _reason(value: str, *, required: bool, message: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({"reason": message or _("Say why: the partner reads it.")})
    if len(text) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Write at most %(limit)d characters (this has %(count)d).")
                       % {"limit": REASON_MAX_LENGTH, "count": len(text)}}
        )  # fmt: skip
    return text


def fund_open_to(fund: Fund, partner: Partner) -> str | None:
    """Why ``partner`` may not ask for ``fund`` now, or None when it may."""
    if not fund.is_open:
        return _("This fund is closed: it takes no new requests.")
    if partner.status != PartnerStatus.ACTIVE:
        return _("Only active partners ask for market development funds.")
    if not fund.is_for_tier(partner.tier.code):
        return _("This fund is for partners of the tiers %(tiers)s.") % {"tiers": ", ".join(fund.tiers)}
    return None


@transaction.atomic
def fund_request_submit(
    *, fund: Fund, partner: Partner, actor, activity: str, planned_on, amount: Decimal, plan: str = ""
) -> FundRequest:
    """A partner asks for part of ``fund`` for an activity in the fund's period (its vendor decides)."""
    partner = Partner.objects.select_related("tier").get(pk=partner.pk)
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Ask for more than 0.00.")})
    refusal = fund_open_to(fund, partner)
    if refusal:
        raise ValidationError({"fund": refusal})
    request = FundRequest(
        fund=fund, partner=partner, activity=(activity or "").strip(), planned_on=planned_on, amount=amount,
        plan=(plan or "").strip(), requested_by=actor,
    )  # fmt: skip
    request.full_clean(exclude=["tenant"])
    if not fund.starts_on <= planned_on <= fund.ends_on:
        raise ValidationError(
            {"planned_on": _("The activity must take place within the fund's period (%(start)s – %(end)s).")
                           % {"start": fund.starts_on.isoformat(), "end": fund.ends_on.isoformat()}}
        )  # fmt: skip
    request.save()
    FundEvent.objects.create(
        fund=fund, request=request, action=Action.REQUESTED, to_status=DecisionStatus.SUBMITTED, amount=amount,
        actor=actor,
    )  # fmt: skip
    notices.request_submitted(request)
    return request


def _decided(obj: FundRequest | FundClaim, kind: str) -> None:
    if obj.status != DecisionStatus.SUBMITTED:
        if kind == "request":
            raise DecisionRefused(
                _("This request is decided already (%(status)s).") % {"status": obj.get_status_display()}
            )
        raise DecisionRefused(_("This claim is decided already (%(status)s).") % {"status": obj.get_status_display()})


def _approved_amount(asked: Decimal, amount: Decimal | None, reason: str, *, what: str) -> tuple[Decimal, str]:
    """The amount approved (all that was asked unless said otherwise) and the reason a lower one needs."""
    if amount is None:
        return asked, _reason(reason, required=False)
    if amount <= 0:
        raise ValidationError({"amount": _("Approve more than 0.00, or reject instead.")})
    if amount > asked:
        raise ValidationError(
            {"amount": _("At most what was %(what)s: %(asked)s.")
                       % {"what": what, "asked": format_money(asked, require_tenant().currency)}}
        )  # fmt: skip
    lower = amount < asked
    return amount, _reason(reason, required=lower, message=_("Say why less is approved: the partner reads it."))


def fund_request_approve(
    *, request: FundRequest, actor, amount: Decimal | None = None, reason: str = ""
) -> FundRequest:
    """Approve a request for what it asks (or less, saying why), within what the fund has left.

    The fund's row is locked first: a second approval at the same time waits, then counts this one.
    """
    with transaction.atomic():
        fund = Fund.objects.select_for_update().get(pk=request.fund_id)
        locked = FundRequest.objects.select_for_update().select_related("partner").get(pk=request.pk)
        _decided(locked, "request")
        approved, said = _approved_amount(locked.amount, amount, reason, what=_("requested"))
        left = fund.budget - approved_total(fund)
        if approved > left:
            currency = require_tenant().currency
            raise OverBudget(
                _("The fund has %(left)s left: approving %(amount)s would overspend it. Approve less, or raise "
                  "the budget first.") % {"left": format_money(max(left, Decimal("0")), currency),
                                          "amount": format_money(approved, currency)},
                extra={"remaining": str(max(left, Decimal("0.00")))},
            )  # fmt: skip
        _decide(locked, actor, DecisionStatus.APPROVED, approved, said)
        FundEvent.objects.create(
            fund=fund, request=locked, action=Action.REQUEST_APPROVED, from_status=DecisionStatus.SUBMITTED,
            to_status=DecisionStatus.APPROVED, amount=approved, actor=actor, note=said,
        )  # fmt: skip
        notices.request_decided(locked)
    return locked


def fund_request_reject(*, request: FundRequest, actor, reason: str) -> FundRequest:
    """Reject a request, saying why (the partner reads it)."""
    with transaction.atomic():
        locked = FundRequest.objects.select_for_update().select_related("partner").get(pk=request.pk)
        _decided(locked, "request")
        said = _reason(reason, required=True)
        _decide(locked, actor, DecisionStatus.REJECTED, None, said)
        FundEvent.objects.create(
            fund_id=locked.fund_id, request=locked, action=Action.REQUEST_REJECTED,
            from_status=DecisionStatus.SUBMITTED, to_status=DecisionStatus.REJECTED, actor=actor, note=said,
        )  # fmt: skip
        notices.request_decided(locked)
    return locked


def _decide(obj, actor, status: str, approved: Decimal | None, reason: str) -> list[str]:
    obj.status, obj.approved_amount, obj.decision_reason = status, approved, reason
    obj.decided_by, obj.decided_at = actor, timezone.now()
    fields = ["status", "approved_amount", "decision_reason", "decided_by", "decided_at", "updated_at"]
    if isinstance(obj, FundClaim):
        obj.decided_on = tenant_today(require_tenant())
        fields.append("decided_on")
    obj.save(update_fields=fields)
    return fields


# --- claims ---------------------------------------------------------------------------------------


def claimed_total(request: FundRequest) -> Decimal:
    """What the request's claims ask for or were granted, rejected claims aside."""
    claims = FundClaim.objects.filter(request=request).exclude(status=DecisionStatus.REJECTED)
    total = Decimal("0.00")
    for status, amount, approved in claims.values_list("status", "amount", "approved_amount"):
        total += approved if status == DecisionStatus.APPROVED else amount
    return total


def _proof_files(files: Sequence) -> list:
    files = [upload for upload in files or () if upload]
    if not files:
        raise ValidationError({"files": _("Attach at least one proof file (an invoice, photos, the attendee list).")})
    if len(files) > MAX_PROOF_FILES:
        raise ValidationError({"files": _("Attach at most %(limit)d files.") % {"limit": MAX_PROOF_FILES}})
    return files


@transaction.atomic
def fund_claim_submit(
    *, request: FundRequest, actor, amount: Decimal, files: Sequence, description: str = ""
) -> FundClaim:
    """The partner claims what it spent on an approved request, with proof; at most what was approved in all.

    The request's row is locked: two claims at once never add up to more than was approved.
    """
    locked = FundRequest.objects.select_for_update().select_related("fund", "partner").get(pk=request.pk)
    if locked.status != DecisionStatus.APPROVED:
        raise DecisionRefused(_("Only an approved request can be claimed."))
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Claim more than 0.00.")})
    files = _proof_files(files)
    claim = FundClaim(
        request=locked, partner=locked.partner, amount=amount, description=(description or "").strip(), claimed_by=actor
    )
    claim.full_clean(exclude=["tenant", "request", "partner"])
    left = locked.approved_amount - claimed_total(locked)
    if amount > left:
        currency = require_tenant().currency
        raise ValidationError(
            {"amount": _("At most what is left of the approved %(approved)s: %(left)s.")
                       % {"approved": format_money(locked.approved_amount, currency),
                          "left": format_money(max(left, Decimal("0")), currency)}}
        )  # fmt: skip
    proofs = []
    for upload in files:
        proof = ClaimFile(claim=claim, file=upload, original_filename=(getattr(upload, "name", "") or "")[:255],
                          uploaded_by=actor)  # fmt: skip
        try:
            proof.full_clean(exclude=["tenant", "claim"])
        except ValidationError as error:
            raise ValidationError({"files": error.message_dict.get("file", error.messages)}) from None
        proofs.append(proof)
    claim.save()
    for proof in proofs:
        proof.claim = claim
        proof.save()
    FundEvent.objects.create(
        fund=locked.fund, request=locked, claim=claim, action=Action.CLAIMED, to_status=DecisionStatus.SUBMITTED,
        amount=amount, actor=actor,
    )  # fmt: skip
    notices.claim_submitted(claim)
    return claim


def fund_claim_approve(*, claim: FundClaim, actor, amount: Decimal | None = None, reason: str = "") -> FundClaim:
    """Approve a claim for what it asks (or less, saying why): the next settlement run of a period
    containing today pays it, once, as an ``mdf`` line of the partner's statement."""
    with transaction.atomic():
        locked = FundClaim.objects.select_for_update().select_related("partner", "request").get(pk=claim.pk)
        _decided(locked, "claim")
        approved, said = _approved_amount(locked.amount, amount, reason, what=_("claimed"))
        _decide(locked, actor, DecisionStatus.APPROVED, approved, said)
        FundEvent.objects.create(
            fund_id=locked.request.fund_id, request=locked.request, claim=locked, action=Action.CLAIM_APPROVED,
            from_status=DecisionStatus.SUBMITTED, to_status=DecisionStatus.APPROVED, amount=approved, actor=actor,
            note=said,
        )  # fmt: skip
        notices.claim_decided(locked)
    return locked


def fund_claim_reject(*, claim: FundClaim, actor, reason: str) -> FundClaim:
    """Reject a claim, saying why; the partner may claim again (what is left of the request)."""
    with transaction.atomic():
        locked = FundClaim.objects.select_for_update().select_related("partner", "request").get(pk=claim.pk)
        _decided(locked, "claim")
        said = _reason(reason, required=True)
        _decide(locked, actor, DecisionStatus.REJECTED, None, said)
        FundEvent.objects.create(
            fund_id=locked.request.fund_id, request=locked.request, claim=locked, action=Action.CLAIM_REJECTED,
            from_status=DecisionStatus.SUBMITTED, to_status=DecisionStatus.REJECTED, actor=actor, note=said,
        )  # fmt: skip
        notices.claim_decided(locked)
    return locked


def proof_limits() -> str:
    accepted = ", ".join(settings.CONTRACT_ALLOWED_EXTENSIONS)
    limit = settings.CONTRACT_MAX_UPLOAD_BYTES // 1048576
    return _("Accepted: %(types)s; at most %(limit)s MB each, %(count)d files.") % {
        "types": accepted, "limit": limit, "count": MAX_PROOF_FILES,
    }  # fmt: skip
