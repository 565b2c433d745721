"""API shapes of screening (SPEC §6): the scorecard, evaluations, a partner's screening, exit reviews.

A partner is named by its code, scores are text with two places (``"60.00"``), people by e-mail.
"""

from __future__ import annotations

from rest_framework import serializers

from qudao_api.fields import DateField, TextField

from .models import (
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Criterion,
    Decision,
    Evaluation,
    Evidence,
    ExitDecision,
    ExitReview,
    Rating,
    ScreeningDecision,
)

SCORE = {"max_digits": 5, "decimal_places": 2, "read_only": True}


class CriterionSerializer(serializers.ModelSerializer):
    code = serializers.SlugField(max_length=32)
    name = serializers.CharField(read_only=True)
    name_zh = TextField(max_length=100)
    name_en = TextField(max_length=100)
    weight = serializers.IntegerField(min_value=1, max_value=100)
    anchors_zh = serializers.ListField(child=TextField(max_length=500), min_length=5, max_length=5)
    anchors_en = serializers.ListField(child=TextField(max_length=500), min_length=5, max_length=5)

    class Meta:
        model = Criterion
        fields = ["code", "name", "name_zh", "name_en", "weight", "anchors_zh", "anchors_en"]


class ScorecardSerializer(serializers.Serializer):
    """The criteria in use, in order, and the two thresholds; a PUT replaces them all."""

    criteria = CriterionSerializer(many=True)
    threshold = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    exit_threshold = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)

    def validate_criteria(self, value):
        if not value:
            raise serializers.ValidationError("The scorecard needs at least one criterion.")
        return value


class RatingSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.code", read_only=True)
    criterion_name = serializers.CharField(source="criterion.name", read_only=True)

    class Meta:
        model = Rating
        fields = ["criterion", "criterion_name", "weight", "rating", "note"]
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "original_filename", "url", "created_at"]
        read_only_fields = fields

    def get_url(self, evidence: Evidence) -> str:
        from django.urls import reverse

        tenant = self.context.get("tenant")
        if tenant is None:
            return ""
        return reverse("screening:evidence", kwargs={"tenant_slug": tenant.slug, "pk": evidence.pk})


class EvaluationSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code", read_only=True)
    evaluator = serializers.EmailField(source="evaluator.email", read_only=True)
    ratings = RatingSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "partner",
            "evaluator",
            "version",
            "is_current",
            "score",
            "summary",
            "ratings",
            "evidence",
            "created_at",
        ]
        read_only_fields = fields


class RatingInputSerializer(serializers.Serializer):
    criterion = serializers.CharField(max_length=32)
    rating = serializers.IntegerField(min_value=1, max_value=5)
    note = TextField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


class EvaluationInputSerializer(serializers.Serializer):
    """``{partner, ratings: [{criterion, rating, note}], summary?}``: every criterion in use, rated 1–5."""

    partner = serializers.CharField(max_length=50)
    ratings = RatingInputSerializer(many=True, allow_empty=False, max_length=50)
    summary = TextField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


class EvidenceInputSerializer(serializers.Serializer):
    file = serializers.FileField()


class ScreeningDecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.SerializerMethodField()
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)

    class Meta:
        model = ScreeningDecision
        fields = [
            "id",
            "decision",
            "decision_label",
            "reason",
            "screening_score",
            "threshold",
            "recommendation",
            "evaluator_count",
            "moved_to",
            "decided_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_decided_by(self, decision: ScreeningDecision) -> str | None:
        return decision.decided_by.email if decision.decided_by_id else None


class ScreeningSerializer(serializers.Serializer):
    """A partner's screening score (the mean of its evaluators' latest scores) and the recommendation."""

    partner = serializers.CharField()
    status = serializers.CharField()
    screening_score = serializers.DecimalField(allow_null=True, **SCORE)
    threshold = serializers.DecimalField(**SCORE)
    recommendation = serializers.ChoiceField(choices=Decision.choices, allow_null=True, read_only=True)
    evaluator_count = serializers.IntegerField()
    evaluations = EvaluationSerializer(many=True)
    decisions = ScreeningDecisionSerializer(many=True)


class DecideInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = TextField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")


class ExitReviewSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    opened_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = ExitReview
        fields = [
            "id",
            "partner",
            "partner_name",
            "status",
            "status_label",
            "flagged_on",
            "window_starts_on",
            "runs",
            "highest_score",
            "latest_score",
            "exit_threshold",
            "opened_by",
            "opening_reason",
            "decision",
            "reason",
            "plan",
            "review_on",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields

    def get_opened_by(self, review: ExitReview) -> str | None:
        """Who put the partner up for review; null when the nightly job flagged it."""
        return review.opened_by.email if review.opened_by_id else None

    def get_decided_by(self, review: ExitReview) -> str | None:
        return review.decided_by.email if review.decided_by_id else None


class ExitReviewOpenSerializer(serializers.Serializer):
    partner = serializers.CharField(max_length=50)
    reason = TextField(max_length=REASON_MAX_LENGTH)


class ExitReviewDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ExitDecision.choices)
    reason = TextField(max_length=REASON_MAX_LENGTH)
    plan = TextField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")
    review_on = DateField(required=False, allow_null=True, default=None)
