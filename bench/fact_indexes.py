"""Which query uses each index of the fact tables: every index must earn its keep.

Loads a tenant's facts (sales, invoices, payments, write-offs over several years), runs the
queries the app runs on these tables — scoring's and risk's inputs, receivables, targets'
measures, incentives' facts, the fact list pages' filters, a partner's statement, the import's
upsert and its change log, the ORM's SET_NULL when an invoice goes — and EXPLAINs each, as the
runtime role in the tenant's scope (row-level security on). Prints, for each index of
facts_sale, facts_invoice, facts_payment and facts_writeoff, the queries whose plans use it,
and flags any index no query uses.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
from collections import defaultdict
from collections.abc import Callable

from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from bench.common import FACT_TABLES, fresh_tenant, make_partners, timed
from common.periods import Period
from facts.calculations import invoice_settlements, receivables_as_of
from facts.filters import FILTERS
from facts.imports.validate import validate_rows
from facts.imports.write import MODELS
from facts.selectors import statement_of_account, trailing_totals
from facts.services import facts_import
from incentives.engine import gather_inputs
from risk.calculations import Thresholds
from risk.inputs import gather_figures
from scoring.inputs import score_inputs
from targets.calculations import partner_actuals
from targets.models import Metric
from tenancy.context import tenant_scope

DAY = datetime.date(2026, 6, 30)
FIRST_DAY = datetime.date(2020, 1, 1)


def _days(rng: random.Random) -> datetime.date:
    return FIRST_DAY + datetime.timedelta(days=rng.randrange((DAY - FIRST_DAY).days))


def load_facts(codes: list[str], *, sales: int) -> None:
    rng = random.Random(11)
    invoices = max(sales // 4, 10)
    batches = {
        "sales": [
            {
                "external_id": f"S{n}",
                "partner": rng.choice(codes),
                "date": _days(rng).isoformat(),
                "customer": f"客户{rng.randrange(5000)}",
                "product_category": rng.choice(["服务器", "存储", "网络"]),
                "amount": f"{rng.randrange(100, 10**6) / 100:.2f}",
                "cost": f"{rng.randrange(50, 10**6) / 100:.2f}",
            }
            for n in range(sales)
        ],
        "invoices": [],
        "payments": [],
        "writeoffs": [
            {
                "external_id": f"W{n}",
                "partner": rng.choice(codes),
                "date": _days(rng).isoformat(),
                "amount": f"{rng.randrange(100, 10**5) / 100:.2f}",
            }
            for n in range(max(sales // 20, 10))
        ],
    }
    for n in range(invoices):
        partner, issued = rng.choice(codes), _days(rng)
        batches["invoices"].append(
            {
                "external_id": f"I{n}",
                "partner": partner,
                "number": f"INV{n}",
                "issue_date": issued.isoformat(),
                "due_date": (issued + datetime.timedelta(days=30)).isoformat(),
                "amount": f"{rng.randrange(100, 10**6) / 100:.2f}",
            }
        )
        # a payment of most invoices (one in five names it), and as many that name none
        for m, named in ((2 * n, rng.random() < 0.2), (2 * n + 1, False)):
            batches["payments"].append(
                {
                    "external_id": f"P{m}",
                    "partner": partner,
                    "date": min(DAY, issued + datetime.timedelta(days=rng.randrange(60))).isoformat(),
                    "amount": f"{rng.randrange(100, 10**5) / 100:.2f}",
                    "invoice": f"INV{n}" if named else "",
                }
            )
    for kind, rows in batches.items():
        for start in range(0, len(rows), 100_000):
            facts_import(kind=kind, rows=enumerate(rows[start : start + 100_000], start=1))


def invoice_row(partner, number: str) -> dict:
    return {
        "external_id": "I-new",
        "partner": partner.code,
        "number": number,
        "issue_date": "2026-06-01",
        "due_date": "2026-06-30",
        "amount": "10",
    }


def payment_row(partner, number: str) -> dict:
    return {"external_id": "P-new", "partner": partner.code, "date": "2026-06-01", "amount": "10", "invoice": number}


def app_queries(tenant, partners) -> list[tuple[str, str]]:
    """(what runs it, SQL as sent) of every statement on a fact table the app's reads make."""
    partner = partners[len(partners) // 2]
    some = [p.pk for p in partners[:20]]
    period = Period.parse("2025-Q3")
    calls: list[tuple[str, Callable[[], object]]] = [
        ("scoring inputs", lambda: score_inputs(DAY)),
        ("receivables, every partner", lambda: receivables_as_of(day=DAY)),
        ("receivables, one partner", lambda: receivables_as_of(day=DAY, partner_ids=[partner.pk])),
        ("invoice settlements, one partner", lambda: invoice_settlements(day=DAY, partner_ids=[partner.pk])),
        ("statement of account", lambda: statement_of_account(partner=partner, day=DAY)),
        ("trailing totals (partner page)", lambda: trailing_totals(partner=partner, day=DAY)),
        ("incentives: the period's facts", lambda: gather_inputs(period)),
        (
            "import validation: invoice numbers in the tenant",
            lambda: validate_rows("invoices", enumerate([invoice_row(partner, "INV7")], start=1)),
        ),
        (
            "import validation: the invoice a payment names",
            lambda: validate_rows("payments", enumerate([payment_row(partner, "INV7")], start=1)),
        ),
    ]
    for metric in Metric.values:

        def measured(metric=metric):
            return partner_actuals(partner_ids=some, metric=metric, period=period)

        calls.append((f"targets: {metric}", measured))
    calls.append(("risk inputs", lambda: gather_figures(DAY, Thresholds())))
    for kind, model in MODELS.items():
        ordering = model._meta.ordering
        date_from = "2026-06-01"
        filters = {
            "no filter": {},
            "partner": {"partner": partner.code},
            "date range": {"date_from": date_from, "date_to": DAY.isoformat()},
            "partner and dates": {"partner": partner.code, "date_from": date_from},
            "external id": {"external_id": "S12"},
        }
        for label, data in filters.items():

            def page(kind=kind, model=model, data=data, ordering=ordering):
                queryset = FILTERS[kind](data, queryset=model.objects.all()).qs.order_by(*ordering)
                return list(queryset[:50]), queryset.count()

            calls.append((f"{kind} list page, {label}", page))
        calls.append((f"{kind} row page (by id)", lambda model=model: model.objects.filter(pk=1).first()))
    captured: list[tuple[str, str]] = []
    with tenant_scope(tenant):
        for label, call in calls:
            with CaptureQueriesContext(connection) as context:
                call()
            captured += [(label, query["sql"]) for query in context.captured_queries]
    return [(label, sql) for label, sql in captured if any(table in sql for table in FACT_TABLES)]


def write_statements(tenant) -> list[tuple[str, str]]:
    """The import's upsert (ON CONFLICT) and its change log's join, of each kind; the ORM's SET_NULL on payments."""
    pk = tenant.pk
    statements = []
    for kind, model in MODELS.items():
        table = model._meta.db_table
        statements += [
            (
                f"import of {kind}: upsert ON CONFLICT",
                f"INSERT INTO {table} (tenant_id, created_at, updated_at, external_id, partner_id, amount) "
                f"VALUES ({pk}, now(), now(), 'X1', 1, 1) ON CONFLICT (tenant_id, external_id) "
                f"DO UPDATE SET amount = EXCLUDED.amount WHERE ({table}.amount) IS DISTINCT FROM (EXCLUDED.amount)",
            ),
            (
                f"import of {kind}: change log joins the stored rows",
                "SELECT t.id FROM (VALUES ('X1'), ('X2')) s(external_id) "
                f"JOIN {table} t ON t.tenant_id = {pk} AND t.external_id = s.external_id",
            ),
        ]
    statements.append(
        (
            "invoice deleted: its payments' invoice set to null (ORM SET_NULL, and the key's check)",
            "UPDATE facts_payment SET invoice_id = NULL WHERE invoice_id IN (1, 2)",
        )
    )
    return statements


def indexes_used(plan: dict) -> set[str]:
    used = set()
    if "Index Name" in plan:
        used.add(plan["Index Name"])
    used.update(plan.get("Conflict Arbiter Indexes", ()))
    for child in plan.get("Plans", ()):
        used |= indexes_used(child)
    return used


def fact_indexes() -> dict[str, list[tuple[str, str]]]:
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1, 2",
            [list(FACT_TABLES)],
        )
        found: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for table, name, definition in cursor.fetchall():
            found[table].append((name, definition.split(" USING ", 1)[1]))
        return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000, help="sales; invoices are a quarter, payments half")
    parser.add_argument("--partners", type=int, default=1_000)
    args = parser.parse_args()

    results: dict[str, float] = {}
    tenant = fresh_tenant()
    partners = make_partners(tenant, args.partners)
    with tenant_scope(tenant), timed(f"loading {args.rows:,} sales and the rest", results):
        load_facts([p.code for p in partners], sales=args.rows)
    with connections["owner"].cursor() as cursor:
        for table in FACT_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
    statements = [*app_queries(tenant, partners), *write_statements(tenant)]
    users: dict[str, list[str]] = defaultdict(list)
    with tenant_scope(tenant), connection.cursor() as cursor:
        for label, sql in statements:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            for index in indexes_used(plan[0]["Plan"]):
                if label not in users[index]:
                    users[index].append(label)
    print(f"\n{len(statements)} statements on the fact tables EXPLAINed.\n")
    unused = 0
    total = 0
    for table, indexes in fact_indexes().items():
        print(table)
        for name, definition in indexes:
            total += 1
            print(f"  {name}  {definition}")
            for label in users.get(name, []):
                print(f"      used by: {label}")
            if name not in users:
                unused += 1
                print("      !! no query uses this index")
    print()
    print(f"indexes on the fact tables: {total}, used by no query: {unused}")
    print(f"ratio indexes no query uses / indexes: {unused / total:.2f} (aim <= 0)")


if __name__ == "__main__":
    main()
