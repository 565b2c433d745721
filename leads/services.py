"""Writes of lead distribution: leads made (one or a batch) and offered, answered, lapsed, assigned by hand, closed.

Each public function is one transaction. Distribution takes a per-tenant advisory lock first, so two
batches never count the same partner's open leads at once (the cap would be passed). A batch is a
fixed number of statements whatever its size: its inputs come from ``inputs.gather``, its decisions
from the pure ``distribution.distribute``, its rows are written with ``bulk_create``/``bulk_update``.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.progress import progress_publish
from partners.models import Partner, PartnerStatus
from tenancy.context import require_tenant

from . import bulk, distribution, imports, notices
from .errors import AnswerTooLate, LeadMoveRefused
from .inputs import gather, open_leads_of, settings_of_tenant
from .models import (
    REASON_MAX_LENGTH,
    Assignment,
    Lead,
    LeadEvent,
    LeadImportJob,
    LeadSettings,
    LeadStatus,
    Outcome,
    Rule,
    Trigger,
)

logger = logging.getLogger(__name__)

LEAD_FIELDS = ("company", "region", "industry", "value", "contact", "description")
BULK_BATCH = 1000
ASSIGNMENT_COLUMNS = ("lead_id", "partner_id", "rule", "trigger", "candidates", "cap", "unassigned_reason",
                      "offered_at", "due_at", "outcome", "outcome_reason", "actor_id")  # fmt: skip

# The moves a lead may make (besides being offered by the rules), and the action that records each.
MOVES: dict[str, dict[str, str]] = {
    LeadEvent.Action.ACCEPTED: {LeadStatus.OFFERED: LeadStatus.ACCEPTED},
    LeadEvent.Action.WON: {LeadStatus.ACCEPTED: LeadStatus.WON},
    LeadEvent.Action.LOST: {LeadStatus.ACCEPTED: LeadStatus.LOST},
}


@dataclasses.dataclass(frozen=True)
class Distributed:
    """What one distribution did: the leads offered, those left unassigned, and the offers it made."""

    offered: int
    unassigned: int
    assignments: list[Assignment]


def _lock_distribution() -> None:
    """One distribution at a time per tenant, until the transaction ends (the cap and the rotation hold)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"leads:distribute:{require_tenant().pk}"])


def _distribute(
    leads: Sequence[Lead], *, trigger: str, actor, now: datetime.datetime, notify: bool = True
) -> Distributed:
    """Offer ``leads`` (saved, unassigned or coming back) by the rules, in order; the caller holds the lock."""
    if not leads:
        return Distributed(0, 0, [])
    lead_settings = settings_of_tenant()
    found = gather(lead.pk for lead in leads)
    decisions = distribution.distribute(
        [
            distribution.LeadIn(
                key=lead.pk, region=lead.region, industry=lead.industry, refused=found.refused.get(lead.pk, {})
            )
            for lead in leads
        ],
        found.partners,
        cap=lead_settings.cap,
        open_leads=found.open_leads,
        last_offered=found.last_offered,
    )
    due_at = now + datetime.timedelta(hours=lead_settings.sla_hours)
    assignments, events = [], []
    for lead, decision in zip(leads, decisions, strict=True):
        before = lead.status
        lead.updated_at = now
        assignments.append(
            Assignment(
                lead=lead,
                partner_id=decision.partner_id,
                rule=decision.rule,
                trigger=trigger,
                candidates=[candidate.as_dict() for candidate in decision.candidates],
                cap=lead_settings.cap,
                unassigned_reason=decision.unassigned_reason,
                offered_at=now,
                due_at=due_at if decision.is_assigned else None,
                outcome=Outcome.PENDING if decision.is_assigned else Outcome.UNASSIGNED,
                actor=actor,
            )
        )
        if decision.is_assigned:
            lead.status, lead.partner_id, lead.offered_at, lead.due_at = (
                LeadStatus.OFFERED, decision.partner_id, now, due_at,
            )  # fmt: skip
            lead.unassigned_reason = ""
            action = LeadEvent.Action.OFFERED
        else:
            lead.status, lead.partner_id, lead.offered_at, lead.due_at = LeadStatus.UNASSIGNED, None, None, None
            lead.unassigned_reason = decision.unassigned_reason
            action = LeadEvent.Action.UNASSIGNED
        events.append(
            LeadEvent(
                lead=lead, action=action, from_status=before, to_status=lead.status, partner_id=lead.partner_id,
                actor=actor, note=trigger,
            )
        )  # fmt: skip
    Assignment.objects.bulk_create(assignments, batch_size=BULK_BATCH)
    _write_offers(leads, now)
    LeadEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
    offered = [assignment for assignment in assignments if assignment.partner_id is not None]
    if notify and offered:
        notices.leads_offered([assignment.pk for assignment in offered])
    return Distributed(offered=len(offered), unassigned=len(assignments) - len(offered), assignments=assignments)


