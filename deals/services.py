"""Writes of deal registration (SPEC §4.8): register, change, approve, reject, won, lost, expire; the settings.

A deal moves along this table, and nowhere else::

    (register) ──▶ submitted ──approve──▶ approved ──won──▶ won
                      │                     │ │
                      └──reject──▶ rejected ◀─┘ └──lost──▶ lost
                                            approved ──(nightly, protection ended)──▶ expired

Each move is one transaction that records a ``DealTransition`` (who, when, why) and tells whoever should
hear (``notices``) once it commits. Conflicts are looked for at registration and on every change; an
approval is refused (409) while another partner's approved deal protects the customer. Approvals of
one customer wait for each other (an advisory lock on its normal name and tax id), so two conflicting
deals are never approved at once.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.dates import tenant_today
from common.errors import NotFound, PermissionDenied
from common.parsing import CENT
from partners.models import Partner, PartnerStatus
from partners.validators import validate_unified_social_credit_code
from tenancy.context import require_tenant
from tenancy.models import Membership, Tenant
from tenancy.roles import Capability, role_can

from . import notices, selectors
from .errors import CustomerProtected, TransitionRefused
from .models import (
    PRODUCT_MAX_LENGTH,
    PRODUCTS_MAX,
    REASON_MAX_LENGTH,
    Deal,
    DealSettings,
    DealStatus,
    DealTransition,
)
from .normalise import normalise_customer, normalise_tax_id
from .selectors import Conflict

Action = DealTransition.Action
EDITABLE_FIELDS = ("customer", "customer_tax_id", "value", "expected_close", "products")
# Partners that may register deals: those the vendor works with, not prospects nor those that left.
REGISTERING_STATUSES = (PartnerStatus.ONBOARDING, PartnerStatus.PILOT, PartnerStatus.ACTIVE)


@dataclasses.dataclass(frozen=True)
class Registration:
    """A deal as registered or changed, with the conflicts found at that moment."""

    deal: Deal
    conflicts: list[Conflict]


# --- who may ------------------------------------------------------------------------------------


def _membership(actor) -> Membership:
    membership = (
        Membership.objects.select_related("partner").filter(user=actor, is_active=True).first()
        if actor is not None
        else None
    )
    if membership is None:
        raise NotFound(_("Not found."))
    return membership


def _may(actor, capability: str, partner_id: int) -> Membership:
    """The actor's membership, when it may do ``capability`` for a deal of ``partner_id`` (else 404 or 403)."""
    membership = _membership(actor)
    if membership.is_partner_side and membership.partner_id != partner_id:
        raise NotFound(_("Not found."))
    if not role_can(membership.role, capability):
        raise PermissionDenied(_("Your role may not do this."))
    return membership


# --- input --------------------------------------------------------------------------------------


def _text(value, field: str, *, required: bool, limit: int, message: str = "") -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        raise ValidationError({field: message or _("This field is required.")})
    if len(text) > limit:
        raise ValidationError(
            {
                field: _("Write at most %(limit)d characters (this has %(count)d).")
                % {"limit": limit, "count": len(text)}
            }
        )
    return text


def _products(products: Iterable[str] | None) -> list[str]:
    names: list[str] = []
    for product in products or ():
        name = (product or "").strip() if isinstance(product, str) else ""
        if not name or name in names:
            continue
        if len(name) > PRODUCT_MAX_LENGTH:
            raise ValidationError(
                {"products": _("A product's name has at most %(limit)d characters.") % {"limit": PRODUCT_MAX_LENGTH}}
            )
        names.append(name)
    if len(names) > PRODUCTS_MAX:
        raise ValidationError({"products": _("Name at most %(limit)d products.") % {"limit": PRODUCTS_MAX}})
    return names


