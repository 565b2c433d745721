"""FilterSets of screening, shared by pages and API: partners to compare, evaluations, exit reviews."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from common.filters import FilterSet, PartnerMatchFilter
from partners.models import Partner, PartnerKind, PartnerStatus

from .models import Evaluation, ExitReview, ExitStatus


class CandidateFilter(FilterSet):
    """Partners to screen and compare: by tags, region, kind, industry (case-insensitive, any part)."""

    q = PartnerMatchFilter(path="", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=PartnerStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=PartnerKind.choices, label=_("Kind"))
    region = django_filters.CharFilter(field_name="region", lookup_expr="icontains", label=_("Region"))
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))
    industry = django_filters.CharFilter(method="filter_industry", label=_("Industry"))

    class Meta:
        model = Partner
        fields = ["q", "status", "kind", "region", "tag", "industry"]

    def _any_element(self, queryset, column: str, value: str):
        """Every one of the comma-separated words found in the list (case-insensitive, any part of an element)."""
        words = [word.strip() for word in value.replace("，", ",").split(",") if word.strip()]
        for word in words[:10]:
            queryset = queryset.extra(  # noqa: S610 - the column is ours, the word a parameter
                where=[f"EXISTS (SELECT 1 FROM unnest({column}) AS element WHERE element ILIKE %s)"],
                params=[f"%{word.replace('%', r'\%').replace('_', r'\_')}%"],
            )
        return queryset

    def filter_tag(self, queryset, name, value):
        return self._any_element(queryset, '"partners_partner"."tags"', value) if value else queryset

    def filter_industry(self, queryset, name, value):
        return self._any_element(queryset, '"partners_partner"."industries"', value) if value else queryset


class EvaluationFilter(FilterSet):
    partner = PartnerMatchFilter(label=_("Partner code or name"))
    evaluator = django_filters.CharFilter(field_name="evaluator__email", lookup_expr="iexact", label=_("Evaluator"))
    current = django_filters.BooleanFilter(field_name="is_current", label=_("Current versions only"))

    class Meta:
        model = Evaluation
        fields = ["partner", "evaluator", "current"]


class ExitReviewFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=ExitStatus.choices, label=_("Status"))
    partner = PartnerMatchFilter(label=_("Partner code or name"))

    class Meta:
        model = ExitReview
        fields = ["status", "partner"]