def _write_offers(leads: Sequence[Lead], now: datetime.datetime) -> None:
    """Each lead's new status, partner and times in one statement (``bulk_update`` builds a CASE per row and field,
    which takes most of a minute for 10,000 leads)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Lead._meta.db_table} AS lead SET status = v.status, partner_id = v.partner_id, "
            "offered_at = v.offered_at, due_at = v.due_at, unassigned_reason = v.reason, updated_at = %s "
            "FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::timestamptz[], %s::timestamptz[], %s::text[]) "
            "AS v(id, status, partner_id, offered_at, due_at, reason) "
            "WHERE lead.id = v.id AND lead.tenant_id = %s",
            [
                now,
                [lead.pk for lead in leads],
                [lead.status for lead in leads],
                [lead.partner_id for lead in leads],
                [lead.offered_at for lead in leads],
                [lead.due_at for lead in leads],
                [lead.unassigned_reason for lead in leads],
                require_tenant().pk,
            ],
        )


def _clean_lead(fields: dict) -> Lead:
    unknown = set(fields) - set(LEAD_FIELDS)
    if unknown:
        raise ValidationError({field: _("Unknown field.") for field in sorted(unknown)})
    lead = Lead(**fields)
    for name in ("company", "region", "industry", "contact"):
        setattr(lead, name, (getattr(lead, name) or "").strip())
    lead.full_clean(exclude=["tenant", "status", "partner"])
    return lead


def _created(leads: list[Lead], actor, now: datetime.datetime) -> None:
    for lead in leads:
        lead.created_by = actor
    Lead.objects.bulk_create(leads, batch_size=BULK_BATCH)
    LeadEvent.objects.bulk_create(
        [
            LeadEvent(lead=lead, action=LeadEvent.Action.CREATED, to_status=LeadStatus.UNASSIGNED, actor=actor)
            for lead in leads
        ],
        batch_size=BULK_BATCH,
    )


@transaction.atomic
def lead_create(*, actor, company: str, region: str, industry: str, value: Decimal = Decimal("0.00"), **fields) -> Lead:
    """A new lead, offered at once by the rules; the answer carries its first assignment (``lead.assignment``)."""
    lead = _clean_lead(dict(company=company, region=region, industry=industry, value=value, **fields))
    now = timezone.now()
    _lock_distribution()
    _created([lead], actor, now)
    done = _distribute([lead], trigger=Trigger.CREATED, actor=actor, now=now)
    lead.assignment = done.assignments[0]
    return lead


@transaction.atomic
def leads_create_batch(
    *, actor, rows: Iterable[dict], now: datetime.datetime | None = None, progress=None
) -> Distributed:
    """Many leads at once (an upload), all made and then distributed in the order given, each seeing the ones before.

    ``rows`` are clean (``imports.validate_leads``): company, region, industry, value and the optional fields.
    Set-based: the rules decide first (new leads have no refusals to gather), then each lead is written once
    with its offer, and the leads, their assignments and their events go in two statements each, the
    notices in a fixed number: the queries do not grow with the rows. ``progress(share)`` hears how far it got.
    """
    leads = [Lead(**{name: row.get(name) if row.get(name) is not None else "" for name in LEAD_FIELDS}) for row in rows]
    for lead in leads:
        if lead.value in ("", None):
            lead.value = Decimal("0.00")
    if not leads:
        return Distributed(0, 0, [])
    now = now or timezone.now()  # a moment in the past only for the demo's history
    _lock_distribution()
    lead_settings = settings_of_tenant()
    found = gather(())
    decisions = distribution.distribute(
        [distribution.LeadIn(key=n, region=lead.region, industry=lead.industry) for n, lead in enumerate(leads)],
        found.partners,
        cap=lead_settings.cap,
        open_leads=found.open_leads,
        last_offered=found.last_offered,
    )
    if progress is not None:
        progress(0.6)
    due_at = now + datetime.timedelta(hours=lead_settings.sla_hours)
    actor_id = getattr(actor, "pk", None)
    lead_ids = bulk.reserve_ids(Lead, len(leads))
    assignment_ids = bulk.reserve_ids(Assignment, len(leads))
    assignments = []
    for lead, lead_id, assignment_id, decision in zip(leads, lead_ids, assignment_ids, decisions, strict=True):
        lead.pk, lead.created_by_id, lead.tenant_id = lead_id, actor_id, require_tenant().pk
        if decision.is_assigned:
            lead.status, lead.partner_id, lead.offered_at, lead.due_at = (
                LeadStatus.OFFERED, decision.partner_id, now, due_at,
            )  # fmt: skip
        else:
            lead.status, lead.partner_id = LeadStatus.UNASSIGNED, None
            lead.unassigned_reason = decision.unassigned_reason
        assignments.append(
            Assignment(
                pk=assignment_id,
                lead=lead,
                partner_id=decision.partner_id,
                rule=decision.rule,
                trigger=Trigger.CREATED,
                candidates=[candidate.as_dict() for candidate in decision.candidates],
                cap=lead_settings.cap,
                unassigned_reason=decision.unassigned_reason,
                offered_at=now,
                due_at=due_at if decision.is_assigned else None,
                outcome=Outcome.PENDING if decision.is_assigned else Outcome.UNASSIGNED,
                actor_id=actor_id,
                outcome_reason="",
            )
        )
    bulk.insert_rows(
        Lead,
        lead_ids,
        {
            **{name: [getattr(lead, name) for lead in leads] for name in LEAD_FIELDS},
            **{
                name: [getattr(lead, name) for lead in leads]
                for name in ("status", "partner_id", "offered_at", "due_at", "unassigned_reason", "created_by_id")
            },
        },
    )
    if progress is not None:
        progress(0.75)
    bulk.insert_rows(
        Assignment,
        assignment_ids,
        {name: [getattr(assignment, name) for assignment in assignments] for name in ASSIGNMENT_COLUMNS},
    )
    # Each lead's two events, as one at a time makes them: created (all first), then offered or left unassigned.
    created = [(lead.pk, LeadEvent.Action.CREATED, "", LeadStatus.UNASSIGNED, None, "") for lead in leads]
    moved = [
        (
            lead.pk,
            LeadEvent.Action.OFFERED if lead.status == LeadStatus.OFFERED else LeadEvent.Action.UNASSIGNED,
            LeadStatus.UNASSIGNED,
            lead.status,
            lead.partner_id,
            Trigger.CREATED,
        )
        for lead in leads
    ]
    events = created + moved
    bulk.insert_rows(
        LeadEvent,
        bulk.reserve_ids(LeadEvent, len(events)),
        {
            "lead_id": [event[0] for event in events],
            "action": [event[1] for event in events],
            "from_status": [event[2] for event in events],
            "to_status": [event[3] for event in events],
            "partner_id": [event[4] for event in events],
            "actor_id": [actor_id] * len(events),
            "note": [event[5] for event in events],
        },
    )
    if progress is not None:
        progress(0.9)
    offered = [assignment for assignment in assignments if assignment.partner_id is not None]
    if offered:
        notices.leads_offered([assignment.pk for assignment in offered])
    return Distributed(offered=len(offered), unassigned=len(assignments) - len(offered), assignments=assignments)


def _locked(lead: Lead) -> Lead:
    return Lead.objects.select_for_update().get(pk=lead.pk)


def _pending(lead: Lead) -> Assignment | None:
    return Assignment.objects.filter(lead=lead, outcome=Outcome.PENDING).order_by("-offered_at", "-id").first()


def _event(lead: Lead, action: str, before: str, *, actor, note: str = "", partner_id=None) -> LeadEvent:
    event = LeadEvent(
        lead=lead, action=action, from_status=before, to_status=lead.status, actor=actor, note=note,
        partner_id=partner_id if partner_id is not None else lead.partner_id,
    )  # fmt: skip
    event.save()
    return event


def _move(lead: Lead, action: str, *, actor, note: str = "") -> Lead:
    """The one transition of a lead's own moves (accept, win, lose): refused unless ``MOVES`` allows it."""
    before = lead.status
    after = MOVES[action].get(before)
    if after is None:
        raise LeadMoveRefused(
            _("This lead is %(status)s: it cannot be %(action)s.")
            % {"status": lead.get_status_display(), "action": LeadEvent.Action(action).label.lower()}
        )
    lead.status = after
    _event(lead, action, before, actor=actor, note=note)
    return lead


