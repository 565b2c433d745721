"""``close_period --tenant SLUG --period P``: a settlement run, synchronously (SPEC §6, §7)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from common.errors import ApplicationError
from common.money import format_money
from settlements.models import SettlementRun
from settlements.services.runs import settlement_run_execute, settlement_run_start
from tenancy.context import tenant_scope
from tenancy.models import Membership, Tenant


class Command(BaseCommand):
    help = (
        "Compute a period's settlement statements for one tenant, now, with the services a run from the "
        "pages uses; prints what it wrote. Exits non-zero when the run fails or one is already under way."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="tenant slug")
        parser.add_argument("--period", required=True, help="2026-03 (month), 2026-Q1 (quarter) or 2026 (year)")
        parser.add_argument("--by", help="e-mail of the member recorded as starting the run (default: nobody)")

    def handle(self, *args, **options):
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {options['tenant']!r}.")
        with translation.override("en"):
            run = self._start(tenant, options["period"], options["by"])
        run = settlement_run_execute(run=run)  # its own scopes: claim, compute, outcome
        if run.status != SettlementRun.Status.SUCCEEDED:
            raise CommandError(f"Settlement run #{run.pk} of {run.period} failed; nothing was written: {run.reason}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{tenant.slug} {run.period}: run #{run.pk} wrote {run.statements_count} statements with "
                f"{run.lines_count} computed lines, total {format_money(run.total, tenant.currency)}; "
                f"{run.skipped_count} approved or paid statements left as they are."
            )
        )

    def _start(self, tenant: Tenant, period: str, by: str | None) -> SettlementRun:
        with tenant_scope(tenant):
            actor = None
            if by:
                membership = Membership.objects.select_related("user").filter(user__email__iexact=by,
                                                                               is_active=True).first()  # fmt: skip
                if membership is None:
                    raise CommandError(f"{by!r} is not a member of {tenant.slug}.")
                actor = membership.user
            try:
                return settlement_run_start(period=period, actor=actor, queue=False)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            except ApplicationError as error:  # a run of the period is under way
                raise CommandError(error.message) from None
