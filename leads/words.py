"""The words of an assignment, written when it is read, in the reader's language (stored: codes and numbers).

"Offered to HX-0007: region and industry match, score 81.20, highest of 4; HX-0012 left out: cap reached."
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from . import distribution
from .models import Assignment, Rule

RULE_MATCH = {
    Rule.REGION_INDUSTRY: lambda: _("region and industry match"),
    Rule.REGION: lambda: _("region matches (no partner of the region in the industry)"),
}


def reason_label(code: str) -> str:
    label = distribution.REASONS.get(code)
    return str(label) if label is not None else code


def unassigned_label(code: str) -> str:
    label = distribution.UNASSIGNED_REASONS.get(code)
    return str(label) if label is not None else code


def _chosen_phrase(assignment: Assignment, candidates: list[dict]) -> str:
    chosen = candidates[0]
    if assignment.rule == Rule.MANUAL:
        return _("Offered to %(code)s by hand, score %(score)s, holding %(open)s open leads.") % {
            "code": chosen["partner"],
            "score": chosen["score"],
            "open": chosen.get("open_leads", 0),
        }
    eligible = [candidate for candidate in candidates if candidate["reason"] not in distribution.LEFT_OUT]
    tied = [candidate for candidate in eligible if Decimal(candidate["score"]) == Decimal(chosen["score"])]
    if len(eligible) == 1:
        standing = _("the only one eligible")
    elif len(tied) == 1:
        standing = ngettext("highest of %(count)d", "highest of %(count)d", len(eligible)) % {"count": len(eligible)}
    else:
        standing = ngettext(
            "tied with %(count)d other, its turn (longest since its last lead)",
            "tied with %(count)d others, its turn (longest since its last lead)",
            len(tied) - 1,
        ) % {"count": len(tied) - 1}
    return _("Offered to %(code)s: %(match)s, score %(score)s, %(standing)s") % {
        "code": chosen["partner"],
        "match": RULE_MATCH[assignment.rule](),
        "score": chosen["score"],
        "standing": standing,
    }


def assignment_sentence(assignment: Assignment) -> str:
    """One assignment in a sentence: whom it went to, by which rule and why; who was left out and why."""
    candidates = list(assignment.candidates or [])
    if assignment.partner_id is None or not candidates or candidates[0]["reason"] != distribution.CHOSEN:
        if assignment.unassigned_reason == distribution.ALL_LEFT_OUT and candidates:
            head = _("Left unassigned: %(reason)s") % {"reason": unassigned_label(assignment.unassigned_reason)}
        else:
            return _("Left unassigned: %(reason)s.") % {"reason": unassigned_label(assignment.unassigned_reason)}
        parts = [head]
        rest = candidates
    else:
        parts = [_chosen_phrase(assignment, candidates)]
        rest = candidates[1:]
    left_out = [candidate for candidate in rest if candidate["reason"] in distribution.LEFT_OUT]
    for candidate in left_out:
        parts.append(
            _("%(code)s left out: %(reason)s")
            % {"code": candidate["partner"], "reason": reason_label(candidate["reason"])}
        )
    return pgettext("clause separator", "; ").join(str(part) for part in parts) + pgettext("sentence end", ".")


def candidate_rows(assignment: Assignment) -> list[dict]:
    """The candidates of an assignment for a table: code, score, open leads then, and the reason in words."""
    return [
        {
            "partner": candidate["partner"],
            "partner_id": candidate.get("partner_id"),
            "score": candidate["score"],
            "open_leads": candidate.get("open_leads", 0),
            "reason": candidate["reason"],
            "reason_label": reason_label(candidate["reason"]),
            "chosen": candidate["reason"] == distribution.CHOSEN,
            "left_out": candidate["reason"] in distribution.LEFT_OUT,
        }
        for candidate in assignment.candidates or []
    ]
