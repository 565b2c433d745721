"""Rebate accruals (SPEC §4.4, §5): every night, what each partner is on course to earn, period to date.

For day D and each period kind, the period containing D: every eligible partner's rebate on its
basis from the period's first day through D, under each program that a settlement run of that
period would apply (``engine.programs_in_force``), through the settlement's own path
(``engine.gather_inputs`` + ``engine.rebate_lines``). Eligibility is the status and tier in
effect on D. The accruals of those periods are then replaced set-based — an upsert and a delete,
a fixed number of statements whatever the number of partners — so the same day run twice leaves
the same rows (ids included), and a program no longer in force leaves none behind.

Accruals are estimates, kept apart from statements; the portal shows a partner its own.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction

from common.periods import Period, PeriodKind
from tenancy.context import require_tenant

from ..engine import ProgramTerms, gather_inputs, programs_in_force, rebate_lines

COLUMNS = ("partner_id", "program_id", "version_id", "period", "basis", "rate_percent", "amount", "next_threshold",
           "next_rate_percent")  # fmt: skip
TYPES = ("bigint", "bigint", "bigint", "text", "numeric", "numeric", "numeric", "numeric", "numeric")

_ARRAYS = ", ".join(f"%({column})s::{kind}[]" for column, kind in zip(COLUMNS, TYPES, strict=True))

UPSERT = f"""
INSERT INTO incentives_rebateaccrual (tenant_id, {", ".join(COLUMNS)}, as_of, created_at, updated_at)
SELECT %(tenant)s, {", ".join(COLUMNS)}, %(as_of)s, now(), now()
  FROM unnest({_ARRAYS}) AS fresh({", ".join(COLUMNS)})
ON CONFLICT (tenant_id, partner_id, program_id, period) DO UPDATE
   SET version_id = EXCLUDED.version_id, as_of = EXCLUDED.as_of, basis = EXCLUDED.basis,
       rate_percent = EXCLUDED.rate_percent, amount = EXCLUDED.amount, next_threshold = EXCLUDED.next_threshold,
       next_rate_percent = EXCLUDED.next_rate_percent, updated_at = now()
 WHERE (incentives_rebateaccrual.version_id, incentives_rebateaccrual.as_of, incentives_rebateaccrual.basis,
        incentives_rebateaccrual.rate_percent, incentives_rebateaccrual.amount,
        incentives_rebateaccrual.next_threshold, incentives_rebateaccrual.next_rate_percent)
       IS DISTINCT FROM
       (EXCLUDED.version_id, EXCLUDED.as_of, EXCLUDED.basis, EXCLUDED.rate_percent, EXCLUDED.amount,
        EXCLUDED.next_threshold, EXCLUDED.next_rate_percent)
"""

# The accruals of the recomputed periods that the night did not make again (a program out of
# force, a partner no longer eligible).
STALE_DELETE = """
DELETE FROM incentives_rebateaccrual accrual
 WHERE accrual.tenant_id = %(tenant)s AND accrual.period = ANY(%(periods)s::text[])
   AND NOT EXISTS (SELECT 1 FROM unnest(%(partner_id)s::bigint[], %(program_id)s::bigint[], %(period)s::text[])
                          AS fresh(partner_id, program_id, period)
                    WHERE fresh.partner_id = accrual.partner_id AND fresh.program_id = accrual.program_id
                      AND fresh.period = accrual.period)
"""


@transaction.atomic
def accruals_compute(*, day: datetime.date) -> dict:
    """Replace the accruals of the month, quarter and year containing ``day`` (the tenant in scope)."""
    tenant = require_tenant()
    rows: dict[str, list] = {column: [] for column in COLUMNS}
    periods = [Period.containing(day, kind) for kind in PeriodKind]
    programs = 0
    for period in periods:
        versions = programs_in_force(period)
        if not versions:
            continue
        programs += len(versions)
        terms = [ProgramTerms.of(version) for version in versions]
        version_of = {version.program.code: version for version in versions}
        metrics = {each.rule.accelerator.metric for each in terms if each.rule.accelerator}
        inputs = gather_inputs(period, through=day, accelerator_metrics=metrics)
        for line in rebate_lines(inputs, terms, keep_zero=True):
            version = version_of[line.source_code]
            values = (
                line.partner_id, version.program_id, version.pk, str(period), line.basis, line.rate_percent,
                line.amount, line.details["next_threshold"], line.details["next_rate_percent"],
            )  # fmt: skip
            for column, value in zip(COLUMNS, values, strict=True):
                rows[column].append(value)
    params = {"tenant": tenant.pk, "as_of": day, "periods": [str(period) for period in periods], **rows}
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, params)
        cursor.execute(STALE_DELETE, params)
        removed = cursor.rowcount
    return {"accruals": len(rows["partner_id"]), "programs": programs, "removed": removed}
