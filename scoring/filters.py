"""FilterSets for the scoring API."""

import django_filters

from common.filters import FilterSet

from .models import JobRun, TierRecommendation


class TierRecommendationFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=TierRecommendation.Status.choices)

    class Meta:
        model = TierRecommendation
        fields = ["status"]


class JobRunFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=JobRun.Status.choices)
    day = django_filters.DateFilter()

    class Meta:
        model = JobRun
        fields = ["status", "day"]
