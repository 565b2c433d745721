"""Writes for tiers, partners, contacts and contracts. One transaction each."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from common.dates import tenant_today
from common.errors import PermissionDenied
from common.parsing import ParseError, check_date
from diligence.selectors import missing_for
from tenancy.models import Membership, Tenant
from tenancy.roles import VENDOR_ROLES, Role

from . import workflow
from .errors import DiligenceIncomplete, StatusChangeRefused
from .models import Contact, Contract, Partner, PartnerStatus, StatusChange, Tier, TierChange
from .selectors import status_before_suspension, status_in_effect, tier_in_effect

DEFAULT_TIERS = (
    # code, Chinese, English, rank, min score
    ("core", "核心", "Core", 1, Decimal("80")),
    ("strategic", "战略", "Strategic", 2, Decimal("60")),
    ("ordinary", "普通", "Ordinary", 3, Decimal("0")),
)

PARTNER_FIELDS = (
    "code", "name", "kind", "region", "industries", "tags", "credit_limit", "pilot_credit_limit", "pilot_ends_on",
    "payment_terms_days", "tax_id", "manager", "joined_on", "internal_notes",
)  # fmt: skip


def tier_create_defaults(*, tenant: Tenant) -> list[Tier]:
    """核心 / 战略 / 普通, named in the tenant's language."""
    tiers = []
    for code, chinese, english, rank, min_score in DEFAULT_TIERS:
        name = chinese if tenant.language == Tenant.Language.ZH_HANS else english
        tier = Tier(tenant=tenant, code=code, name=name, rank=rank, min_score=min_score)
        tier.full_clean()
        tier.save()
        tiers.append(tier)
    return tiers


@transaction.atomic
def tier_create(*, code: str, name: str, rank: int, min_score: Decimal, benefits: str = "") -> Tier:
    tier = Tier(code=code, name=name, rank=rank, min_score=min_score, benefits=benefits)
    tier.full_clean(exclude=["tenant"])
    tier.save()
    return tier


@transaction.atomic
def tier_update(*, tier: Tier, **changes: Any) -> Tier:
    allowed = {"code", "name", "rank", "min_score", "benefits"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    for field, value in changes.items():
        setattr(tier, field, value)
    tier.full_clean(exclude=["tenant"])
    tier.save(update_fields=[*changes, "updated_at"])
    return tier


def _validate_manager(manager) -> None:
    if manager is None:
        return
    if not Membership.objects.filter(user=manager, role__in=sorted(VENDOR_ROLES), is_active=True).exists():
        raise ValidationError({"manager": _("The manager must be a vendor member of this tenant.")})


def _sync_portfolio(partner: Partner, old_manager, new_manager) -> None:
    """The partner's channel manager holds the portfolio permission on it (guardian)."""
    if old_manager is not None and old_manager != new_manager:
        remove_perm("partners.manage_partner", old_manager, partner)
    if new_manager is not None:
        assign_perm("partners.manage_partner", new_manager, partner)


@transaction.atomic
def partner_create(*, actor, tier: Tier, status: str = PartnerStatus.PROSPECT, **fields: Any) -> Partner:
    """Add a partner; it starts as a prospect unless created with another status.

    A partner created past the prospect stage is one the vendor already works with, brought in
    as it stands: like a load of back-dated history, only an administrator (or the system) does
    that; everyone else adds a prospect and takes it through due diligence.
    """
    unknown = set(fields) - set(PARTNER_FIELDS)
    if unknown:
        raise ValidationError({field: _("Unknown field.") for field in unknown})
    if status != PartnerStatus.PROSPECT and not _may_load_history(actor):
        raise ValidationError(
            {
                "status": _(
                    "Only an administrator adds a partner past the prospect stage; add it as a prospect "
                    "and take it through due diligence."
                )
            }
        )
    partner = Partner(tier=tier, status=status, **fields)
    if partner.tax_id:
        partner.tax_id = partner.tax_id.strip().upper()
    partner.full_clean(exclude=["tenant"])
    _validate_manager(partner.manager)
    partner.save()
    _sync_portfolio(partner, None, partner.manager)
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, actor, reason: str = "", **changes: Any) -> Partner:
    """Edit a partner. A change of tier or status is recorded in the history, effective today."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    new_tier = changes.pop("tier", None)
    new_status = changes.pop("status", None)
    unknown = set(changes) - set(PARTNER_FIELDS)
    if unknown:
        raise ValidationError({field: _("Unknown field.") for field in unknown})
    old_manager = partner.manager
    for field, value in changes.items():
        setattr(partner, field, value)
    if partner.tax_id:
        partner.tax_id = partner.tax_id.strip().upper()
    partner.full_clean(exclude=["tenant"])
    if "manager" in changes:
        _validate_manager(partner.manager)
    if changes:
        partner.save(update_fields=[*changes, "updated_at"])
    today = tenant_today(partner.tenant)
    if new_tier is not None and new_tier.pk != partner.tier_id:
        partner = partner_change_tier(partner=partner, tier=new_tier, effective_on=today, reason=reason, actor=actor)
    if new_status is not None and new_status != partner.status:
        partner = partner_change_status(
            partner=partner, status=new_status, effective_on=today, reason=reason, actor=actor
        )
    if "manager" in changes:
        _sync_portfolio(partner, old_manager, partner.manager)
    return partner


def _may_load_history(actor) -> bool:
    """The system (no actor: commands, the demo) and the tenant's administrators load history."""
    if actor is None:
        return True
    return Membership.objects.filter(user=actor, role=Role.ADMIN, is_active=True).exists()


