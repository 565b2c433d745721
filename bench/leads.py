"""Distributing 10,000 leads over 10,000 partners in one bulk upload (issues 10 and 13).

Makes a throw-away tenant with 10,000 active partners over 31 regions and 10 industries (one to three
each; most with a score), writes a CSV of 10,000 leads, and times the upload as its task runs it
(``lead_import_run``: read and check every cell, gather the rules' inputs, decide, write the leads,
assignments and events, notify the partners), then its parts on the same leads: the inputs and the pure
decision. Prints the figures, the number of queries the upload took (the same at a tenth of the rows: they
do not grow with the rows), and the rows a second before and after: "before" is the old path (commit
0a01b4d: the same reading and checking, then the leads and their events made with ``bulk_create``, the
rules' inputs gathered for them, each lead updated with its offer and the assignments ``bulk_create``-d,
``services._created`` and ``_distribute`` as the lapse and a single new lead still use them), timed in the
same run on the same data and rolled back, so that both meet the same machine.

The ratio's denominator is the pure decision of the same run (``distribution.distribute``, no database):
the rules must see each lead after the one before, so that part cannot be done as a set; everything else
(reading, checking, writing, notifying) is. Aims: the whole upload within 3 times the decision alone; 3 times
the old path's rows a second; and 10,000 leads in at most 10 seconds (what a person waits for without
minding; the old path took 133–209 s on this machine), which only an unloaded machine can show.

Run from the project folder: ``.venv/bin/python -m bench.leads [--partners N --leads N]``. Migrates first
(a fresh clone's embedded database after ``bin/bootstrap`` alone).
"""

from __future__ import annotations

import argparse
import datetime
import io
import random
import tempfile
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from bench.common import BENCH_SLUG, fresh_tenant, make_partners, timed
from leads import distribution, services
from leads.inputs import gather, settings_of_tenant
from leads.models import Assignment, Lead, LeadImportJob, LeadStatus, Trigger
from scoring.models import PartnerScore
from tenancy.context import tenant_scope
from tenancy.models import Tenant

REGIONS = [f"R{n:02d}" for n in range(31)]
INDUSTRIES = [f"I{n}" for n in range(10)]
DAY = datetime.date(2026, 6, 30)
DECIDE_AIM = 3.0
SPEED_UP_AIM = 3.0
SECONDS_AIM = 10.0


def drop_lead_rows() -> None:
    tenant = Tenant.objects.filter(slug=BENCH_SLUG).first()
    if tenant is None:
        return
    with tenant_scope(tenant), connection.cursor() as cursor:
        for table in ("leads_leadsnapshot", "leads_leadevent", "leads_assignment", "leads_lead", "leads_leadsettings"):
            cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])


def shape_partners(tenant, partners, rng: random.Random) -> None:
    """Regions and industries for every partner; a score for nine in ten."""
    with tenant_scope(tenant), connection.cursor() as cursor:
        rows = [(partner.pk, rng.choice(REGIONS), rng.sample(INDUSTRIES, rng.randint(1, 3))) for partner in partners]
        cursor.execute(
            "UPDATE partners_partner p SET region = v.region, industries = i.industries "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, region, industries_text), "
            "LATERAL (SELECT string_to_array(v.industries_text, ',') AS industries) i "
            "WHERE p.id = v.id",
            [[r[0] for r in rows], [r[1] for r in rows], [",".join(r[2]) for r in rows]],
        )
    with tenant_scope(tenant):
        tier_id = partners[0].tier_id
        PartnerScore.objects.bulk_create(
            [
                PartnerScore(
                    partner_id=partner.pk, day=DAY, score=Decimal(rng.randrange(0, 10000)) / 100,
                    **dict.fromkeys(("volume", "growth", "attainment", "collection", "overdue"), Decimal("50")),
                    weights={}, recommended_tier_id=tier_id,
                    **dict.fromkeys(("sales_365", "sales_prior_365", "max_sales_365", "payments_365", "invoices_365",
                                     "outstanding", "overdue_amount"), Decimal("0")),
                )
                for partner in partners
                if rng.random() < 0.9
            ],
            batch_size=5000,
        )  # fmt: skip


