"""Import 1,000,000 sale rows through the bulk path and compare with two COPYs of the same rows.

Prints rows/s of the bulk path (the same validator and upsert as the API and the upload
page, in API-sized batches: new rows, the same rows re-sent, every amount changed) and of two
denominators measured in the same run:

- COPY into a table identical to ``facts_sale`` (``LIKE facts_sale INCLUDING ALL``: the same
  columns, defaults, indexes and constraints; the same row-level security, enabled, forced and
  with the policies copied from ``pg_policies``), as the runtime role in the tenant's scope,
  like the app (PostgreSQL has no COPY into a table under row-level security: COPY into a
  temporary table, then one plain INSERT … SELECT); the owner's straight COPY into it with
  row security off is printed too, for reference;
- bare COPY: an ordinary (WAL-logged) table with the same columns and no index, constraint or
  policy.
"""

from __future__ import annotations

import argparse
import datetime
import random
from decimal import Decimal

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

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


SALE_COLUMNS = ("external_id", "partner_id", "date", "customer", "product_category", "amount", "cost")


def copy_tuples(rows: list[dict], partner_ids: dict[str, int]):
    for row in rows:
        yield (
            row["external_id"],
            partner_ids[row["partner"]],
            row["date"],
            row["customer"],
            row["product_category"],
            row["amount"],
            row["cost"],
        )


def bare_copy(rows: list[dict], partner_ids: dict[str, int]) -> None:
    # A plain table of the owner's: the runtime role may not create tables.
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS bench_bare; "
            "CREATE TABLE bench_bare (external_id text, partner_id bigint, date date, customer text, "
            "product_category text, amount numeric(16,2), cost numeric(16,2))"
        )
        with cursor.copy(f"COPY bench_bare ({', '.join(SALE_COLUMNS)}) FROM STDIN") as copy:
            for values in copy_tuples(rows, partner_ids):
                copy.write_row(values)
        cursor.execute("DROP TABLE bench_bare")


def identical_table_create() -> list[str]:
    """``bench_identical``: facts_sale's columns, indexes, constraints and row-level security.

    Made by the owner and granted to the runtime role like the app's tables; returns the
    indexes it has (the same as facts_sale's, under other names).
    """
    runtime_role = connections["default"].settings_dict["USER"]
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_identical")
        cursor.execute("CREATE TABLE bench_identical (LIKE facts_sale INCLUDING ALL)")
        cursor.execute("ALTER TABLE bench_identical ENABLE ROW LEVEL SECURITY")
        cursor.execute("ALTER TABLE bench_identical FORCE ROW LEVEL SECURITY")
        cursor.execute(
            "SELECT policyname, permissive, cmd, qual, with_check FROM pg_policies "
            "WHERE schemaname = current_schema() AND tablename = 'facts_sale'"
        )
        for name, permissive, command, using, check in cursor.fetchall():
            cursor.execute(
                f"CREATE POLICY {connection.ops.quote_name(name)} ON bench_identical AS {permissive} FOR {command}"
                + (f" USING ({using})" if using else "")
                + (f" WITH CHECK ({check})" if check else "")
            )
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON bench_identical TO {connection.ops.quote_name(runtime_role)}"
        )
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'bench_identical' ORDER BY indexname")
        return [definition for (definition,) in cursor.fetchall()]


def identical_copy(rows: list[dict], partner_ids: dict[str, int], tenant) -> None:
    """COPY as the runtime role, in the tenant's scope, like the app.

    PostgreSQL refuses COPY FROM into a table under row-level security ("Use INSERT statements
    instead"), so the rows take the one way in there is, the app's: COPY into a temporary
    table, then one INSERT … SELECT, whose every row passes the policy's check.
    """
    now = timezone.now()
    columns = ", ".join(("tenant_id", "created_at", "updated_at", *SALE_COLUMNS))
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE bench_stage ON COMMIT DROP AS SELECT {columns} FROM bench_identical WITH NO DATA"
        )
        with cursor.copy(f"COPY bench_stage ({columns}) FROM STDIN") as copy:
            for values in copy_tuples(rows, partner_ids):
                copy.write_row((tenant.pk, now, now, *values))
        cursor.execute(f"INSERT INTO bench_identical ({columns}) SELECT {columns} FROM bench_stage")


