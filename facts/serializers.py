from rest_framework import serializers

from .calculations import BUCKETS
from .models import Invoice, Payment, Sale, WriteOff


class FactSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code", read_only=True)


class SaleSerializer(FactSerializer):
    class Meta:
        model = Sale
        fields = ["id", "external_id", "partner", "date", "customer", "product_category", "amount", "cost"]


class InvoiceSerializer(FactSerializer):
    class Meta:
        model = Invoice
        fields = ["id", "external_id", "partner", "number", "issue_date", "due_date", "amount"]


class PaymentSerializer(FactSerializer):
    invoice = serializers.CharField(source="invoice.number", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Payment
        fields = ["id", "external_id", "partner", "date", "amount", "invoice"]


class WriteOffSerializer(FactSerializer):
    class Meta:
        model = WriteOff
        fields = ["id", "external_id", "partner", "date", "amount", "reason"]


class BulkRowsSerializer(serializers.Serializer):
    """``{"rows": [...]}``; the rows themselves are checked by the one fact validator."""

    rows = serializers.ListField(child=serializers.DictField(), allow_empty=False)


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField(help_text="Known rows whose values changed.")
    unchanged = serializers.IntegerField(help_text="Known rows re-sent with the same values: left as they were.")


class ReceivablesSerializer(serializers.Serializer):
    partner = serializers.CharField()
    day = serializers.DateField()
    invoiced = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    outstanding = serializers.DecimalField(max_digits=16, decimal_places=2)
    overdue = serializers.DecimalField(max_digits=16, decimal_places=2)
    aging = serializers.DictField(child=serializers.DecimalField(max_digits=16, decimal_places=2))

    @staticmethod
    def row(partner, receivables) -> dict:
        return {
            "partner": partner.code,
            "day": receivables.day,
            "invoiced": receivables.invoiced,
            "paid": receivables.paid,
            "outstanding": receivables.outstanding,
            "overdue": receivables.overdue,
            "aging": {name: getattr(receivables, name) for name in BUCKETS},
        }