def _reason(reason: str, *, required: bool, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({field: _("Say why: it is kept in the lead's history.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({field: _("At most %(limit)d characters.") % {"limit": REASON_MAX_LENGTH}})
    return reason


def _offered_to(lead: Lead, partner: Partner | None) -> None:
    if lead.status != LeadStatus.OFFERED:
        raise LeadMoveRefused(
            _("This lead is %(status)s: only an offered lead can be answered.") % {"status": lead.get_status_display()}
        )
    if partner is not None and lead.partner_id != partner.pk:
        raise LeadMoveRefused(_("This lead is offered to another partner."))


@transaction.atomic
def lead_accept(*, lead: Lead, actor, partner: Partner, now: datetime.datetime | None = None) -> Lead:
    """The partner takes the offered lead on, within the time to answer."""
    lead = _locked(lead)
    _offered_to(lead, partner)
    now = now or timezone.now()
    if lead.due_at is not None and lead.due_at <= now:
        raise AnswerTooLate(_("The time to answer this offer has passed; the lead moves on to the next partner."))
    _move(lead, LeadEvent.Action.ACCEPTED, actor=actor)
    lead.accepted_at = now
    lead.save(update_fields=["status", "accepted_at", "updated_at"])
    Assignment.objects.filter(lead=lead, outcome=Outcome.PENDING).update(
        outcome=Outcome.ACCEPTED, outcome_at=now, outcome_by=actor
    )
    return lead


@transaction.atomic
def lead_decline(*, lead: Lead, actor, partner: Partner, reason: str, now: datetime.datetime | None = None) -> Lead:
    """The partner turns the offer down, saying why; the lead goes to the next partner by the same rules."""
    reason = _reason(reason, required=True)
    lead = _locked(lead)
    _offered_to(lead, partner)
    now = now or timezone.now()
    Assignment.objects.filter(lead=lead, outcome=Outcome.PENDING).update(
        outcome=Outcome.DECLINED, outcome_at=now, outcome_by=actor, outcome_reason=reason
    )
    _event(lead, LeadEvent.Action.DECLINED, lead.status, actor=actor, note=reason)
    _lock_distribution()
    _distribute([lead], trigger=Trigger.DECLINED, actor=actor, now=now)
    notices.lead_declined(lead.pk, partner.pk, reason)
    return lead


@transaction.atomic
def leads_lapse(*, now: datetime.datetime | None = None) -> dict:
    """Every offer not answered in time lapses, and its lead goes to the next partner (the periodic task, nightly too).

    Idempotent: a second run finds nothing past its time. A fixed number of statements however many lapse.
    """
    now = now or timezone.now()
    _lock_distribution()
    leads = list(
        Lead.objects.select_for_update().filter(status=LeadStatus.OFFERED, due_at__lte=now).order_by("due_at", "id")
    )
    if not leads:
        return {"lapsed": 0, "offered": 0, "unassigned": 0}
    lapsed = {lead.pk: lead.partner_id for lead in leads}
    Assignment.objects.filter(lead_id__in=list(lapsed), outcome=Outcome.PENDING).update(
        outcome=Outcome.LAPSED, outcome_at=now
    )
    LeadEvent.objects.bulk_create(
        [
            LeadEvent(
                lead=lead, action=LeadEvent.Action.LAPSED, from_status=LeadStatus.OFFERED,
                to_status=LeadStatus.OFFERED, partner_id=lead.partner_id, actor=None,
            )
            for lead in leads
        ],
        batch_size=BULK_BATCH,
    )  # fmt: skip
    done = _distribute(leads, trigger=Trigger.LAPSED, actor=None, now=now)
    notices.leads_lapsed(list(lapsed.items()))
    return {"lapsed": len(leads), "offered": done.offered, "unassigned": done.unassigned}


@transaction.atomic
def lead_assign(*, lead: Lead, actor, partner: Partner | None = None, note: str = "") -> Lead:
    """A person offers the lead to ``partner`` (any active partner, over its cap too), or, with no partner, has the
    rules distribute it again (a lead left unassigned, after new partners joined). An offer still waiting is withdrawn.
    """
    note = _reason(note, required=False, field="note")
    lead = _locked(lead)
    if lead.status not in (LeadStatus.UNASSIGNED, LeadStatus.OFFERED):
        raise LeadMoveRefused(
            _("This lead is %(status)s: only an unassigned or offered lead can be assigned.")
            % {"status": lead.get_status_display()}
        )
    if partner is not None and partner.status != PartnerStatus.ACTIVE:
        raise ValidationError({"partner": _("Only an active partner can be offered a lead.")})
    now = timezone.now()
    Assignment.objects.filter(lead=lead, outcome=Outcome.PENDING).update(
        outcome=Outcome.WITHDRAWN, outcome_at=now, outcome_by=actor, outcome_reason=note
    )
    _lock_distribution()
    if partner is None:
        _distribute([lead], trigger=Trigger.REDISTRIBUTED, actor=actor, now=now)
        return lead
    lead_settings = settings_of_tenant()
    score = gather_score(partner)
    held = open_leads_of([partner.pk]).get(partner.pk, 0) - (1 if lead.partner_id == partner.pk else 0)
    due_at = now + datetime.timedelta(hours=lead_settings.sla_hours)
    candidate = distribution.Considered(partner.pk, partner.code, score, held, distribution.CHOSEN)
    assignment = Assignment(
        lead=lead, partner=partner, rule=Rule.MANUAL, trigger=Trigger.MANUAL, candidates=[candidate.as_dict()],
        cap=lead_settings.cap, offered_at=now, due_at=due_at, actor=actor, outcome_reason="",
    )  # fmt: skip
    assignment.save()
    before = lead.status
    lead.status, lead.partner, lead.offered_at, lead.due_at, lead.unassigned_reason = (
        LeadStatus.OFFERED, partner, now, due_at, "",
    )  # fmt: skip
    lead.save(update_fields=["status", "partner", "offered_at", "due_at", "unassigned_reason", "updated_at"])
    _event(lead, LeadEvent.Action.ASSIGNED, before, actor=actor, note=note)
    notices.leads_offered([assignment.pk])
    return lead


def gather_score(partner: Partner) -> Decimal:
    from scoring.models import PartnerScore

    latest = PartnerScore.objects.filter(partner=partner).order_by("-day").values_list("score", flat=True).first()
    return latest if latest is not None else distribution.ZERO


@transaction.atomic
def lead_close(
    *,
    lead: Lead,
    actor,
    won: bool,
    partner: Partner | None = None,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Lead:
    """An accepted lead ends: won or lost (with a reason, optional). ``partner``: the acting partner-side member's."""
    reason = _reason(reason, required=False)
    lead = _locked(lead)
    if partner is not None and lead.partner_id != partner.pk:
        raise LeadMoveRefused(_("This lead is offered to another partner."))
    _move(lead, LeadEvent.Action.WON if won else LeadEvent.Action.LOST, actor=actor, note=reason)
    lead.closed_at = now or timezone.now()
    lead.save(update_fields=["status", "closed_at", "updated_at"])
    return lead


@transaction.atomic
def lead_settings_update(*, actor, cap: int, sla_hours: int) -> LeadSettings:
    """The tenant's cap of open leads per partner and hours to answer; they apply from the next distribution."""
    found = LeadSettings.objects.select_for_update().filter(pk=settings_of_tenant().pk).get()
    found.cap, found.sla_hours, found.changed_by = cap, sla_hours, actor
    found.full_clean(exclude=["tenant"])
    found.save(update_fields=["cap", "sla_hours", "changed_by", "updated_at"])
    return found


class LeadBatchRejected(ApplicationError):
    """An upload with any bad row or cell: nothing was made; ``errors`` lists every problem with its row and column."""

    code = "batch_rejected"

    def __init__(self, errors: list[dict], error_count: int):
        super().__init__(
            _("The file was rejected: %(count)d error(s); no lead was made.") % {"count": error_count},
            extra={"errors": errors, "error_count": error_count},
        )
        self.errors = errors
        self.error_count = error_count


def _refuse_before_storing(upload) -> str:
    """The checks made before a file is stored: its type by name and its size; its name when it passes."""
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith((".csv", ".xlsx")):
        raise ApplicationError(_("Upload a .csv or .xlsx file."))
    if upload.size > imports.MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": f"{upload.size / 1048576:.1f}",
                "limit": f"{imports.MAX_UPLOAD_BYTES / 1048576:.0f}",
            }
        )
    return name


def lead_import_start(*, actor, upload) -> LeadImportJob:
    """Store an uploaded file of leads and import it: at once when small, as a task with progress when large.

    Small is the facts' measure (``FACTS_SYNC_IMPORT_BYTES`` of the file's real size): the web request
    never reads a bigger file. Either way the import is all or nothing (``lead_import_run``).
    """
    from facts.services import run_now_or_queue

    from .tasks import run_lead_import_job

    name = _refuse_before_storing(upload)
    job = LeadImportJob(file=upload, original_filename=name[:255], uploaded_by=actor)
    job.save()
    return run_now_or_queue(job, run=lead_import_run, task=run_lead_import_job)


def lead_import_run(*, job: LeadImportJob) -> LeadImportJob:
    """Import a stored file of leads: read and check every cell with progress, then make and distribute them all.

    The facts' job runner (``facts.services.run_stored_job``): only a pending job runs, the import is one
    transaction with the job's success, and any failure ends the job ``failed`` with its reasons, nothing made.
    """
    from facts.services import run_stored_job

    return run_stored_job(job, _import_leads, rejected=LeadBatchRejected)


def _import_leads(job: LeadImportJob, headers: dict[str, str]) -> None:
    from facts.services import JobNoLongerRunning

    with job.file.open("rb") as handle:
        rows = list(imports.read_upload(job.original_filename, handle, headers))
    # Also takes the job's row lock for the whole import: lead_import_jobs_expire skips a job being imported.
    LeadImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows), updated_at=Now())
    total = len(rows)

    def progress(share: float) -> None:
        progress_publish(
            tenant_id=job.tenant_id, kind=LeadImportJob.PROGRESS_KIND, pk=job.pk, done=int(total * share), total=total
        )

    progress(0)
    clean, errors, count = imports.validate_leads(rows)
    if count:
        raise LeadBatchRejected([error.as_dict() for error in errors], count)
    if not clean:
        raise LeadBatchRejected([{"row": 0, "field": "", "message": _("The file has no leads.")}], 1)
    progress(0.3)  # checked; what is left is made and distributed in a fixed number of statements
    done = leads_create_batch(actor=job.uploaded_by, rows=clean, progress=progress)
    finished = LeadImportJob.objects.filter(pk=job.pk, status=LeadImportJob.Status.RUNNING).update(
        status=LeadImportJob.Status.SUCCEEDED,
        offered_count=done.offered,
        unassigned_count=done.unassigned,
        processed_rows=total,
        headers=headers,
        finished_at=timezone.now(),
        updated_at=Now(),
    )
    if not finished:
        raise JobNoLongerRunning


def lead_import_jobs_expire(*, now: datetime.datetime | None = None) -> int:
    """Fail the tenant's lead uploads that showed no sign of life for ``FACTS_IMPORT_TIMEOUT_SECONDS``."""
    from facts.services import import_jobs_expire

    return import_jobs_expire(now=now, model=LeadImportJob)