def identical_copy_without_rls(rows: list[dict], partner_ids: dict[str, int], tenant) -> None:
    """For reference: a straight COPY into the identical table, by its owner, row security off."""
    now = timezone.now()
    columns = ", ".join(("tenant_id", "created_at", "updated_at", *SALE_COLUMNS))
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute("TRUNCATE bench_identical")
        cursor.execute("ALTER TABLE bench_identical DISABLE ROW LEVEL SECURITY")
        with cursor.copy(f"COPY bench_identical ({columns}) FROM STDIN") as copy:
            for values in copy_tuples(rows, partner_ids):
                copy.write_row((tenant.pk, now, now, *values))


def identical_table_drop() -> None:
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_identical")


def vacuum_facts() -> None:
    """The earlier runs' deleted rows out of the way, so every path starts on clean indexes."""
    with connections["owner"].cursor() as cursor:
        cursor.execute("VACUUM ANALYZE facts_sale")
        cursor.execute("VACUUM ANALYZE facts_factchange")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--partners", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=settings.FACTS_MAX_API_ROWS)
    args = parser.parse_args()

    results: dict[str, float] = {}
    tenant = fresh_tenant()
    vacuum_facts()
    partners = make_partners(tenant, args.partners)
    codes = [partner.code for partner in partners]
    partner_ids = {partner.code: partner.pk for partner in partners}
    print(f"Generating {args.rows:,} sale rows for {args.partners:,} partners…", flush=True)
    rows = sale_rows(args.rows, codes)
    print("Indexes of the identical table (as facts_sale's):")
    for definition in identical_table_create():
        print(f"  {definition}")
    with timed("COPY into a table identical to facts_sale (runtime role, RLS)", results):
        identical_copy(rows, partner_ids, tenant)
    with timed("COPY into the identical table, no row-level security (owner)", results):
        identical_copy_without_rls(rows, partner_ids, tenant)
    identical_table_drop()
    with timed("bare COPY of the same rows", results):
        bare_copy(rows, partner_ids)
    with tenant_scope(tenant):
        with timed("bulk path (validate + COPY to staging + upsert)", results):
            for start in range(0, len(rows), args.batch):
                batch = rows[start : start + args.batch]
                facts_import(kind="sales", rows=enumerate(batch, start=1))
        with timed("bulk path again (every row unchanged)", results):
            for start in range(0, len(rows), args.batch):
                batch = rows[start : start + args.batch]
                facts_import(kind="sales", rows=enumerate(batch, start=1))
        changed = [{**row, "amount": str(Decimal(row["amount"]) + 1)} for row in rows]
        with timed("bulk path, every amount changed (old values kept)", results):
            for start in range(0, len(changed), args.batch):
                batch = changed[start : start + args.batch]
                facts_import(kind="sales", rows=enumerate(batch, start=1))
    bulk = args.rows / results["bulk path (validate + COPY to staging + upsert)"]
    again = args.rows / results["bulk path again (every row unchanged)"]
    changes = args.rows / results["bulk path, every amount changed (old values kept)"]
    identical = args.rows / results["COPY into a table identical to facts_sale (runtime role, RLS)"]
    bare = args.rows / results["bare COPY of the same rows"]
    identical_no_rls = args.rows / results["COPY into the identical table, no row-level security (owner)"]
    print()
    print(f"bulk path, new rows:          {bulk:>12,.0f} rows/s")
    print(f"bulk path, re-sent unchanged: {again:>12,.0f} rows/s")
    print(f"bulk path, re-sent changed:   {changes:>12,.0f} rows/s  (each change kept in the history)")
    print(f"COPY into identical table:    {identical:>12,.0f} rows/s")
    print(f"  (the same, no RLS, owner):  {identical_no_rls:>12,.0f} rows/s")
    print(f"bare COPY:                    {bare:>12,.0f} rows/s")
    print(f"ratio bulk path / COPY into identical table: {bulk / identical:.3f} (aim >= 0.8)")
    print(f"ratio bulk path / bare COPY: {bulk / bare:.3f} (aim >= 0.15)")


if __name__ == "__main__":
    main()
