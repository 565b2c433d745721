"""``settlement-runs/`` and ``statements/`` (SPEC §6).

Runs are the vendor's: every vendor member reads them, finance and administrators start them
(a task; 409 while one of the period is under way). Statements: every member reads those of
the partners it may see (a partner's members, their own); finance and administrators approve,
resolve disputes, mark paid and add adjustments; a partner's administrator disputes. The POSTs
that start runs or move money take an ``Idempotency-Key``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from qudao_api.idempotency import idempotent
from qudao_api.viewsets import TenantViewSet
from tenancy.roles import VENDOR_ROLES, Capability

from . import selectors
from .filters import SettlementRunFilter, StatementFilter
from .models import SettlementRun, Statement
from .serializers import (
    AdjustmentSerializer,
    DisputeSerializer,
    MarkPaidSerializer,
    ResolveSerializer,
    SettlementRunSerializer,
    SettlementRunStartSerializer,
    StatementDetailSerializer,
    StatementSerializer,
)
from .services import statements as statement_services
from .services.runs import settlement_run_start, settlement_runs_expire


class SettlementRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Settlement runs, newest first; ``progress`` is live while a run computes."""

    model = SettlementRun
    partner_field = None
    read_roles = VENDOR_ROLES
    write_capability = Capability.RUN_SETTLEMENTS
    serializer_class = SettlementRunSerializer
    filterset_class = SettlementRunFilter
    http_method_names = ["get", "post", "head", "options"]

    def narrow_queryset(self, queryset):
        return queryset.select_related("started_by")

    def list(self, request, *args, **kwargs):
        settlement_runs_expire()  # a run whose worker died shows as failed, with its reason
        return super().list(request, *args, **kwargs)

    @extend_schema(request=SettlementRunStartSerializer, responses={202: SettlementRunSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """Start a run of ``period``: 202 with the run (it computes as a task); 409 while one is under way."""
        serializer = SettlementRunStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = settlement_run_start(period=serializer.validated_data["period"], actor=request.user)
        run = self.get_queryset().get(pk=run.pk)
        location = reverse(
            "api:settlement-run-detail", kwargs={"tenant_slug": self.tenant.slug, "pk": run.pk}, request=request
        )
        data = SettlementRunSerializer(run, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Settlement statements: ``?period=&partner=&status=`` (and ``search=`` in partner codes and names)."""

    model = Statement
    partner_field = "partner"
    filterset_class = StatementFilter
    action_capabilities = {
        "approve": Capability.RUN_SETTLEMENTS,
        "dispute": Capability.DISPUTE_STATEMENTS,
        "resolve": Capability.RUN_SETTLEMENTS,
        "mark_paid": Capability.RUN_SETTLEMENTS,
        "adjustments": Capability.RUN_SETTLEMENTS,
    }
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        return StatementSerializer if self.action == "list" else StatementDetailSerializer

    def narrow_queryset(self, queryset):
        if self.action == "list":
            return selectors.statement_list(queryset)
        return selectors.statement_with_history(queryset)

    def _answer(self, statement: Statement, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=statement.pk)
        return Response(StatementDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _body(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=None, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    @idempotent
    def approve(self, request, *args, **kwargs):
        """Draft → approved (finance, admin); with two approvals, not by whoever changed it last."""
        statement = statement_services.statement_approve(statement=self.get_object(), actor=request.user)
        return self._answer(statement)

    @extend_schema(request=DisputeSerializer, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    @idempotent
    def dispute(self, request, *args, **kwargs):
        """Draft → disputed, by the partner's administrator: ``{reason, line?}``."""
        body = self._body(DisputeSerializer)
        statement = statement_services.statement_dispute(
            statement=self.get_object(), reason=body["reason"], line_id=body.get("line"), actor=request.user
        )
        return self._answer(statement)

    @extend_schema(request=ResolveSerializer, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    @idempotent
    def resolve(self, request, *args, **kwargs):
        """Disputed → draft (finance, admin): ``{note}``."""
        body = self._body(ResolveSerializer)
        statement = statement_services.statement_resolve(
            statement=self.get_object(), note=body["note"], actor=request.user
        )
        return self._answer(statement)

    @extend_schema(request=MarkPaidSerializer, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"], url_path="mark-paid", filterset_class=None, pagination_class=None)
    @idempotent
    def mark_paid(self, request, *args, **kwargs):
        """Approved → paid (finance, admin): ``{payment_reference}``."""
        body = self._body(MarkPaidSerializer)
        statement = statement_services.statement_mark_paid(
            statement=self.get_object(), payment_reference=body["payment_reference"], actor=request.user
        )
        return self._answer(statement)

    @extend_schema(request=AdjustmentSerializer, responses={201: StatementDetailSerializer})
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    @idempotent
    def adjustments(self, request, *args, **kwargs):
        """Add an adjustment line to a draft or disputed statement: ``{amount, reason}`` → 201 with the statement."""
        body = self._body(AdjustmentSerializer)
        line = statement_services.statement_adjust(
            statement=self.get_object(), amount=body["amount"], reason=body["reason"], actor=request.user
        )
        return self._answer(line.statement, status.HTTP_201_CREATED)
