"""Distributing 10,000 leads over 10,000 partners in one bulk upload (issue 10).

Makes a throw-away tenant with 10,000 active partners over 31 regions and 10 industries (one to three
each; most with a score), writes a CSV of 10,000 leads, and times the upload as the page runs it
(``leads_import``: read and check every cell, make the leads, gather the rules' inputs, decide, write
the assignments and events, notify the partners), then its parts on a second batch: the inputs, the
pure decision, the writes. Prints the figures and the number of queries the upload took.

Run from the project folder: ``.venv/bin/python -m bench.leads [--partners N --leads N]``.
"""

from __future__ import annotations

import argparse
import datetime
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.common import BENCH_SLUG, fresh_tenant, make_partners, timed
from leads import distribution, services
from leads.inputs import gather, settings_of_tenant
from leads.models import Assignment, Lead, LeadStatus
from scoring.models import PartnerScore
from tenancy.context import tenant_scope
from tenancy.models import Tenant

REGIONS = [f"R{n:02d}" for n in range(31)]
INDUSTRIES = [f"I{n}" for n in range(10)]
DAY = datetime.date(2026, 6, 30)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--cap", type=int, default=5)
    args = parser.parse_args()
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
        upload = SimpleUploadedFile("leads.csv", leads_csv(args.leads, rng), content_type="text/csv")
        print(f"upload: {args.leads:,} leads over {args.partners:,} partners, cap {args.cap}", flush=True)
        with CaptureQueriesContext(connection) as queries, timed("upload (read, check, make, distribute)", results):
            done = services.leads_import(actor=None, upload=upload)
        print(f"  offered {done.offered:,}, unassigned {done.unassigned:,}, in {len(queries):,} queries", flush=True)
        candidates = sum(len(assignment.candidates) for assignment in done.assignments)
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


if __name__ == "__main__":
    main()
