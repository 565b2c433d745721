"""Statement PDFs: one 40-line statement rendered 20 times, then 1,000 statements through the zip task.

Prints the median time of a render (wall clock and CPU) and the time of the whole zip job (claim,
1,000 PDFs, the zip stored) with its rate.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from decimal import Decimal

from django.conf import settings
from django.test.utils import override_settings

from bench.common import fresh_tenant, make_partners, timed
from partners.models import Partner
from settlements import pdf
from settlements.models import ExportJob, Statement, StatementLine
from settlements.services.exports import export_job_start
from tenancy.context import tenant_scope

EXPLANATION = "2% 的 ¥612,400.00 销售额，2026 年第 1 季度（档位起点 ¥500,000.00）。再销售 ¥88,000.00 可达 3%。"


def make_statements(tenant, partners, lines_each: int) -> list[Statement]:
    """Draft statements of 2026-Q1 for ``partners``, ``lines_each`` rebate lines each, in bulk."""
    with tenant_scope(tenant):
        statements = Statement.objects.bulk_create(
            [
                Statement(tenant=tenant, partner=partner, period="2026-Q1", starts_on="2026-01-01",
                          ends_on="2026-03-31", currency="CNY", total=Decimal("12248.00") * lines_each)
                for partner in partners
            ],
            batch_size=2000,
        )  # fmt: skip
        StatementLine.objects.bulk_create(
            [
                StatementLine(tenant=tenant, statement=statement, kind="rebate", source_code=f"P-{n:02d}",
                              source_version=1, basis=Decimal("612400.00"), rate_percent=Decimal("2"),
                              amount=Decimal("12248.00"), explanation=EXPLANATION)
                for statement in statements
                for n in range(lines_each)
            ],
            batch_size=5000,
        )  # fmt: skip
    return statements


def drop_settlements(tenant) -> None:
    from django.db import connection

    from tenancy.models import Tenant

    existing = Tenant.objects.filter(slug=tenant).first()
    if existing is None:
        return
    with tenant_scope(existing), connection.cursor() as cursor:
        for table in ("settlements_statementline", "settlements_statementevent", "settlements_statement",
                      "settlements_settlementrun", "settlements_exportjob"):  # fmt: skip
            cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [existing.pk])


def render_one(tenant, partner: Partner, lines: int, renders: int) -> None:
    with tenant_scope(tenant):
        Partner.objects.filter(pk=partner.pk).update(name="杭州恒通科技有限公司", tax_id="91330100MA27XXXX1X")
    make_statements(tenant, [partner], lines)
    with tenant_scope(tenant):
        statement = pdf.statements_for_print(Statement.objects.filter(partner_id=partner.pk)).get()
        first = time.perf_counter()
        data = pdf.statement_pdf(statement)
        print(f"  first render (fonts and stylesheet loaded): {time.perf_counter() - first:.3f} s")
        wall, cpu = [], []
        for _ in range(renders):
            started, started_cpu = time.perf_counter(), time.process_time()
            data = pdf.statement_pdf(statement)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    print(f"  {len(data):,} bytes")
    print(f"{lines}-line statement, median of {renders} renders: {statistics.median(wall):.3f} s "
          f"(CPU {statistics.median(cpu):.3f} s; fastest {min(wall):.3f} s)")  # fmt: skip


def zip_many(tenant, partners: list[Partner], lines_each: int) -> None:
    results: dict[str, float] = {}
    count = len(partners)
    drop_settlements(tenant.slug)
    make_statements(tenant, partners, lines_each)
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        with timed(f"zip of {count:,} statement PDFs ({lines_each} lines each), through the task", results):
            # The task is queued on commit and, without a broker, runs in this process as the scope ends.
            with tenant_scope(tenant):
                job = export_job_start(period="2026-Q1", actor=None)
        with tenant_scope(tenant):
            job = ExportJob.objects.get(pk=job.pk)
            size = job.file.size if job.file else 0
    elapsed = results[next(iter(results))]
    print(f"  job {job.status}: {job.statements_count:,} PDFs, {size / 1048576:.1f} MB zip")
    print(f"{count:,} statements through the zip task: {elapsed:.1f} s ({count / elapsed:.1f} PDFs/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--statements", type=int, default=1000)
    parser.add_argument("--zip-lines", type=int, default=5, help="lines on each statement of the zip")
    args = parser.parse_args()
    assert settings.CELERY_TASK_ALWAYS_EAGER, "run without REDIS_URL: the zip task runs in this process"
    drop_settlements("bench")
    tenant = fresh_tenant()
    partners = make_partners(tenant, args.statements)
    render_one(tenant, partners[0], args.lines, args.renders)
    zip_many(tenant, partners, args.zip_lines)


if __name__ == "__main__":
    main()
