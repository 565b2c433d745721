import datetime

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from common.dates import tenant_today
from common.parsing import ParseError, parse_date
from partners.models import Partner
from qudao_api.idempotency import idempotent
from qudao_api.parsers import UnsafeText, shown_key
from qudao_api.viewsets import TenantViewSet
from tenancy.roles import Capability

from . import services
from .calculations import Receivables, receivables_as_of
from .filters import InvoiceFilter, PaymentFilter, SaleFilter, WriteOffFilter
from .imports.validate import RowError
from .models import Invoice, Payment, Sale, WriteOff
from .serializers import (
    BulkResultSerializer,
    BulkRowsSerializer,
    InvoiceSerializer,
    PaymentSerializer,
    ReceivablesSerializer,
    SaleSerializer,
    WriteOffSerializer,
)


def _as_row_error(error: UnsafeText) -> Exception:
    """Unstorable text in ``rows[i].field``: the batch's own error, ``{row: i + 1, field, message}``."""
    message = error.detail[next(iter(error.detail))][0]
    match error.path:
        case ("rows", int(index), str(field), *_rest):
            return services.BatchRejected([RowError(index + 1, shown_key(field), message)], 1)
        case ("rows", int(index), *_rest):
            return services.BatchRejected([RowError(index + 1, "", message)], 1)
    return error


class FactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Read a kind of fact; ``bulk/`` writes a batch of them, all or nothing."""

    kind = ""
    write_capability = Capability.WRITE_FACTS
    action_capabilities = {"bulk": Capability.WRITE_FACTS}

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner")

    @extend_schema(request=BulkRowsSerializer, responses=BulkResultSerializer)
    @action(detail=False, methods=["post"], filterset_class=None, pagination_class=None)
    @idempotent
    def bulk(self, request, *args, **kwargs):
        """Create or update rows by ``external_id``; any bad row rejects the batch with every error.

        ``updated`` counts the known rows whose values changed (their old values are kept in the
        row's history); ``unchanged`` the known rows re-sent as they are (left untouched).
        """
        try:
            data = request.data
        except UnsafeText as error:
            raise _as_row_error(error) from None
        rows = data.get("rows") if isinstance(data, dict) else None
        result = services.facts_import_api_rows(kind=self.kind, rows=rows, actor=request.user)
        return Response({"created": result.created, "updated": result.updated, "unchanged": result.unchanged})


class SaleViewSet(FactViewSet):
    model = Sale
    kind = "sales"
    serializer_class = SaleSerializer
    filterset_class = SaleFilter


class InvoiceViewSet(FactViewSet):
    model = Invoice
    kind = "invoices"
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilter


class PaymentViewSet(FactViewSet):
    model = Payment
    kind = "payments"
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner", "invoice")


class WriteOffViewSet(FactViewSet):
    model = WriteOff
    kind = "writeoffs"
    serializer_class = WriteOffSerializer
    filterset_class = WriteOffFilter


class ReceivablesViewSet(mixins.ListModelMixin, TenantViewSet):
    """Receivables and aging per partner as of ``?date=`` (default: the tenant's today)."""

    model = Partner
    partner_field = ""
    serializer_class = ReceivablesSerializer
    filterset_class = None

    @extend_schema(parameters=[OpenApiParameter("date", datetime.date)])
    def list(self, request, *args, **kwargs):
        raw = request.query_params.get("date")
        try:
            day = parse_date(raw) if raw else tenant_today(self.tenant)
        except ParseError as error:
            raise ValidationError({"date": [error.message]}) from None
        partners = self.paginate_queryset(self.get_queryset().order_by("code"))
        figures = receivables_as_of(day=day, partner_ids=[partner.pk for partner in partners])
        rows = [
            ReceivablesSerializer.row(partner, figures.get(partner.pk, Receivables(partner.pk, day)))
            for partner in partners
        ]
        return self.get_paginated_response(ReceivablesSerializer(rows, many=True).data)
