"""Settlement runs (SPEC §4.6): a period's statements computed, exactly once, whatever happens.

- Starting a run while another run of the period is waiting or under way is refused (a partial
  unique constraint: two runs started together cannot both start).
- A run is claimed before it computes (pending → running), so a task delivered twice computes once.
- The computation is one transaction: it reads one snapshot of the facts (one statement, and
  REPEATABLE READ when the run is its own transaction), writes every statement and line or none,
  and holds the run's row lock while it works — a run whose row is ``running`` but unlocked has
  lost its worker, and ``settlement_runs_expire`` marks it failed, so it can be run again.
- Statements are upserted on (tenant, partner, period) and lines on (statement, kind, source):
  running the period again recomputes draft (and disputed) statements in place, keeps the
  adjustment lines people entered, and never touches an approved or paid statement.
"""

from __future__ import annotations

import datetime
import logging
import traceback

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.errors import Conflict
from common.periods import Period
from common.progress import progress_clear, progress_publish
from common.tasks import enqueue
from funds.payouts import claims_due, write_mdf_lines
from incentives.engine import ComputedLine, period_lines
from incentives.explain import Explainer
from tenancy.context import require_tenant, tenant_scope

from ..models import FROZEN, SettlementRun, Statement, StatementStatus
from . import notices

logger = logging.getLogger(__name__)

PROGRESS_KIND = SettlementRun.PROGRESS_KIND
# A run row left ``running`` and unlocked for this long lost its worker (the computing transaction
# holds the row's lock for as long as it lives).
STALE_AFTER = datetime.timedelta(minutes=2)
PENDING_TIMEOUT = datetime.timedelta(minutes=30)  # queued, and no worker took it


def parse_period(text: str) -> Period:
    from django.core.exceptions import ValidationError

    try:
        return Period.parse(text)
    except ValueError as error:
        raise ValidationError({"period": str(error)}) from error


def settlement_run_start(*, period: str, actor, queue: bool = True) -> SettlementRun:
    """Queue a run of ``period`` (a task; in-process without a broker). 409 while one is under way.

    With ``queue=False`` nothing is queued: the caller computes the run itself, after this
    transaction, with ``settlement_run_execute`` (``close_period`` does, to run it synchronously).
    """
    from ..tasks import run_settlement

    parsed = parse_period(period)
    settlement_runs_expire()
    run = SettlementRun(period=str(parsed), starts_on=parsed.start, ends_on=parsed.end, started_by=actor)
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError:
        raise Conflict(
            _("A settlement run of %(period)s is already under way; wait for it to finish.") % {"period": parsed}
        ) from None
    if queue:
        tenant_id, run_id = run.tenant_id, run.pk
        transaction.on_commit(lambda: enqueue(run_settlement, tenant_id, run_id))
    return run


def settlement_run_execute(*, run: SettlementRun) -> SettlementRun:
    """Compute a claimed run (the task's body). Each step is a tenant scope: a transaction of its own."""
    tenant = run.tenant
    with tenant_scope(tenant):
        claimed = SettlementRun.objects.filter(pk=run.pk, status=SettlementRun.Status.PENDING).update(
            status=SettlementRun.Status.RUNNING, started_at=timezone.now(), updated_at=Now()
        )
    if claimed:
        try:
            with _snapshot(), tenant_scope(tenant):
                summary = _compute_and_write(run)
        except Exception as error:  # the run says why; nothing of it was written
            logger.exception("Settlement run %s failed", run.pk)
            with tenant_scope(tenant):
                SettlementRun.objects.filter(pk=run.pk, status=SettlementRun.Status.RUNNING).update(
                    status=SettlementRun.Status.FAILED,
                    finished_at=timezone.now(),
                    error=f"{type(error).__name__}: {error}\n\n{traceback.format_exc(limit=6)}",
                    updated_at=Now(),
                )
        else:
            logger.info("Settlement run %s: %s", run.pk, summary)
        finally:
            progress_clear(tenant_id=run.tenant_id, kind=PROGRESS_KIND, pk=run.pk)
    with tenant_scope(tenant):
        run.refresh_from_db()
    return run