def _check_effective_on(partner: Partner, effective_on: datetime.date) -> None:
    try:
        check_date(effective_on)
    except ParseError as error:
        raise ValidationError({"effective_on": error.message}) from None
    if effective_on > tenant_today(partner.tenant):
        raise ValidationError({"effective_on": _("A change cannot take effect in the future.")})


@transaction.atomic
def partner_change_tier(
    *,
    partner: Partner,
    tier: Tier,
    effective_on: datetime.date,
    reason: str = "",
    actor=None,
    score: Decimal | None = None,
) -> Partner:
    """Record a tier change (back-dated changes allowed: vendors load their history).

    The partner's current tier becomes the tier in effect today.
    """
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    _check_effective_on(partner, effective_on)
    if tier.tenant_id != partner.tenant_id:
        raise ValidationError({"tier": _("Unknown tier.")})
    before = tier_in_effect(partner, effective_on)
    if before.pk == tier.pk:
        raise ValidationError({"tier": _("The partner is already in this tier on that day.")})
    change = TierChange(
        partner=partner,
        from_tier=before,
        to_tier=tier,
        effective_on=effective_on,
        changed_by=actor,
        reason=reason,
        score=score,
    )
    change.full_clean(exclude=["tenant"])
    change.save()
    # A back-dated change slots in before later ones: the next one now starts from this tier.
    following = TierChange.objects.filter(partner=partner, effective_on__gt=effective_on)
    if (nxt := following.order_by("effective_on", "id").first()) is not None and nxt.from_tier_id != tier.pk:
        nxt.from_tier = tier
        nxt.save(update_fields=["from_tier", "updated_at"])
    current = tier_in_effect(partner, tenant_today(partner.tenant))
    if current.pk != partner.tier_id:
        partner.tier = current
        partner.save(update_fields=["tier", "updated_at"])
    return partner


@transaction.atomic
def partner_change_status(
    *,
    partner: Partner,
    status: str,
    effective_on: datetime.date,
    reason: str = "",
    actor=None,
    pilot_credit_limit: Decimal | None = None,
    pilot_ends_on: datetime.date | None = None,
    loading_history: bool = False,
) -> Partner:
    """Move a partner to another status, recorded in its history; the current status becomes the one in effect today.

    Every change of status comes here (the edit page, the status page, the API's PATCH and
    ``status/``), and here the workflow (``partners.workflow``) is applied: only the moves of its
    table; a step along the pipeline only once due diligence has met every required item of that
    step and the steps before it (``diligence.selectors.missing_for``); a reason to suspend or
    terminate; the pilot's credit limit and end date to enter the pilot (given here, or set on
    the partner already). Leaving the pilot clears nothing: its terms stay on the partner.

    ``loading_history``: an administrator (or the system) records what happened before Qudao,
    back-dated between changes already recorded, around the table and the checklist; the reason
    and the pilot's terms are still required.
    """
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    _check_effective_on(partner, effective_on)
    if status not in PartnerStatus.values:
        raise ValidationError({"status": _("Unknown status “%(status)s”.") % {"status": status}})
    reason = (reason or "").strip()
    if status in workflow.NEEDS_REASON and not reason:
        raise ValidationError({"reason": _("Say why: suspending or terminating a partner is kept in its history.")})
    if loading_history and not _may_load_history(actor):
        raise PermissionDenied(_("Only an administrator loads back-dated history."))
    if not loading_history:
        _check_not_before_last_change(partner, effective_on)
    before = status_in_effect(partner, effective_on)
    if before == status:
        raise ValidationError({"status": _("The partner already has this status on that day.")})
    if not loading_history:
        _check_move(partner, before, status)
    _set_pilot_terms(partner, status, effective_on, pilot_credit_limit, pilot_ends_on)
    change = StatusChange(
        partner=partner,
        from_status=before,
        to_status=status,
        effective_on=effective_on,
        changed_by=actor,
        reason=reason,
    )
    change.full_clean(exclude=["tenant"])
    change.save()
    following = StatusChange.objects.filter(partner=partner, effective_on__gt=effective_on)
    if (nxt := following.order_by("effective_on", "id").first()) is not None and nxt.from_status != status:
        nxt.from_status = status
        nxt.save(update_fields=["from_status", "updated_at"])
    current = status_in_effect(partner, tenant_today(partner.tenant))
    if current != partner.status:
        partner.status = current
        partner.clean()  # a partner now in its pilot has the pilot's terms (a history load checks it too)
        partner.save(update_fields=["status", "updated_at"])
    return partner


