"""Reads of due diligence: a partner's checklist, what a step still misses, and the pipeline's progress.

Whether an item is met is decided in one place, ``is_met``: by a person's tick, or, for an item
checked automatically, by the partner's own data as it stands today. The gate
(``missing_for``), a partner's checklist page and the pipeline page all ask it, so they never
disagree.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from common.dates import tenant_today
from partners.models import Contract, Partner, PartnerStatus
from partners.validators import validate_unified_social_credit_code
from partners.workflow import PIPELINE, gates_up_to, moves_from
from tenancy.context import require_tenant

from .models import AutomaticCheck, ChecklistItem, PartnerCheck, PartnerCheckEvent


def active_items() -> list[ChecklistItem]:
    """The tenant's checklist in use, in pipeline order (the step each gates), then in its own order."""
    items = list(ChecklistItem.objects.filter(is_active=True))
    return sorted(items, key=lambda item: (PIPELINE.index(item.gate), item.position, item.pk))


def tax_id_is_valid(tax_id: str) -> bool:
    if not tax_id:
        return False
    try:
        validate_unified_social_credit_code(tax_id)
    except ValidationError:
        return False
    return True


def with_contract_flag(partners: QuerySet, *, day) -> QuerySet:
    """Annotate ``has_contract``: the partner has a contract that has not ended by ``day``."""
    contracts = Contract.objects.filter(partner=OuterRef("pk"), ends_on__gte=day)
    return partners.annotate(has_contract=Exists(contracts))


def is_met(item: ChecklistItem, *, partner: Partner, ticked: set[int], has_contract: bool) -> bool:
    """Whether ``item`` is met for ``partner``: ticked by a person, or shown by the partner's own data."""
    if item.automatic_check == AutomaticCheck.TAX_ID:
        return tax_id_is_valid(partner.tax_id)
    if item.automatic_check == AutomaticCheck.CONTRACT:
        return has_contract
    if item.automatic_check == AutomaticCheck.CREDIT_LIMIT:
        return partner.credit_limit is not None
    return item.pk in ticked


def _ticked_items(partner_ids: Iterable[int]) -> dict[int, set[int]]:
    ticked: dict[int, set[int]] = defaultdict(set)
    rows = PartnerCheck.objects.filter(partner_id__in=list(partner_ids), is_ticked=True).values_list(
        "partner_id", "item_id"
    )
    for partner_id, item_id in rows:
        ticked[partner_id].add(item_id)
    return ticked


def _has_contract(partner: Partner) -> bool:
    flag = getattr(partner, "has_contract", None)
    if flag is not None:
        return flag
    return Contract.objects.filter(partner=partner, ends_on__gte=tenant_today(partner.tenant)).exists()


def missing_for(partner: Partner, status: str, *, items: list[ChecklistItem] | None = None) -> list[ChecklistItem]:
    """The required items not yet met that stand between ``partner`` and ``status``.

    Those of the step into ``status`` and of every step before it: a partner entering the pilot
    must have met what onboarding asked too (an item unticked since counts again).
    """
    gates = gates_up_to(status)
    if not gates:
        return []
    items = active_items() if items is None else items
    ticked = _ticked_items([partner.pk])[partner.pk]
    has_contract = _has_contract(partner)
    return [
        item
        for item in items
        if item.gate in gates
        and item.is_required
        and not is_met(item, partner=partner, ticked=ticked, has_contract=has_contract)
    ]


@dataclasses.dataclass(frozen=True)
class Standing:
    """One item on one partner's checklist: met or not, and how (a tick, or the partner's data)."""

    item: ChecklistItem
    check: PartnerCheck | None
    is_met: bool
    events: tuple[PartnerCheckEvent, ...]

    @property
    def evidence_event(self) -> PartnerCheckEvent | None:
        """The tick that stands, when it came with a file."""
        if self.check is None or not self.check.is_ticked:
            return None
        for event in self.events:
            if event.action == PartnerCheckEvent.Action.TICKED:
                return event if event.evidence else None
        return None


@dataclasses.dataclass(frozen=True)
class NextStep:
    """A step forward the partner may take, and what it still misses."""

    status: str
    label: str
    missing: tuple[ChecklistItem, ...]

    @property
    def is_ready(self) -> bool:
        return not self.missing


def checklist_of(partner: Partner) -> list[Standing]:
    """The partner's checklist in pipeline order, each item with its tick (if any) and its history."""
    items = active_items()
    events = PartnerCheckEvent.objects.select_related("actor").order_by("-created_at", "-id")
    checks = {
        check.item_id: check
        for check in PartnerCheck.objects.filter(partner=partner)
        .select_related("changed_by")
        .prefetch_related(Prefetch("events", queryset=events))
    }
    ticked = {item_id for item_id, check in checks.items() if check.is_ticked}
    has_contract = _has_contract(partner)
    return [
        Standing(
            item=item,
            check=checks.get(item.pk),
            is_met=is_met(item, partner=partner, ticked=ticked, has_contract=has_contract),
            events=tuple(checks[item.pk].events.all()) if item.pk in checks else (),
        )
        for item in items
    ]


def _forward(status: str, tenant) -> list[str]:
    """The steps forward along the pipeline from ``status`` (none once a partner has left it)."""
    if status not in PIPELINE:
        return []
    return [after for after in moves_from(status, tenant=tenant) if after in PIPELINE]


def next_steps(partner: Partner, *, items: list[ChecklistItem] | None = None) -> list[NextStep]:
    """The steps forward along the pipeline the partner may take now, each with what it still misses."""
    labels = dict(PartnerStatus.choices)
    items = active_items() if items is None else items
    return [
        NextStep(status=status, label=str(labels[status]), missing=tuple(missing_for(partner, status, items=items)))
        for status in _forward(partner.status, partner.tenant)
    ]


@dataclasses.dataclass(frozen=True)
class PipelineRow:
    """A partner on the pipeline page: how much of its checklist is met, and what its next step misses."""

    partner: Partner
    met: int
    required: int
    next_step: NextStep | None

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.required) if self.required else 100


def pipeline_rows(partners: list[Partner]) -> list[PipelineRow]:
    """Checklist progress of a page of partners (annotated by ``with_contract_flag``), in two queries.

    ``met`` of ``required``: the required items of every step up to activation that are met; the
    next step is the first one forward (the pilot, when the tenant lets partners skip it too).
    """
    tenant = require_tenant()
    labels = dict(PartnerStatus.choices)
    required = [item for item in active_items() if item.is_required]
    ticked = _ticked_items(partner.pk for partner in partners)
    rows = []
    for partner in partners:
        met = {
            item.pk
            for item in required
            if is_met(item, partner=partner, ticked=ticked[partner.pk], has_contract=partner.has_contract)
        }
        next_step = None
        if forward := _forward(partner.status, tenant):
            gates = gates_up_to(forward[0])
            missing = tuple(item for item in required if item.gate in gates and item.pk not in met)
            next_step = NextStep(status=forward[0], label=str(labels[forward[0]]), missing=missing)
        rows.append(PipelineRow(partner=partner, met=len(met), required=len(required), next_step=next_step))
    return rows