class _snapshot:
    """REPEATABLE READ for the computing transaction when it is a transaction of its own.

    (Inside a caller's transaction — a test's — the isolation is the caller's; the facts are then
    still read in one statement, which is one snapshot.)
    """

    def __enter__(self):
        self.atomic = None
        if not connection.in_atomic_block:
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return self

    def __exit__(self, *exc):
        if self.atomic is not None:
            return self.atomic.__exit__(*exc)
        return False


def _publish(run: SettlementRun, percent: int) -> None:
    progress_publish(tenant_id=run.tenant_id, kind=PROGRESS_KIND, pk=run.pk, done=percent, total=100)


def _compute_and_write(run: SettlementRun) -> dict:
    tenant = require_tenant()
    # Takes the run's row lock, held to the end: settlement_runs_expire leaves a run alone while it lives.
    SettlementRun.objects.filter(pk=run.pk).update(progress=5, updated_at=Now())
    _publish(run, 5)
    period = Period.parse(run.period)
    lines = period_lines(period)
    _publish(run, 50)
    with translation.override(tenant.language):
        written = write_statements(period=period, lines=lines, run=run, actor=run.started_by)
    _publish(run, 95)
    finished = SettlementRun.objects.filter(pk=run.pk, status=SettlementRun.Status.RUNNING).update(
        status=SettlementRun.Status.SUCCEEDED,
        progress=100,
        finished_at=timezone.now(),
        statements_count=written["statements"],
        lines_count=written["lines"],
        skipped_count=written["skipped"],
        total=written["total"],
        updated_at=Now(),
    )
    if not finished:
        raise RuntimeError("the run was marked failed while it computed")
    return written


# --- writing: a few statements whatever the number of partners -------------------------------------

STATEMENTS_UPSERT = """
INSERT INTO settlements_statement
       (tenant_id, partner_id, period, starts_on, ends_on, status, currency, total, run_id, last_changed_by_id,
        dispute_reason, payment_reference, created_at, updated_at)
SELECT %(tenant)s, partner_id, %(period)s, %(starts_on)s, %(ends_on)s, 'draft', %(currency)s, 0, %(run)s, %(actor)s,
       '', '', now(), now()
  FROM unnest(%(partners)s::bigint[]) AS partner_id
ON CONFLICT (tenant_id, partner_id, period) DO UPDATE
   SET run_id = EXCLUDED.run_id, last_changed_by_id = EXCLUDED.last_changed_by_id, updated_at = now()
 WHERE settlements_statement.status IN ('draft', 'disputed')
RETURNING id, partner_id, (xmax = 0) AS inserted, status
"""

LINES_STAGE = "stage_settlement_lines"
LINE_COLUMNS = ("statement_id", "kind", "source_code", "source_version", "basis", "rate_percent", "amount",
                "explanation", "details")  # fmt: skip

LINES_UPSERT = f"""
INSERT INTO settlements_statementline
       (tenant_id, {", ".join(LINE_COLUMNS)}, reason, created_by_id, created_at, updated_at)
SELECT %(tenant)s, {", ".join(LINE_COLUMNS)}, '', %(actor)s, now(), now() FROM {LINES_STAGE}
ON CONFLICT (tenant_id, statement_id, kind, source_code) WHERE kind IN ('rebate', 'profit_share', 'loss_share')
DO UPDATE SET source_version = EXCLUDED.source_version, basis = EXCLUDED.basis,
              rate_percent = EXCLUDED.rate_percent, amount = EXCLUDED.amount,
              explanation = EXCLUDED.explanation, details = EXCLUDED.details, updated_at = now()
        WHERE (settlements_statementline.source_version, settlements_statementline.basis,
               settlements_statementline.rate_percent, settlements_statementline.amount,
               settlements_statementline.explanation, settlements_statementline.details)
              IS DISTINCT FROM
              (EXCLUDED.source_version, EXCLUDED.basis, EXCLUDED.rate_percent, EXCLUDED.amount,
               EXCLUDED.explanation, EXCLUDED.details)
"""

# The run touches every statement of the period that is not approved or paid: its statements are found by
# the period (a join), never by a list of ids (``= ANY(array)`` of thousands is a scan per row).
OPEN = "SELECT id FROM settlements_statement WHERE period = %(period)s AND status IN ('draft', 'disputed')"

