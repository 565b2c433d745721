"""The facts every number is computed from: sales, invoices, collections (回款) and write-offs.

They arrive in bulk from ERPs and spreadsheets (see ``facts.imports``); each row carries the
sender's ``external_id``, unique in the tenant, so re-sending a row updates it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.progress import progress_read
from partners.models import Partner
from tenancy.models import TenantOwned

MONEY = {"max_digits": 16, "decimal_places": 2}


class Fact(TenantOwned):
    """A row of channel data.

    The tenant and partner keys carry no database foreign-key constraint: PostgreSQL checks
    those row by row, which costs a third of a bulk import; the one validator resolves every
    partner code within the tenant in scope, row-level security pins the tenant, and the
    ORM still protects a partner with facts from deletion.

    Nor do they carry an index of their own: every query names the tenant (the manager's filter,
    the raw SQL's ``tenant_id = %(tenant)s``), so each fact table's composite indexes, which
    begin with the tenant and the partner, serve them, and a single-column index would only
    cost every import its upkeep (``bench/fact_indexes.py`` shows which query uses each index).
    """

    tenant = models.ForeignKey(
        "tenancy.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_constraint=False,
        db_index=False,
    )
    external_id = models.CharField(_("external id"), max_length=100)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("partner"),
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        abstract = True


class Sale(Fact):
    """A sale by the partner to its customer; a return is a negative amount."""

    date = models.DateField(_("date"))
    customer = models.CharField(_("customer"), max_length=200)
    product_category = models.CharField(_("product category"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    cost = models.DecimalField(_("cost"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "external_id"], name="sale_external_id_unique")]
        indexes = [
            models.Index(fields=["tenant", "partner", "date"], name="sale_tenant_partner_date"),
            # Date, then id: the lists' order (newest first) read from the index, no sort of a day's rows.
            models.Index(fields=["tenant", "date", "id"], name="sale_tenant_date_id"),
        ]


class Invoice(Fact):
    """An invoice to the partner: what it owes, due on ``due_date``."""

    number = models.CharField(_("number"), max_length=64)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "external_id"], name="invoice_external_id_unique"),
            models.UniqueConstraint(fields=["tenant", "number"], name="invoice_number_unique"),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "issue_date"], name="invoice_tenant_partner_issue"),
            models.Index(fields=["tenant", "issue_date", "id"], name="invoice_tenant_issue_id"),
        ]


class Payment(Fact):
    """A collection (回款) from the partner, optionally naming the invoice it pays."""

    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("invoice"),
        db_index=False,  # the partial index below: most payments name no invoice
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "external_id"], name="payment_external_id_unique")]
        indexes = [
            models.Index(fields=["tenant", "partner", "date"], name="payment_tenant_partner_date"),
            models.Index(fields=["tenant", "date", "id"], name="payment_tenant_date_id"),
            # Finds the payments naming an invoice that is deleted: the foreign key's check and
            # the ORM's SET_NULL. Only payments that name one are in it.
            models.Index(fields=["invoice"], condition=models.Q(invoice__isnull=False), name="payment_invoice_named"),
        ]


class WriteOff(Fact):
    """A loss written off (bad debt, inventory loss…), shared under a profit-share agreement."""

    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "external_id"], name="writeoff_external_id_unique")]
        indexes = [models.Index(fields=["tenant", "partner", "date"], name="writeoff_tenant_partner_date")]


class ImportJobBase(TenantOwned):
    """An uploaded file imported as a task: its progress, outcome and errors (the facts' and the leads' uploads).

    A subclass names its ``PROGRESS_KIND`` (the cache key of its live progress) and the labels of its
    columns (``column_labels``), so its errors name columns the user's way.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Rejected")

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_filename = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    # field → the column's header as the file wrote it, so errors name columns the user's way
    headers = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    PROGRESS_KIND = "import"

    def column_labels(self) -> dict[str, str]:
        return {}

    def load_live_progress(self):
        """A running job writes in one transaction: its rows read and checked so far are in the cache."""
        if self.status == self.Status.RUNNING:
            live = progress_read(tenant_id=self.tenant_id, kind=self.PROGRESS_KIND, pk=self.pk)
            if live is not None:
                self.processed_rows, self.total_rows = live.done, live.total
        return self

    @property
    def errors_with_columns(self) -> list[dict]:
        """Each error with the column it is about, named as in the file (else the column's label)."""
        labels = self.column_labels()
        return [
            {
                **error,
                "column": self.headers.get(error.get("field"), labels.get(error.get("field"), error.get("field"))),
            }
            for error in self.errors
        ]

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.processed_rows / self.total_rows))


