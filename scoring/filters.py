"""FilterSets for the scoring API."""

import django_filters

from .models import JobRun, TierRecommendation


class TierRecommendationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TierRecommendation.Status.choices)

    class Meta:
        model = TierRecommendation
        fields = ["status"]


class JobRunFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=JobRun.Status.choices)
    day = django_filters.DateFilter()

    class Meta:
        model = JobRun
        fields = ["status", "day"]