# Computed lines of the period's open statements whose source pays nothing any more.
VANISHED_LINES_DELETE = f"""
DELETE FROM settlements_statementline line
 WHERE line.statement_id IN ({OPEN})
   AND line.kind IN ('rebate', 'profit_share', 'loss_share')
   AND NOT EXISTS (SELECT 1 FROM {LINES_STAGE} s
                    WHERE s.statement_id = line.statement_id AND s.kind = line.kind
                      AND s.source_code = line.source_code)
"""

TOTALS_UPDATE = f"""
UPDATE settlements_statement s
   SET total = COALESCE(sums.total, 0)
  FROM (SELECT open.id, SUM(line.amount) AS total
          FROM ({OPEN}) open LEFT JOIN settlements_statementline line ON line.statement_id = open.id
         GROUP BY open.id) sums
 WHERE s.id = sums.id AND s.total IS DISTINCT FROM COALESCE(sums.total, 0)
"""

# Of the drafts no program pays any more: those with no line left and nothing a person did on them.
EMPTY_DRAFTS = """
SELECT s.id FROM settlements_statement s
 WHERE s.id = ANY(%(candidates)s::bigint[]) AND s.status = 'draft'
   AND NOT EXISTS (SELECT 1 FROM settlements_statementline l WHERE l.statement_id = s.id)
   AND NOT EXISTS (SELECT 1 FROM settlements_statementevent e
                    WHERE e.statement_id = s.id AND e.action NOT IN ('computed', 'recomputed'))
"""

EVENTS_INSERT = """
INSERT INTO settlements_statementevent
       (tenant_id, statement_id, action, from_status, to_status, actor_id, note, details, created_at, updated_at)
SELECT %(tenant)s, statement_id, CASE WHEN inserted THEN 'computed' ELSE 'recomputed' END,
       CASE WHEN inserted THEN '' ELSE status END, status, %(actor)s, %(note)s, '{}', now(), now()
  FROM unnest(%(statements)s::bigint[], %(inserted)s::boolean[], %(statuses)s::text[])
       AS touched(statement_id, inserted, status)
"""


