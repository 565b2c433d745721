"""Reads of programs, agreements and accruals: the latest version of each, and who may see which.

A partner-side member sees the programs whose latest version applies to its partner's tier (no
tiers: every tier) and the agreements whose latest version gives its tier a rate (SPEC §1: "the
rules that pay them"); vendor members see them all.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db.models import CharField, JSONField, OuterRef, Prefetch, Q, QuerySet, Subquery

from partners.models import Partner, Tier

from .models import ProfitShareAgreement, ProfitShareVersion, RebateAccrual, RebateProgram, RebateProgramVersion


def _latest(versions: QuerySet, parent: str, field: str, output_field=None) -> Subquery:
    latest = versions.filter(**{parent: OuterRef("pk")}).order_by("-number").values(field)[:1]
    return Subquery(latest, output_field=output_field) if output_field is not None else Subquery(latest)


def programs_with_latest(programs: QuerySet[RebateProgram]) -> QuerySet[RebateProgram]:
    """Each program with its latest version prefetched (``latest_version(program)``) and its latest
    basis, method, period kind and tiers annotated (for filters), in two queries for any page."""
    versions = RebateProgramVersion.objects.all()
    return programs.annotate(
        latest_basis=_latest(versions, "program", "basis"),
        latest_method=_latest(versions, "program", "method"),
        latest_period_kind=_latest(versions, "program", "period_kind"),
        latest_tiers=_latest(versions, "program", "tiers", ArrayField(CharField())),
    ).prefetch_related(
        Prefetch(
            "versions",
            queryset=RebateProgramVersion.objects.order_by("program_id", "-number").distinct("program_id"),
            to_attr="latest_versions",
        )
    )


def agreements_with_latest(agreements: QuerySet[ProfitShareAgreement]) -> QuerySet[ProfitShareAgreement]:
    versions = ProfitShareVersion.objects.all()
    return agreements.annotate(
        latest_period_kind=_latest(versions, "agreement", "period_kind"),
        latest_rates=_latest(versions, "agreement", "rates", JSONField()),
    ).prefetch_related(
        Prefetch(
            "versions",
            queryset=ProfitShareVersion.objects.order_by("agreement_id", "-number").distinct("agreement_id"),
            to_attr="latest_versions",
        )
    )


def latest_version(parent: RebateProgram | ProfitShareAgreement):
    """The version in use: the one a service just made or changed, the prefetched one, or a query."""
    for attribute in ("latest", "latest_versions"):
        found = getattr(parent, attribute, None)
        if isinstance(found, list):
            found = found[0] if found else None
        if found is not None:
            return found
    return parent.versions.order_by("-number").first()


def _partner_tier_code(membership) -> str:
    return Partner.objects.filter(pk=membership.partner_id).values_list("tier__code", flat=True).first() or ""


def programs_visible_to(programs: QuerySet[RebateProgram], membership) -> QuerySet[RebateProgram]:
    """All programs for vendor members; for a partner's, those whose latest version applies to its tier."""
    if membership.is_vendor_side:
        return programs
    code = _partner_tier_code(membership)
    if "latest_tiers" not in programs.query.annotations:
        programs = programs.annotate(
            latest_tiers=_latest(RebateProgramVersion.objects.all(), "program", "tiers", ArrayField(CharField()))
        )
    return programs.filter(Q(latest_tiers=[]) | Q(latest_tiers__contains=[code]))


def agreements_visible_to(agreements: QuerySet[ProfitShareAgreement], membership) -> QuerySet[ProfitShareAgreement]:
    """All agreements for vendor members; for a partner's, those whose latest version gives its tier a rate."""
    if membership.is_vendor_side:
        return agreements
    code = _partner_tier_code(membership)
    if "latest_rates" not in agreements.query.annotations:
        agreements = agreements.annotate(
            latest_rates=_latest(ProfitShareVersion.objects.all(), "agreement", "rates", JSONField())
        )
    return agreements.filter(latest_rates__contains=[{"tier": code}])


def tier_names() -> dict[str, str]:
    return dict(Tier.objects.values_list("code", "name"))


def latest_accruals(partner_id: int) -> list[RebateAccrual]:
    """The partner's accruals of the latest night that made any (its periods to date), by program."""
    accruals = RebateAccrual.objects.filter(partner_id=partner_id)
    newest = accruals.order_by("-as_of").values("as_of")[:1]
    return list(
        accruals.filter(as_of=Subquery(newest)).select_related("program", "version").order_by("period", "program__code")
    )
