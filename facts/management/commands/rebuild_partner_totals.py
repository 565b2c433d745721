"""``rebuild_partner_totals --tenant SLUG``: the partner totals made again from the facts (``facts.rollups``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from facts.rollups import rollups_rebuild
from tenancy.context import tenant_scope
from tenancy.models import Tenant


class Command(BaseCommand):
    help = (
        "Rebuild one tenant's partner totals by day and by month from its sales, invoices and payments. "
        "The database's triggers keep them; this repairs them after anything that bypassed the triggers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="tenant slug")

    def handle(self, *args, **options):
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {options['tenant']!r}.")
        with tenant_scope(tenant):
            counts = rollups_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"{tenant.slug}: {counts['facts_partnerdaytotal']} day totals and "
                f"{counts['facts_partnermonthtotal']} month totals rebuilt."
            )
        )
