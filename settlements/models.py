"""Settlement runs and statements (结算单, SPEC §4.6).

A run for a period makes one statement per partner that has any line. A statement is a ledger:
its computed lines are recomputed in place while it is a draft, adjustment lines entered by
people stay, and once approved nothing of it ever changes again — the service refuses, the API
answers 409 and PostgreSQL refuses (``approved_never_changes`` triggers below). A correction is
an adjustment line on a later statement.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.progress import progress_read
from tenancy.models import TenantOwned

MONEY = {"max_digits": 16, "decimal_places": 2}


class SettlementRun(TenantOwned):
    """One computation of a period's statements, as a task with progress; run again at will."""

    PROGRESS_KIND = "settlement"  # its live progress in ``common.progress`` while it computes

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    period = models.CharField(_("period"), max_length=7)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    statements_count = models.PositiveIntegerField(_("statements"), default=0)
    lines_count = models.PositiveIntegerField(_("lines"), default=0)
    skipped_count = models.PositiveIntegerField(_("approved or paid statements left as they are"), default=0)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("settlement run")
        verbose_name_plural = _("settlement runs")
        ordering = ["-created_at"]
        constraints = [
            # Two runs of one period never overlap: the second is refused while the first is under way.
            models.UniqueConstraint(
                fields=["tenant", "period"],
                condition=models.Q(status__in=["pending", "running"]),
                name="settlement_run_one_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} ({self.get_status_display()})"

    @property
    def is_under_way(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    def load_live_progress(self) -> SettlementRun:
        """A running run writes in one transaction: how far it got is in the cache until it ends."""
        if self.status == self.Status.RUNNING:
            live = progress_read(tenant_id=self.tenant_id, kind=self.PROGRESS_KIND, pk=self.pk)
            if live is not None:
                self.progress = max(self.progress, min(99, int(100 * live.done / max(live.total, 1))))
        return self

    @property
    def reason(self) -> str:
        """Why a failed run failed, in its first paragraph (the rest is a traceback for the operators)."""
        return self.error.split("\n\n", 1)[0].strip()


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DISPUTED = "disputed", _("Disputed")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")


FROZEN = (StatementStatus.APPROVED, StatementStatus.PAID)


class Statement(TenantOwned):
    """A partner's settlement statement for a period: its lines, their total and where it stands."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="statements")
    period = models.CharField(_("period"), max_length=7)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=16, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    run = models.ForeignKey(SettlementRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="statements")
    # Maker-checker (SPEC §1): whoever last changed the statement may not approve it when the tenant asks for two.
    last_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dispute_reason = models.TextField(_("dispute reason"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("settlement statement")
        verbose_name_plural = _("settlement statements")
        ordering = ["-starts_on", "partner__code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner", "period"], name="statement_one_per_partner_period"),
        ]
        indexes = [models.Index(fields=["tenant", "period", "status"], name="statement_period_status")]
        triggers = [
            pgtrigger.Trigger(
                name="approved_never_changes",
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                func="""
                    IF OLD.status IN ('approved', 'paid') THEN
                        -- The one move left to an approved statement: marking it paid, touching nothing else.
                        IF TG_OP = 'UPDATE' AND OLD.status = 'approved' AND NEW.status = 'paid'
                           AND (NEW.partner_id, NEW.period, NEW.total, NEW.currency, NEW.approved_by_id,
                                NEW.approved_at, NEW.tenant_id, NEW.created_at)
                               IS NOT DISTINCT FROM
                               (OLD.partner_id, OLD.period, OLD.total, OLD.currency, OLD.approved_by_id,
                                OLD.approved_at, OLD.tenant_id, OLD.created_at) THEN
                            RETURN NEW;
                        END IF;
                        RAISE EXCEPTION 'settlement statement % is %: it never changes', OLD.id, OLD.status
                            USING ERRCODE = 'integrity_constraint_violation';
                    END IF;
                    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                    RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.period}"

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN


class LineKind(models.TextChoices):
    REBATE = "rebate", _("Rebate")
    PROFIT_SHARE = "profit_share", _("Profit share")
    LOSS_SHARE = "loss_share", _("Loss share")
    MDF = "mdf", _("Market development funds")
    ADJUSTMENT = "adjustment", _("Adjustment")


COMPUTED_KINDS = (LineKind.REBATE, LineKind.PROFIT_SHARE, LineKind.LOSS_SHARE)


class StatementLine(TenantOwned):
    """One line of a statement: one source (a program or agreement version, a fund claim, a person's adjustment)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=16, choices=LineKind.choices)
    source_code = models.CharField(_("source"), max_length=100, blank=True)
    source_version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    basis = models.DecimalField(_("basis"), null=True, blank=True, **MONEY)
    rate_percent = models.DecimalField(_("rate (%)"), max_digits=9, decimal_places=4, null=True, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    explanation = models.TextField(_("explanation"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)  # slices, multiplier, cap: for "explain"
    reason = models.TextField(_("reason"), blank=True)  # adjustments: why, in the words of who made it
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement", "kind", "source_code", "id"]
        constraints = [
            # One line per source on a statement (a recompute replaces it, never adds a second)…
            models.UniqueConstraint(
                fields=["tenant", "statement", "kind", "source_code"],
                condition=models.Q(kind__in=["rebate", "profit_share", "loss_share"]),
                name="statement_line_one_per_source",
            ),
            # …and a fund claim is paid on one statement only, ever.
            models.UniqueConstraint(
                fields=["tenant", "source_code"], condition=models.Q(kind="mdf"), name="statement_line_mdf_once"
            ),
        ]
        # Statement-level, over the rows the statement touched (one join, however many lines a run writes).
        triggers = [
            pgtrigger.Trigger(
                name=f"approved_lines_never_change_{operation.lower()}",
                when=pgtrigger.After,
                level=pgtrigger.Statement,
                operation=getattr(pgtrigger, operation),
                referencing=pgtrigger.Referencing(**{side: "touched" for side in sides}),
                func="""
                    IF EXISTS (
                        SELECT 1 FROM touched JOIN settlements_statement s ON s.id = touched.statement_id
                         WHERE s.status IN ('approved', 'paid')) THEN
                        RAISE EXCEPTION 'the lines of an approved or paid statement never change'
                            USING ERRCODE = 'integrity_constraint_violation';
                    END IF;
                    RETURN NULL;
                """,
            )
            for operation, sides in (("Insert", ["new"]), ("Delete", ["old"]))
        ] + [
            pgtrigger.Trigger(
                name="approved_lines_never_change_update",
                when=pgtrigger.After,
                level=pgtrigger.Statement,
                operation=pgtrigger.Update,
                referencing=pgtrigger.Referencing(old="before_update", new="after_update"),
                func="""
                    IF EXISTS (
                        SELECT 1 FROM (SELECT statement_id FROM before_update
                                       UNION ALL SELECT statement_id FROM after_update) touched
                          JOIN settlements_statement s ON s.id = touched.statement_id
                         WHERE s.status IN ('approved', 'paid')) THEN
                        RAISE EXCEPTION 'the lines of an approved or paid statement never change'
                            USING ERRCODE = 'integrity_constraint_violation';
                    END IF;
                    RETURN NULL;
                """,
            )
        ]


class StatementEvent(TenantOwned):
    """Every transition of a statement, with who, when and why (a dispute's reason, a resolution's note)."""

    class Action(models.TextChoices):
        COMPUTED = "computed", _("Computed")
        RECOMPUTED = "recomputed", _("Recomputed")
        ADJUSTED = "adjusted", _("Adjustment added")
        DISPUTED = "disputed", _("Disputed")
        RESOLVED = "resolved", _("Dispute resolved")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Marked paid")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=StatementStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=StatementStatus.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    # What the event was about, as it was then: a disputed line (id, kind, source, amount), an adjustment.
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("statement event")
        verbose_name_plural = _("statement events")
        ordering = ["statement", "created_at", "id"]


def export_file_path(job: ExportJob, filename: str) -> str:
    """Under the tenant's own folder with a random part: never guessed, never served as public media."""
    import uuid

    return f"exports/{job.tenant_id}/{uuid.uuid4().hex}/{filename}"


class ExportJob(TenantOwned):
    """A file made for the vendor by a task: a period's statement PDFs in one zip, with progress.

    The finished file lives under ``MEDIA_ROOT`` and is downloaded through a scoped page (never a
    public media address). A job whose worker went away ends ``failed`` with the reason
    (``settlements.services.exports.export_jobs_expire``).
    """

    class Kind(models.TextChoices):
        STATEMENT_PDFS = "statement_pdfs", _("Statement PDFs (zip)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.STATEMENT_PDFS)
    period = models.CharField(_("period"), max_length=7)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    statements_count = models.PositiveIntegerField(_("statements"), default=0)
    file = models.FileField(_("file"), upload_to=export_file_path, max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    PROGRESS_KIND = "export"

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the unfinished jobs, for export_jobs_expire (``updated_at`` is the job's heartbeat)
            models.Index(
                fields=["tenant", "updated_at"],
                condition=models.Q(status__in=["pending", "running"]),
                name="exportjob_unfinished",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    def load_live_progress(self) -> ExportJob:
        """A running job writes its outcome in one transaction: how far it got is in the cache."""
        from common.progress import progress_read

        if self.status == self.Status.RUNNING:
            live = progress_read(tenant_id=self.tenant_id, kind=self.PROGRESS_KIND, pk=self.pk)
            if live is not None and live.total:
                self.progress = min(99, int(100 * live.done / live.total))
                self.statements_count = live.total
        return self

    @property
    def download_name(self) -> str:
        return f"statements-{self.period}.zip"

    @property
    def period_label(self) -> str:
        from common.periods import Period

        return Period.parse(self.period).label