def write_statements(*, period: Period, lines: list[ComputedLine], run: SettlementRun | None, actor) -> dict:
    """Write the period's computed lines into its statements (drafts and disputed only), set-based.

    A statement whose lines did not change is left as it was (no event, same ``updated_at`` of its
    lines). Returns ``{"statements", "lines", "changed", "skipped", "total"}``: the period's open
    statements, lines written, statements made or changed by this run, the approved or paid ones
    left as they are, and the total of the open statements.
    """
    tenant = require_tenant()
    existing = dict(Statement.objects.filter(period=str(period)).values_list("partner_id", "status"))
    skipped = {partner_id for partner_id, status in existing.items() if status in FROZEN}
    paying = {line.partner_id for line in lines} - skipped
    # Approved fund claims of the period not paid yet: their partners get a statement too (SPEC §4.10).
    due_claims = claims_due(period)
    funded = {claim.partner_id for claim in due_claims} - skipped
    # Drafts from an earlier run that may now pay nothing: they are recomputed too (and dropped if empty).
    partners = sorted(paying | funded | {pid for pid, status in existing.items() if status not in FROZEN})
    params = {
        "tenant": tenant.pk,
        "period": str(period),
        "starts_on": period.start,
        "ends_on": period.end,
        "currency": tenant.currency,
        "run": run.pk if run else None,
        "actor": getattr(actor, "pk", None),
        "partners": partners,
    }
    label = period.label
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(STATEMENTS_UPSERT, params)
        touched = {statement_id: (partner_id, inserted, status) for statement_id, partner_id, inserted, status in
                   cursor.fetchall()}  # fmt: skip
        statement_of = {partner_id: statement_id for statement_id, (partner_id, _i, _s) in touched.items()}
        cursor.execute(
            f"CREATE TEMP TABLE {LINES_STAGE} ON COMMIT DROP AS "
            f"SELECT {', '.join(LINE_COLUMNS)} FROM settlements_statementline WITH NO DATA"
        )
        written_lines = 0
        explained = Explainer(period=period, label=label, currency=tenant.currency)
        with cursor.copy(f"COPY {LINES_STAGE} ({', '.join(LINE_COLUMNS)}) FROM STDIN") as copy:
            for line in lines:
                statement_id = statement_of.get(line.partner_id)
                if statement_id is None:  # approved or paid: left as it is
                    continue
                copy.write_row(
                    (statement_id, line.kind, line.source_code, line.source_version, line.basis, line.rate_percent,
                     line.amount, explained(line), _json(line.details))
                )  # fmt: skip
                written_lines += 1
        cursor.execute(LINES_UPSERT + " RETURNING statement_id", params)
        changed = {row[0] for row in cursor.fetchall()}
        cursor.execute(VANISHED_LINES_DELETE + " RETURNING statement_id", params)
        changed.update(row[0] for row in cursor.fetchall())
        cursor.execute(f"DROP TABLE {LINES_STAGE}")
        funded_statements, mdf_lines = write_mdf_lines(
            cursor, due=due_claims, statement_of=statement_of, tenant=tenant, actor_id=params["actor"]
        )
        changed |= funded_statements
        written_lines += mdf_lines
        # A draft no program pays any more, with nothing a person did on it, goes.
        candidates = [sid for sid, (partner_id, _i, status) in touched.items() if partner_id not in paying
                      and status == StatementStatus.DRAFT]  # fmt: skip
        empty: set[int] = set()
        if candidates:
            cursor.execute(EMPTY_DRAFTS, {"candidates": candidates})
            empty = {row[0] for row in cursor.fetchall()}
        if empty:
            cursor.execute("DELETE FROM settlements_statementevent WHERE statement_id = ANY(%s)", [list(empty)])
            cursor.execute("DELETE FROM settlements_statement WHERE id = ANY(%s)", [list(empty)])
        cursor.execute(TOTALS_UPDATE, params)
        recorded = [
            sid for sid, (_p, inserted, _s) in touched.items() if sid not in empty and (inserted or sid in changed)
        ]
        cursor.execute(
            EVENTS_INSERT,
            {
                "tenant": tenant.pk,
                "actor": params["actor"],
                "note": _("Settlement run #%(run)s") % {"run": run.pk} if run else "",
                "statements": recorded,
                "inserted": [touched[sid][1] for sid in recorded],
                "statuses": [touched[sid][2] for sid in recorded],
            },
        )
        cursor.execute(
            "SELECT count(*), COALESCE(SUM(total), 0) FROM settlements_statement"
            " WHERE period = %(period)s AND status IN ('draft', 'disputed')",
            params,
        )
        statements, total = cursor.fetchone()
    # The partners' administrators hear of each statement made or changed (a fixed number of queries).
    notices.statements_ready(statement_ids=recorded, new_ids={sid for sid in recorded if touched[sid][1]})
    return {
        "statements": statements,
        "lines": written_lines,
        "changed": len(recorded),
        "skipped": len(skipped),
        "total": total,
    }


def _json(details: dict) -> str:
    import json

    return json.dumps(details, ensure_ascii=False, sort_keys=True)


def settlement_runs_expire() -> int:
    """Fail the tenant's runs that lost their worker, in one statement; returns how many.

    A ``running`` run whose row nobody holds (the computing transaction holds it to the end) and
    that showed no sign of life for ``STALE_AFTER``, or a ``pending`` one no worker took within
    ``PENDING_TIMEOUT``. The period can then be run again.
    """
    now = timezone.now()
    with translation.override(require_tenant().language):
        reason = _("The run stopped before it finished (its worker went away); nothing was written. Run it again.")
    lost = Q(status=SettlementRun.Status.RUNNING, updated_at__lt=now - STALE_AFTER) | Q(
        status=SettlementRun.Status.PENDING, updated_at__lt=now - PENDING_TIMEOUT
    )
    with transaction.atomic():
        unlocked = SettlementRun.objects.filter(lost).order_by().select_for_update(skip_locked=True).values("pk")
        return SettlementRun.objects.filter(pk__in=unlocked).update(
            status=SettlementRun.Status.FAILED, finished_at=now, error=reason, updated_at=now
        )
