from rest_framework import serializers

from qudao_api.fields import TextField

from .models import JobRun, PartnerScore, TierRecommendation


class PartnerScoreSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code", read_only=True)
    recommended_tier = serializers.CharField(source="recommended_tier.code", read_only=True)
    current_tier = serializers.CharField(source="partner.tier.code", read_only=True)
    inputs = serializers.SerializerMethodField()

    class Meta:
        model = PartnerScore
        fields = [
            "id", "partner", "day", "volume", "growth", "attainment", "collection", "overdue", "score",
            "weights", "recommended_tier", "current_tier", "inputs",
        ]  # fmt: skip

    def get_inputs(self, score) -> dict:
        money = ("sales_365", "sales_prior_365", "max_sales_365", "payments_365", "invoices_365",
                 "outstanding", "overdue_amount")  # fmt: skip
        data = {name: f"{getattr(score, name):.2f}" for name in money}
        data["attainment_mean"] = None if score.attainment_mean is None else str(score.attainment_mean)
        data["target_count"] = score.target_count
        return data


class TierRecommendationSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code", read_only=True)
    from_tier = serializers.CharField(source="from_tier.code", read_only=True)
    to_tier = serializers.CharField(source="to_tier.code", read_only=True)
    score = serializers.DecimalField(source="score.score", max_digits=5, decimal_places=2, read_only=True)
    day = serializers.DateField(source="score.day", read_only=True)

    class Meta:
        model = TierRecommendation
        fields = ["id", "partner", "from_tier", "to_tier", "score", "day", "status", "reason", "decided_at"]


class DecisionSerializer(serializers.Serializer):
    reason = TextField(required=False, allow_blank=True, default="")


class JobRunSerializer(serializers.ModelSerializer):
    duration_seconds = serializers.FloatField(read_only=True)

    class Meta:
        model = JobRun
        fields = ["id", "kind", "day", "status", "progress", "step", "started_at", "finished_at",
                  "duration_seconds", "error", "summary", "triggered_by"]  # fmt: skip
