"""Import 1,000,000 sale rows through the bulk path and compare with a bare COPY.

Prints rows/s of the bulk path (the same validator and upsert as the API and the upload
page, in API-sized batches) and of PostgreSQL COPY of the same rows into a bare table: an
ordinary (WAL-logged) table with the same columns and no index, constraint or policy.
"""

from __future__ import annotations

import argparse
import datetime
import random

from django.conf import settings
from django.db import connections, transaction

from bench.common import fresh_tenant, make_partners, timed
from facts.services import facts_import
from tenancy.context import tenant_scope


def sale_rows(count: int, partner_codes: list[str]) -> list[dict]:
    rng = random.Random(7)
    start = datetime.date(2025, 1, 1)
    categories = ["服务器", "存储", "网络", "软件", "服务"]
    return [
        {
            "external_id": f"S{n:08d}",
            "partner": partner_codes[n % len(partner_codes)],
            "date": (start + datetime.timedelta(days=n % 540)).isoformat(),
            "customer": f"客户{rng.randrange(50000)}",
            "product_category": categories[n % 5],
            "amount": f"{rng.randrange(100, 5000000) / 100:.2f}",
            "cost": f"{rng.randrange(50, 4000000) / 100:.2f}",
        }
        for n in range(count)
    ]


def bare_copy(rows: list[dict], partner_ids: dict[str, int]) -> None:
    # A plain table of the owner's: the runtime role may not create tables.
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS bench_bare; "
            "CREATE TABLE bench_bare (external_id text, partner_id bigint, date date, customer text, "
            "product_category text, amount numeric(16,2), cost numeric(16,2))"
        )
        with cursor.copy("COPY bench_bare FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    (
                        row["external_id"],
                        partner_ids[row["partner"]],
                        row["date"],
                        row["customer"],
                        row["product_category"],
                        row["amount"],
                        row["cost"],
                    )
                )
        cursor.execute("DROP TABLE bench_bare")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--partners", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=settings.FACTS_MAX_API_ROWS)
    args = parser.parse_args()

    results: dict[str, float] = {}
    tenant = fresh_tenant()
    partners = make_partners(tenant, args.partners)
    codes = [partner.code for partner in partners]
    print(f"Generating {args.rows:,} sale rows for {args.partners:,} partners…", flush=True)
    rows = sale_rows(args.rows, codes)
    with tenant_scope(tenant):
        with timed("bulk path (validate + COPY to staging + upsert)", results):
            for start in range(0, len(rows), args.batch):
                batch = rows[start : start + args.batch]
                facts_import(kind="sales", rows=enumerate(batch, start=1))
        with timed("bulk path again (every row unchanged)", results):
            for start in range(0, len(rows), args.batch):
                batch = rows[start : start + args.batch]
                facts_import(kind="sales", rows=enumerate(batch, start=1))
        changed = [{**row, "amount": f"{float(row['amount']) + 1:.2f}"} for row in rows]
        with timed("bulk path, every amount changed (old values kept)", results):
            for start in range(0, len(changed), args.batch):
                batch = changed[start : start + args.batch]
                facts_import(kind="sales", rows=enumerate(batch, start=1))
        partner_ids = {partner.code: partner.pk for partner in partners}
        with timed("bare COPY of the same rows", results):
            bare_copy(rows, partner_ids)
    bulk = args.rows / results["bulk path (validate + COPY to staging + upsert)"]
    again = args.rows / results["bulk path again (every row unchanged)"]
    changes = args.rows / results["bulk path, every amount changed (old values kept)"]
    copy = args.rows / results["bare COPY of the same rows"]
    print()
    print(f"bulk path, new rows:   {bulk:>12,.0f} rows/s")
    print(f"bulk path, unchanged:  {again:>12,.0f} rows/s")
    print(f"bulk path, changed:    {changes:>12,.0f} rows/s  (each change kept in the history)")
    print(f"bare COPY:             {copy:>12,.0f} rows/s")
    print(f"ratio bulk/COPY:       {bulk / copy:>12.2f}  (aim: at least 0.25)")


if __name__ == "__main__":
    main()
