from django.core.management.base import BaseCommand, CommandError

from common.parsing import ParseError, parse_date
from scoring.jobs import nightly_run, tenant_yesterday
from scoring.models import JobRun
from tenancy.models import Tenant


class Command(BaseCommand):
    help = "Run the nightly job (scores and what later steps add) synchronously, for one tenant or all."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="tenant slug (default: every tenant)")
        parser.add_argument("--date", help="the day to compute, YYYY-MM-DD (default: the tenant's yesterday)")

    def handle(self, *args, **options):
        tenants = Tenant.objects.order_by("slug")
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"No tenant with slug {options['tenant']!r}.")
        day = None
        if options["date"]:
            try:
                day = parse_date(options["date"])
            except ParseError as error:
                raise CommandError(f"--date: {error.message}") from None
        failed = []
        for tenant in tenants:
            run = nightly_run(tenant=tenant, day=day or tenant_yesterday(tenant), triggered_by="command")
            line = f"{tenant.slug} {run.day}: {run.status} in {run.duration_seconds or 0:.2f} s {run.summary}"
            if run.status == JobRun.Status.SUCCEEDED:
                self.stdout.write(self.style.SUCCESS(line))
            else:
                failed.append(tenant.slug)
                self.stdout.write(self.style.ERROR(line + "\n" + run.error.splitlines()[0]))
        if failed:
            raise CommandError(f"The nightly run failed for: {', '.join(failed)}")