def _checked(deal: Deal) -> None:
    deal.customer_key = normalise_customer(deal.customer)
    deal.customer_tax_id = normalise_tax_id(deal.customer_tax_id)
    if not deal.customer_key:
        raise ValidationError({"customer": _("Name the customer with at least one letter or digit.")})
    if len(deal.customer_tax_id) == 18:  # a mistyped unified social credit code would miss its conflicts
        try:
            validate_unified_social_credit_code(deal.customer_tax_id)
        except ValidationError as error:
            raise ValidationError({"customer_tax_id": error.messages}) from None
    if deal.value is None or deal.value < 0:
        raise ValidationError({"value": _("The value cannot be negative.")})
    deal.full_clean(exclude=["tenant", "registered_by", "decided_by"])


def _ids(conflicts: Iterable[Conflict]) -> list[int]:
    return [conflict.deal.pk for conflict in conflicts]


# --- register and change ------------------------------------------------------------------------


def deal_register(
    *,
    actor,
    partner: Partner,
    customer: str,
    value: Decimal,
    expected_close: datetime.date,
    customer_tax_id: str = "",
    products: Sequence[str] | None = None,
) -> Registration:
    """Register a deal for ``partner`` (a partner-side member its own; a vendor member on a partner's behalf).

    The answer lists the conflicts found (every matching deal of another partner that is submitted or
    approved and protected); those are told to the vendor and to this partner.
    """
    _may(actor, Capability.REGISTER_DEALS, partner.pk)
    if partner.status not in REGISTERING_STATUSES:
        raise ValidationError(
            {"partner": _("%(partner)s is %(status)s: only partners the vendor works with register deals.")
                        % {"partner": partner.code, "status": partner.get_status_display()}}
        )  # fmt: skip
    deal = Deal(
        partner=partner,
        customer=_text(customer, "customer", required=True, limit=Deal._meta.get_field("customer").max_length),
        customer_tax_id=_text(customer_tax_id, "customer_tax_id", required=False, limit=64),
        value=value,
        expected_close=expected_close,
        products=_products(products),
        registered_by=actor,
    )
    with transaction.atomic():
        _checked(deal)
        _lock_customer(deal.customer_key, deal.customer_tax_id)
        deal.save()
        day = tenant_today(require_tenant())
        conflicts = selectors.conflicts_of(deal, day=day)
        DealTransition.objects.create(
            deal=deal, action=Action.REGISTERED, to_status=deal.status, actor=actor,
            details={"conflicts": _ids(conflicts)},
        )  # fmt: skip
        notices.conflicts_announced(deal, conflicts)
    return Registration(deal=deal, conflicts=conflicts)