def leads_csv(count: int, rng: random.Random) -> bytes:
    lines = ["Company,Region,Industry,Value,Contact"]
    for n in range(count):
        region = rng.choice(REGIONS) if rng.random() > 0.01 else "Nowhere"
        lines.append(f"Customer {n} Ltd,{region},{rng.choice(INDUSTRIES)},{rng.randrange(10, 900) * 1000},Buyer {n}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def upload(tenant, data: bytes) -> tuple[LeadImportJob, int]:
    """The upload as its task runs it (stored, claimed, read, checked, made, distributed, ended); its queries."""
    with tenant_scope(tenant):
        job = LeadImportJob(file=SimpleUploadedFile("leads.csv", data), original_filename="leads.csv")
        job.save()
    with CaptureQueriesContext(connection) as queries:
        job = services.lead_import_run(job=job)
    if job.status != LeadImportJob.Status.SUCCEEDED:
        raise SystemExit(f"the upload failed: {job.errors[:3]}")
    return job, len(queries)


class _RollBack(Exception):
    pass


def old_upload(tenant, data: bytes) -> tuple[float, int]:
    """The old path (commit 0a01b4d's ``leads_import``), timed and rolled back: its seconds and queries."""
    import time

    from django.db import transaction

    from leads import imports

    started = time.perf_counter()
    try:
        with tenant_scope(tenant), CaptureQueriesContext(connection) as queries, transaction.atomic():
            clean, _errors, count = imports.validate_leads(imports.read_upload("leads.csv", io.BytesIO(data), {}))
            assert not count
            leads = [Lead(**{name: row.get(name) if row.get(name) is not None else "" for name in
                             services.LEAD_FIELDS}) for row in clean]  # fmt: skip
            for lead in leads:
                if lead.value in ("", None):
                    lead.value = Decimal("0.00")
            now = timezone.now()
            services._lock_distribution()
            services._created(leads, None, now)
            services._distribute(leads, trigger=Trigger.CREATED, actor=None, now=now)
            seconds = time.perf_counter() - started
            raise _RollBack
    except _RollBack:
        pass
    return seconds, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--cap", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        run(args)


def run(args) -> None:
    rng = random.Random(10)  # benchmark data, not secrets
    results: dict[str, float] = {}
    drop_lead_rows()
    tenant = fresh_tenant()
    with timed(f"make {args.partners:,} partners with regions, industries and scores", results):
        partners = make_partners(tenant, args.partners)
        shape_partners(tenant, partners, rng)
    with tenant_scope(tenant):
        found = settings_of_tenant()
        found.cap = args.cap
        found.save()
    # A small upload first, for the query count at a second size (its leads held back from the cap after).
    small, small_queries = upload(tenant, leads_csv(max(args.leads // 10, 1), rng))
    with tenant_scope(tenant):
        Lead.objects.filter(status=LeadStatus.OFFERED).update(status=LeadStatus.WON)
    data = leads_csv(args.leads, rng)
    print(f"upload: {args.leads:,} leads over {args.partners:,} partners, cap {args.cap}", flush=True)
    before_seconds, before_queries = old_upload(tenant, data)
    results["old path (rolled back)"] = before_seconds
    print(f"  old path: {before_seconds:.2f} s in {before_queries:,} queries", flush=True)
    with timed("upload (read, check, decide, make, notify)", results):
        job, queries = upload(tenant, data)
    print(f"  offered {job.offered_count:,}, unassigned {job.unassigned_count:,}, in {queries:,} queries "
          f"({small_queries:,} for {small.total_rows:,} rows)", flush=True)  # fmt: skip
    with tenant_scope(tenant):
        candidates = sum(len(found) for found in Assignment.objects.filter(
            lead__status=LeadStatus.OFFERED).values_list("candidates", flat=True))  # fmt: skip
        print(f"  candidates recorded: {candidates:,} ({candidates / max(args.leads, 1):.1f} a lead)", flush=True)

        # The parts, on the same leads handed back (as a lapse would): inputs, decision, and nothing written.
        leads = list(Lead.objects.filter(status=LeadStatus.OFFERED).order_by("id")[: args.leads])
        with timed("gather the inputs (5 queries)", results):
            inputs = gather(lead.pk for lead in leads)
        with timed("decide (the pure rules)", results):
            distribution.distribute(
                [distribution.LeadIn(lead.pk, lead.region, lead.industry) for lead in leads],
                inputs.partners,
                cap=args.cap,
                open_leads=inputs.open_leads,
                last_offered=inputs.last_offered,
            )
        print(f"  assignments stored: {Assignment.objects.count():,}", flush=True)
    print("figures (seconds):", {label: round(value, 2) for label, value in results.items()})
    seconds = results["upload (read, check, decide, make, notify)"]
    decide = results["decide (the pure rules)"]
    print(f"rows/s: before {args.leads / before_seconds:,.0f}, after {args.leads / seconds:,.0f}")
    print(f"queries: {small_queries} for {small.total_rows:,} rows, {queries} for {args.leads:,} rows")
    print(f"ratio lead upload against the pure decision: {seconds / decide:.2f} (aim <= {DECIDE_AIM:g})")
    print(f"ratio lead upload rows/s after against before: {before_seconds / seconds:.2f} (aim >= {SPEED_UP_AIM:g})")
    print(f"ratio lead upload {args.leads:,} rows seconds: {seconds:.2f} (aim <= {SECONDS_AIM:g})")
    print(f"ratio lead upload queries, {args.leads:,} rows against {small.total_rows:,}: "
          f"{queries / small_queries:.2f} (aim <= 1)")  # fmt: skip


if __name__ == "__main__":
    main()
