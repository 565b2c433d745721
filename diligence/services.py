"""Writes of due diligence: the tenant's checklist, and ticking or unticking a partner's items. One transaction each."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner
from tenancy.models import Tenant

from .models import AutomaticCheck, ChecklistItem, Gate, PartnerCheck, PartnerCheckEvent


class DefaultItem(NamedTuple):
    code: str
    name: tuple[str, str]  # Chinese, English
    description: tuple[str, str]
    gate: str
    is_required: bool = True
    evidence_required: bool = False
    automatic_check: str = ""


DEFAULT_ITEMS = (
    DefaultItem(
        "tax_id",
        ("统一社会信用代码核验", "Unified social credit code verified"),
        ("统一社会信用代码已录入且校验位正确。", "The unified social credit code is on file and valid."),
        Gate.ONBOARDING,
        automatic_check=AutomaticCheck.TAX_ID,
    ),
    DefaultItem(
        "references",
        ("背景与口碑调查", "References checked"),
        ("工商信息、历史合作案例与行业口碑已核实。", "Business registration, past partners and reputation checked."),
        Gate.PILOT,
    ),
    DefaultItem(
        "contract",
        ("合同已上传", "Contract uploaded"),
        ("已录入一份尚未到期的合同。", "A contract that has not ended is on file."),
        Gate.PILOT,
        automatic_check=AutomaticCheck.CONTRACT,
    ),
    DefaultItem(
        "credit_limit",
        ("信用额度已设定", "Credit limit set"),
        ("已为伙伴设定正式合作的信用额度。", "The partner's credit limit for full cooperation is set."),
        Gate.ACTIVE,
        automatic_check=AutomaticCheck.CREDIT_LIMIT,
    ),
    DefaultItem(
        "site_visit",
        ("实地考察", "Site visit"),
        ("拜访伙伴的办公与仓储场地，附考察报告。", "The partner's offices and warehouse visited; the report attached."),
        Gate.ACTIVE,
        is_required=False,
        evidence_required=True,
    ),
)

ITEM_FIELDS = ("name", "description", "gate", "is_required", "evidence_required", "automatic_check", "position",
               "is_active")  # fmt: skip


def checklist_create_defaults(*, tenant: Tenant) -> list[ChecklistItem]:
    """The default checklist of a new tenant, named in its language (the caller holds its scope)."""
    chinese = tenant.language == Tenant.Language.ZH_HANS
    items = []
    language = 0 if chinese else 1
    for position, default in enumerate(DEFAULT_ITEMS, start=1):
        item = ChecklistItem(
            tenant=tenant,
            code=default.code,
            name=default.name[language],
            description=default.description[language],
            gate=default.gate,
            is_required=default.is_required,
            evidence_required=default.evidence_required,
            automatic_check=default.automatic_check,
            position=position * 10,
        )
        item.full_clean()
        item.save()
        items.append(item)
    return items


@transaction.atomic
def checklist_item_create(*, code: str, name: str, gate: str, **fields: Any) -> ChecklistItem:
    """A new item of the tenant's checklist; it gates its step from now on, for every partner."""
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError({field: _("Unknown field.") for field in unknown})
    item = ChecklistItem(code=code, name=name, gate=gate, **fields)
    item.full_clean(exclude=["tenant"])
    item.save()
    return item


@transaction.atomic
def checklist_item_update(*, item: ChecklistItem, **changes: Any) -> ChecklistItem:
    """Change an item (its code stays: the API and past ticks name it). An item is retired, never deleted."""
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    for field, value in changes.items():
        setattr(item, field, value)
    item.full_clean(exclude=["tenant"])
    if changes:
        item.save(update_fields=[*changes, "updated_at"])
    return item


@transaction.atomic
def tenant_pilot_setting_update(*, tenant: Tenant, partners_may_skip_pilot: bool) -> Tenant:
    """Whether an onboarding partner may become active without a pilot stage."""
    tenant.partners_may_skip_pilot = partners_may_skip_pilot
    tenant.save(update_fields=["partners_may_skip_pilot"])
    return tenant


def _usable_item(item: ChecklistItem) -> None:
    if not item.is_active:
        raise ValidationError({"item": _("This item is no longer in use.")})
    if item.is_automatic:
        raise ValidationError(
            {"item": _("This item is checked automatically from the partner's data: it cannot be ticked by hand.")}
        )


def _lock_partner(partner: Partner) -> None:
    """Ticks wait for a status change of the partner under way (which locks it too), and the other way round:
    nobody unticks an item between the gate's look at the checklist and the move it allowed."""
    Partner.objects.select_for_update().filter(pk=partner.pk).values_list("pk", flat=True).get()


def _locked_check(partner: Partner, item: ChecklistItem) -> PartnerCheck:
    _lock_partner(partner)
    check, _created = PartnerCheck.objects.get_or_create(partner=partner, item=item)
    return check


@transaction.atomic
def partner_check_tick(*, partner: Partner, item: ChecklistItem, actor, note: str = "", evidence=None) -> PartnerCheck:
    """Tick one of the partner's items, with a note and, when the item asks for it, a file as evidence.

    The file is checked (type and size, as for contracts) before anything is stored.
    """
    _usable_item(item)
    note = (note or "").strip()
    if item.evidence_required and not evidence:
        raise ValidationError({"evidence": _("This item needs a file as evidence.")})
    check = _locked_check(partner, item)
    if check.is_ticked:
        raise ValidationError({"item": _("This item is ticked already; untick it first to tick it again.")})
    event = PartnerCheckEvent(partner_check=check, action=PartnerCheckEvent.Action.TICKED, actor=actor, note=note)
    if evidence:
        event.evidence = evidence
        event.original_filename = (getattr(evidence, "name", "") or "")[:255]
    event.full_clean(exclude=["tenant"])
    check.is_ticked, check.changed_by, check.changed_at, check.note = True, actor, timezone.now(), note
    check.full_clean(exclude=["tenant"])
    check.save(update_fields=["is_ticked", "changed_by", "changed_at", "note", "updated_at"])
    event.save()
    return check


@transaction.atomic
def partner_check_untick(*, partner: Partner, item: ChecklistItem, actor, reason: str) -> PartnerCheck:
    """Take a tick back, saying why: the tick, its evidence and the reason stay in the item's history."""
    _usable_item(item)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the item is unticked: it is kept in the history.")})
    _lock_partner(partner)
    check = PartnerCheck.objects.filter(partner=partner, item=item).first()
    if check is None or not check.is_ticked:
        raise ValidationError({"item": _("This item is not ticked.")})
    event = PartnerCheckEvent(partner_check=check, action=PartnerCheckEvent.Action.UNTICKED, actor=actor, note=reason)
    event.full_clean(exclude=["tenant"])
    check.is_ticked, check.changed_by, check.changed_at, check.note = False, actor, timezone.now(), reason
    check.full_clean(exclude=["tenant"])
    check.save(update_fields=["is_ticked", "changed_by", "changed_at", "note", "updated_at"])
    event.save()
    return check
