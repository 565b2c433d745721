"""Approved fund claims paid on settlement statements (SPEC §4.10), as the settlement run's ``mdf`` lines.

A claim approved on day D is paid by the first settlement run, of any period containing D, that runs
after its approval: the run writes it as an ``mdf`` line of the partner's statement and the claim
keeps that line (``FundClaim.statement_line``). Recomputing the statement leaves the line where it is
(only computed lines are recomputed), and the line's source is unique in the tenant, so the claim
never appears on another statement. A claim whose partner's statement of that period is approved or
paid already waits for the next run of a period containing D (the quarter, the year).

Set-based: one query finds the claims a run pays, one inserts their lines, one links them back.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from common.money import format_money
from common.periods import Period

from .models import DecisionStatus, FundClaim, claim_source_code


@dataclasses.dataclass(frozen=True)
class DueClaim:
    claim_id: int
    partner_id: int
    amount: Decimal
    claimed: Decimal
    decided_on: datetime.date
    fund_code: str
    fund_name: str
    activity: str
    reason: str

    @property
    def source_code(self) -> str:
        return claim_source_code(self.fund_code, self.claim_id)


def claims_due(period: Period) -> list[DueClaim]:
    """Approved claims not yet on any statement whose approval day falls in ``period`` (one query)."""
    rows = (
        FundClaim.objects.filter(
            status=DecisionStatus.APPROVED,
            statement_line__isnull=True,
            decided_on__gte=period.start,
            decided_on__lte=period.end,
        )
        .order_by("id")
        .values_list(
            "id",
            "partner_id",
            "approved_amount",
            "amount",
            "decided_on",
            "request__fund__code",
            "request__fund__name",
            "request__activity",
            "decision_reason",
        )
    )
    return [DueClaim(*row) for row in rows]


def explanation(claim: DueClaim, currency: str) -> str:
    """The line's explanation, in the language active (the run's: the tenant's)."""
    text = _(
        "Market development funds: claim #%(claim)s for “%(activity)s” (fund %(fund)s), approved on %(day)s "
        "for %(amount)s."
    ) % {
        "claim": claim.claim_id, "activity": claim.activity, "fund": claim.fund_name,
        "day": claim.decided_on.isoformat(), "amount": format_money(claim.amount, currency),
    }  # fmt: skip
    if claim.amount != claim.claimed:
        text += " " + _("Claimed %(claimed)s; %(reason)s") % {
            "claimed": format_money(claim.claimed, currency), "reason": claim.reason,
        }  # fmt: skip
    return text


LINES_INSERT = """
INSERT INTO settlements_statementline
       (tenant_id, statement_id, kind, source_code, source_version, basis, rate_percent, amount, explanation,
        details, reason, created_by_id, created_at, updated_at)
SELECT %(tenant)s, statement_id, 'mdf', source_code, NULL, NULL, NULL, amount, explanation, details::jsonb, '',
       %(actor)s, now(), now()
  FROM unnest(%(statements)s::bigint[], %(sources)s::text[], %(amounts)s::numeric[], %(explanations)s::text[],
              %(details)s::text[]) AS due(statement_id, source_code, amount, explanation, details)
ON CONFLICT (tenant_id, source_code) WHERE kind = 'mdf' DO NOTHING
RETURNING id, statement_id, source_code
"""

CLAIMS_LINK = """
UPDATE funds_fundclaim c SET statement_line_id = linked.line_id, updated_at = now()
  FROM unnest(%(claims)s::bigint[], %(lines)s::bigint[]) AS linked(claim_id, line_id)
 WHERE c.tenant_id = %(tenant)s AND c.id = linked.claim_id AND c.statement_line_id IS NULL
"""


def write_mdf_lines(
    cursor, *, due: list[DueClaim], statement_of: dict[int, int], tenant, actor_id
) -> tuple[set[int], int]:
    """Write the due claims of partners with an open statement as ``mdf`` lines: the statements they went
    on, and how many lines.

    ``statement_of`` maps a partner to its open (draft or disputed) statement of the run's period.
    A claim another run paid meanwhile is left out (the line's source is unique in the tenant).
    """
    import json

    paying = [claim for claim in due if claim.partner_id in statement_of]
    if not paying:
        return set(), 0
    cursor.execute(
        LINES_INSERT,
        {
            "tenant": tenant.pk,
            "actor": actor_id,
            "statements": [statement_of[claim.partner_id] for claim in paying],
            "sources": [claim.source_code for claim in paying],
            "amounts": [claim.amount for claim in paying],
            "explanations": [explanation(claim, tenant.currency) for claim in paying],
            "details": [
                json.dumps(
                    {
                        "claim": claim.claim_id,
                        "fund": claim.fund_code,
                        "approved_on": claim.decided_on.isoformat(),
                        "claimed": str(claim.claimed),
                    },
                    sort_keys=True,
                )
                for claim in paying
            ],
        },
    )
    written = cursor.fetchall()
    claim_of = {claim.source_code: claim.claim_id for claim in paying}
    cursor.execute(
        CLAIMS_LINK,
        {"tenant": tenant.pk, "claims": [claim_of[source] for _id, _s, source in written],
         "lines": [line_id for line_id, _s, _source in written]},
    )  # fmt: skip
    return {statement_id for _id, statement_id, _source in written}, len(written)


def fund_names(source_codes) -> dict[str, str]:
    """The names of the funds that ``mdf`` lines' sources (``CODE#claim``) name, by source: one query at most."""
    by_fund = {source: source.rsplit("#", 1)[0] for source in source_codes}
    if not by_fund:
        return {}
    from .models import Fund

    names = dict(Fund.objects.filter(code__in=set(by_fund.values())).values_list("code", "name"))
    return {source: names[code] for source, code in by_fund.items() if code in names}
