"""``alerts/`` and ``risk-settings/`` (SPEC §6): vendor-only.

Every vendor member reads alerts and thresholds; risk and admin members acknowledge and resolve
alerts (``{note}``) and change the thresholds (PUT). A partner-side member is refused the list (403)
and finds no alert by id (404): it cannot tell that one exists.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from qudao_api.idempotency import idempotent
from qudao_api.pagination import PageByIdPagination
from qudao_api.viewsets import TenantViewSet
from tenancy.roles import VENDOR_ROLES, Capability

from . import selectors, services, words
from .calculations import Thresholds
from .filters import AlertFilter
from .models import Alert, ThresholdChange
from .serializers import (
    AcknowledgeSerializer,
    AlertDetailSerializer,
    AlertResolveSerializer,
    AlertSerializer,
    RiskSettingsSerializer,
)


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Risk alerts, the worst and newest first: ``?rule=&severity=&status=&partner=&manager=``
    (``status=live``: open or acknowledged; ``partner``: a code or name, in part)."""

    model = Alert
    partner_field = "partner"
    read_roles = VENDOR_ROLES
    hidden_from_partner_side = True
    filterset_class = AlertFilter
    pagination_class = PageByIdPagination  # the page's alerts picked by id, then read with their joins
    action_capabilities = {"acknowledge": Capability.MANAGE_RISK, "resolve": Capability.MANAGE_RISK}
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        return AlertSerializer if self.action == "list" else AlertDetailSerializer

    def narrow_queryset(self, queryset):
        if self.membership.is_partner_side:
            return queryset.none()
        alerts = selectors.alert_list(queryset).select_related("acknowledged_by", "resolved_by")
        if self.action != "list":
            alerts = alerts.prefetch_related("events__actor")
        return alerts

    def _answer(self, alert: Alert) -> Response:
        fresh = self.get_queryset().get(pk=alert.pk)
        return Response(AlertDetailSerializer(fresh, context=self.get_serializer_context()).data)

    def _body(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=AcknowledgeSerializer, responses=AlertDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    @idempotent
    def acknowledge(self, request, *args, **kwargs):
        """Open → acknowledged (risk, admin): ``{note?}``."""
        body = self._body(AcknowledgeSerializer)
        alert = services.alert_acknowledge(alert=self.get_object(), actor=request.user, note=body.get("note", ""))
        return self._answer(alert)

    @extend_schema(request=AlertResolveSerializer, responses=AlertDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    @idempotent
    def resolve(self, request, *args, **kwargs):
        """Open or acknowledged → resolved (risk, admin): ``{note}``, how it was dealt with."""
        body = self._body(AlertResolveSerializer)
        alert = services.alert_resolve(alert=self.get_object(), actor=request.user, note=body["note"])
        return self._answer(alert)


class RiskSettingsViewSet(TenantViewSet):
    """The tenant's risk thresholds: GET (every vendor member), PUT (risk, admin) with all of them."""

    model = ThresholdChange
    partner_field = None
    read_roles = VENDOR_ROLES
    write_capability = Capability.MANAGE_RISK
    serializer_class = RiskSettingsSerializer
    filterset_class = None
    pagination_class = None

    def _answer(self, thresholds: Thresholds) -> Response:
        rules = [{"rule": label, "text": text} for label, text in words.threshold_rules(thresholds)]
        return Response(RiskSettingsSerializer({**thresholds.as_dict(), "rules": rules}).data)

    @extend_schema(responses=RiskSettingsSerializer)
    def retrieve(self, request, *args, **kwargs):
        return self._answer(Thresholds.of(self.tenant.risk_thresholds))

    @extend_schema(request=RiskSettingsSerializer, responses=RiskSettingsSerializer)
    def update(self, request, *args, **kwargs):
        serializer = RiskSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = {name: serializer.validated_data[name] for name in Thresholds.names()}
        thresholds = services.risk_thresholds_update(tenant=self.tenant, thresholds=values, actor=request.user)
        return self._answer(thresholds)