def deal_update(*, deal: Deal, actor, **changes) -> Registration:
    """Change a submitted deal (its customer, tax id, value, close, products) and look for conflicts again.

    Conflicts that were not there before are told as at registration. A deal the vendor has decided
    on no longer changes (409).
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in sorted(unknown)})
    _may(actor, Capability.REGISTER_DEALS, deal.partner_id)
    with transaction.atomic():
        locked = _locked(deal)
        if locked.status != DealStatus.SUBMITTED:
            raise TransitionRefused(_("Only a deal waiting for the vendor's decision can be changed."))
        day = tenant_today(require_tenant())
        before = set(_ids(selectors.conflicts_of(locked, day=day)))
        old = {field: getattr(locked, field) for field in EDITABLE_FIELDS}
        if "customer" in changes:
            locked.customer = _text(changes["customer"], "customer", required=True, limit=200)
        if "customer_tax_id" in changes:
            locked.customer_tax_id = _text(changes["customer_tax_id"], "customer_tax_id", required=False, limit=64)
        if "products" in changes:
            locked.products = _products(changes["products"])
        for field in ("value", "expected_close"):
            if field in changes:
                setattr(locked, field, changes[field])
        _checked(locked)
        changed = {
            field: [_shown(old[field]), _shown(getattr(locked, field))]
            for field in EDITABLE_FIELDS
            if old[field] != getattr(locked, field)
        }
        if not changed:
            return Registration(deal=locked, conflicts=selectors.conflicts_of(locked, day=day))
        _lock_customer(locked.customer_key, locked.customer_tax_id)
        locked.save(update_fields=[*EDITABLE_FIELDS, "customer_key", "updated_at"])
        conflicts = selectors.conflicts_of(locked, day=day)
        DealTransition.objects.create(
            deal=locked, action=Action.CHANGED, from_status=locked.status, to_status=locked.status, actor=actor,
            details={"changed": changed, "conflicts": _ids(conflicts)},
        )  # fmt: skip
        notices.conflicts_announced(locked, [c for c in conflicts if c.deal.pk not in before])
    return Registration(deal=locked, conflicts=conflicts)


def _shown(value) -> object:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# --- the vendor's decision ----------------------------------------------------------------------


def _locked(deal: Deal) -> Deal:
    locked = Deal.objects.select_for_update(of=("self",)).select_related("partner").filter(pk=deal.pk).first()
    if locked is None:
        raise NotFound(_("Not found."))
    return locked


def _lock_customer(key: str, tax_id: str) -> None:
    """Registrations and approvals of one customer (by name or tax id) wait for each other."""
    tenant_id = require_tenant().pk
    names = sorted({f"deals:{tenant_id}:name:{key}", *([f"deals:{tenant_id}:tax:{tax_id}"] if tax_id else [])})
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])


def _reason(value, *, message: str) -> str:
    return _text(value, "reason", required=True, limit=REASON_MAX_LENGTH, message=message)


def _event(deal: Deal, action: str, from_status: str, actor, note: str = "", **details) -> None:
    DealTransition.objects.create(
        deal=deal, action=action, from_status=from_status, to_status=deal.status, actor=actor, note=note,
        details=details,
    )  # fmt: skip


def deal_approve(*, deal: Deal, actor, note: str = "") -> Deal:
    """Approve a submitted deal: protected from other partners for the tenant's protection days from today.

    Refused (409, ``customer_protected``) while an approved, protected deal of another partner
    matches it: that one must be rejected, lost or expired first.
    """
    _may(actor, Capability.DECIDE_DEALS, deal.partner_id)
    note = _text(note, "note", required=False, limit=REASON_MAX_LENGTH)
    tenant = require_tenant()
    with transaction.atomic():
        _lock_customer(deal.customer_key, deal.customer_tax_id)
        locked = _locked(deal)
        if locked.status != DealStatus.SUBMITTED:
            raise TransitionRefused(_refusal(locked.status))
        day = tenant_today(tenant)
        conflicts = selectors.conflicts_of(locked, day=day)
        blocking = selectors.protected_conflicts(conflicts, day)
        if blocking:
            raise CustomerProtected(
                _("Another partner's approved deal protects this customer until %(day)s: reject it, or wait "
                  "until it is lost or expires.") % {"day": max(c.deal.protected_until for c in blocking).isoformat()},
                extra={"conflicts": [c.deal.pk for c in blocking]},
            )  # fmt: skip
        days = selectors.settings_of(tenant).protection_days
        locked.status, locked.decided_by, locked.decided_at = DealStatus.APPROVED, actor, timezone.now()
        locked.approved_on, locked.protected_until = day, day + datetime.timedelta(days=days)
        locked.save(
            update_fields=["status", "decided_by", "decided_at", "approved_on", "protected_until", "updated_at"]
        )
        _event(locked, Action.APPROVED, DealStatus.SUBMITTED, actor, note,
               protected_until=locked.protected_until.isoformat(), protection_days=days,
               conflicts=_ids(conflicts))  # fmt: skip
        notices.decision_announced(locked)
    return locked


def _refusal(status: str) -> str:
    return {
        DealStatus.APPROVED: _("This deal is approved already."),
        DealStatus.REJECTED: _("This deal was rejected."),
        DealStatus.WON: _("This deal is won: it is closed."),
        DealStatus.LOST: _("This deal is lost: it is closed."),
        DealStatus.EXPIRED: _("This deal's protection has expired: it is closed."),
    }.get(status, _("This deal cannot be changed now."))


def deal_reject(*, deal: Deal, actor, reason: str) -> Deal:
    """Reject a submitted deal, or take an approved one's protection back, saying why (the partner hears it)."""
    _may(actor, Capability.DECIDE_DEALS, deal.partner_id)
    reason = _reason(reason, message=_("Say why the deal is rejected: the partner reads it."))
    with transaction.atomic():
        locked = _locked(deal)
        if locked.status not in (DealStatus.SUBMITTED, DealStatus.APPROVED):
            raise TransitionRefused(_refusal(locked.status))
        from_status = locked.status
        locked.status, locked.rejection_reason = DealStatus.REJECTED, reason
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at", "updated_at"])
        _event(locked, Action.REJECTED, from_status, actor, reason)
        notices.decision_announced(locked)
    return locked