def _check_move(partner: Partner, before: str, status: str) -> None:
    """The workflow's table has this move, and due diligence allows a step forward (409 otherwise)."""
    returns_to = status_before_suspension(partner) if before == PartnerStatus.SUSPENDED else None
    if status not in workflow.moves_from(before, tenant=partner.tenant, returns_to=returns_to):
        raise StatusChangeRefused(workflow.refusal(before, status, tenant=partner.tenant, returns_to=returns_to))
    if workflow.is_gated(before, status) and (missing := missing_for(partner, status)):
        raise DiligenceIncomplete(
            _("%(status)s needs these checklist items first: %(missing)s.")
            % {"status": PartnerStatus(status).label, "missing": workflow.listed(item.name for item in missing)},
            extra={"missing": [{"code": item.code, "name": item.name, "gate": item.gate} for item in missing]},
        )


def _check_not_before_last_change(partner: Partner, effective_on: datetime.date) -> None:
    """A change slotted in before one already recorded rewrites the history: that is a history load."""
    last = StatusChange.objects.filter(partner=partner).order_by("-effective_on").values_list("effective_on", flat=True)
    if (latest := last.first()) is not None and effective_on < latest:
        raise ValidationError(
            {
                "effective_on": _(
                    "The partner's last status change took effect on %(day)s; an earlier change rewrites its "
                    "history, which only an administrator loading history does."
                )
                % {"day": latest.isoformat()}
            }
        )


def _set_pilot_terms(
    partner: Partner,
    status: str,
    effective_on: datetime.date,
    credit_limit: Decimal | None,
    ends_on: datetime.date | None,
) -> None:
    """Entering the pilot takes its credit limit and end date (given now, or on the partner already)."""
    if status != PartnerStatus.PILOT:
        terms = {"pilot_credit_limit": credit_limit, "pilot_ends_on": ends_on}
        given = [name for name, value in terms.items() if value is not None]
        if given:
            message = _("The pilot's terms are set when the partner enters the pilot.")
            raise ValidationError(dict.fromkeys(given, message))
        return
    changed = []
    if credit_limit is not None:
        partner.pilot_credit_limit = credit_limit
        changed.append("pilot_credit_limit")
    if ends_on is not None:
        partner.pilot_ends_on = ends_on
        changed.append("pilot_ends_on")
    errors = {}
    if partner.pilot_credit_limit is None:
        errors["pilot_credit_limit"] = _("Entering the pilot needs the pilot's credit limit.")
    if partner.pilot_ends_on is None:
        errors["pilot_ends_on"] = _("Entering the pilot needs the day the pilot ends.")
    elif partner.pilot_ends_on <= effective_on:
        errors["pilot_ends_on"] = _("The pilot must end after the day it starts (%(day)s).") % {
            "day": effective_on.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    if changed:
        partner.full_clean(exclude=["tenant"])
        partner.save(update_fields=[*changed, "updated_at"])


@transaction.atomic
def contact_create(*, partner: Partner, **fields: Any) -> Contact:
    contact = Contact(partner=partner, **fields)
    contact.full_clean(exclude=["tenant"])
    contact.save()
    return contact


@transaction.atomic
def contract_create(
    *,
    partner: Partner,
    number: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    terms: str = "",
    file=None,
) -> Contract:
    """A contract with its file; the file's type and size are checked before anything is stored."""
    contract = Contract(partner=partner, number=number, starts_on=starts_on, ends_on=ends_on, terms=terms)
    if file is not None:
        contract.file = file
        contract.original_filename = getattr(file, "name", "")[:255]
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("A contract cannot end before it starts.")})
    contract.full_clean(exclude=["tenant"])
    contract.save()
    return contract