class ImportJob(ImportJobBase):
    """One upload of a spreadsheet of facts, imported as a task: its progress, outcome and errors."""

    kind = models.CharField(_("kind"), max_length=16)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        indexes = [
            # the unfinished jobs, for import_jobs_expire (``updated_at`` is the job's heartbeat)
            models.Index(
                fields=["tenant", "updated_at"],
                condition=models.Q(status__in=["pending", "running"]),
                name="importjob_unfinished",
            )
        ]

    def column_labels(self) -> dict[str, str]:
        from .imports.columns import COLUMNS

        return {column.name: str(column.label) for column in COLUMNS.get(self.kind, ())}


class FactChange(TenantOwned):
    """The values a fact row had before a re-sent row (same ``external_id``) changed it.

    Written by the same statement as the upsert that changes the row (``facts.imports.write``),
    so a change can never go unrecorded. ``old_values`` and ``new_values`` hold every written
    column of the row (``partner_id``, ``date``, ``amount``…) as PostgreSQL's text of it, null
    for an empty value; ``created_at`` is when the change was made. ``import_job`` is null for a
    batch sent through the API. The keys carry no database constraint, like the facts': checked
    row by row, they would slow down a batch that changes a million rows.
    """

    class Kind(models.TextChoices):
        SALES = "sales", _("sale")
        INVOICES = "invoices", _("invoice")
        PAYMENTS = "payments", _("payment")
        WRITEOFFS = "writeoffs", _("write-off")

    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.CASCADE, related_name="+", editable=False, db_constraint=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    fact_id = models.BigIntegerField(_("row"))
    external_id = models.CharField(_("external id"), max_length=100)
    old_values = models.JSONField(_("values before"))
    new_values = models.JSONField(_("values after"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("changed by"),
    )
    import_job = models.ForeignKey(
        ImportJob,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("import"),
    )

    class Meta:
        verbose_name = _("change of a fact row")
        verbose_name_plural = _("changes of fact rows")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "kind", "fact_id", "created_at"], name="factchange_row")]

    @property
    def changed_at(self):
        return self.created_at

    def changed_fields(self) -> list[str]:
        """The columns whose value the change altered (in JSONB's order of keys, not the row's)."""
        return [name for name, value in self.new_values.items() if self.old_values.get(name) != value]


class PartnerTotals(TenantOwned):
    """What a partner sold, was invoiced and paid over one period: the facts summed, kept by the database.

    Statement-level triggers on the sale, invoice and payment tables (``facts.rollups``) add each
    statement's rows in one aggregate upsert, whatever wrote them: the import path, the ORM, the
    demo seed, raw SQL. ``entries`` counts the fact rows behind a total; a total left with none
    is deleted. ``facts.rollups.rollups_rebuild`` makes them again from the facts.
    """

    # No foreign-key constraints and no index of their own: the unique (tenant, period, partner) index
    # is the only one, so each statement's upsert maintains a single index.
    tenant = models.ForeignKey(
        "tenancy.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_constraint=False,
        db_index=False,
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    sales = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    invoiced = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    paid = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    entries = models.IntegerField(default=0)

    class Meta:
        abstract = True


class PartnerDayTotal(PartnerTotals):
    """A partner's totals of one day (sale date, invoice issue date, payment date)."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day", "partner"], name="partnerdaytotal_unique"),
        ]


class PartnerMonthTotal(PartnerTotals):
    """A partner's totals of one calendar month (``month`` is its first day)."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "month", "partner"], name="partnermonthtotal_unique"),
        ]