def deal_win(*, deal: Deal, actor, amount: Decimal) -> Deal:
    """An approved deal won, for ``amount`` (more than zero)."""
    _may(actor, Capability.REGISTER_DEALS, deal.partner_id)
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("The amount won must be more than zero.")})
    amount = amount.quantize(CENT)
    with transaction.atomic():
        locked = _locked(deal)
        if locked.status != DealStatus.APPROVED:
            raise TransitionRefused(_only_approved(locked.status))
        locked.status, locked.won_amount = DealStatus.WON, amount
        locked.closed_on = tenant_today(require_tenant())
        locked.save(update_fields=["status", "won_amount", "closed_on", "updated_at"])
        _event(locked, Action.WON, DealStatus.APPROVED, actor, amount=f"{amount:.2f}")
    return locked


def deal_lose(*, deal: Deal, actor, reason: str) -> Deal:
    """An approved deal lost, saying why."""
    _may(actor, Capability.REGISTER_DEALS, deal.partner_id)
    reason = _reason(reason, message=_("Say why the deal was lost."))
    with transaction.atomic():
        locked = _locked(deal)
        if locked.status != DealStatus.APPROVED:
            raise TransitionRefused(_only_approved(locked.status))
        locked.status, locked.lost_reason = DealStatus.LOST, reason
        locked.closed_on = tenant_today(require_tenant())
        locked.save(update_fields=["status", "lost_reason", "closed_on", "updated_at"])
        _event(locked, Action.LOST, DealStatus.APPROVED, actor, reason)
    return locked


def _only_approved(status: str) -> str:
    if status == DealStatus.SUBMITTED:
        return _("The vendor has not approved this deal yet: only an approved deal is won or lost.")
    return _refusal(status)


# --- the nightly expiry -------------------------------------------------------------------------

EXPIRE_SQL = """
WITH expired AS (
    UPDATE deals_deal
    SET status = 'expired', closed_on = %(day)s, updated_at = now()
    WHERE tenant_id = %(tenant)s AND status = 'approved' AND protected_until < %(day)s
    RETURNING id, protected_until
)
INSERT INTO deals_dealtransition (tenant_id, created_at, updated_at, deal_id, action, from_status, to_status,
                             actor_id, day, note, details)
SELECT %(tenant)s, now(), now(), id, 'expired', 'approved', 'expired', NULL, %(day)s, '',
       jsonb_build_object('protected_until', protected_until)
FROM expired
"""


def deals_expire(*, day: datetime.date) -> dict:
    """Expire the approved deals whose protection ended before ``day`` (the nightly step).

    One statement whatever the number of deals and partners; the same day run twice expires nothing
    the second time.
    """
    tenant = require_tenant()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(EXPIRE_SQL, {"tenant": tenant.pk, "day": day})
        expired = cursor.rowcount
    return {"expired": max(expired, 0)}


# --- settings -----------------------------------------------------------------------------------


def deal_settings_update(*, tenant: Tenant, actor, protection_days: int) -> DealSettings:
    """Set how many days an approval protects a deal; deals approved before keep the protection they got."""
    with transaction.atomic():
        settings = selectors.settings_of(tenant)
        settings = DealSettings.objects.select_for_update().get(pk=settings.pk)
        settings.protection_days, settings.changed_by = protection_days, actor
        settings.full_clean(exclude=["tenant", "changed_by"])
        settings.save(update_fields=["protection_days", "changed_by", "updated_at"])
    return settings
