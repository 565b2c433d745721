"""``targets/`` and ``goals/`` (SPEC §6).

Targets: every member reads the targets of the partners it may see, with ``actual``,
``attainment`` and ``pace``; admins and channel managers write them, and a write's answer
carries the SMART ``warnings`` (and informational ``notes``). Goals are vendor-internal.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from qudao_api.viewsets import TenantViewSet
from tenancy.access import visible_partners
from tenancy.roles import VENDOR_ROLES, Capability

from . import calculations, selectors, services
from .filters import GoalFilter, TargetFilter
from .models import CompanyGoal, Target
from .serializers import (
    ApplySerializer,
    GoalSerializer,
    ProposalSerializer,
    ProposeSerializer,
    TargetSerializer,
    TargetWrittenSerializer,
)


def smart_check_of(target: Target) -> calculations.SmartCheck:
    return calculations.smart_check(
        partner_id=target.partner_id, metric=target.metric, period=target.period_value, value=target.value
    )


class TargetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    mixins.UpdateModelMixin, TenantViewSet):  # fmt: skip
    """Partner targets. POST and PATCH answer with the target plus ``warnings`` and ``notes``."""

    model = Target
    partner_field = "partner"
    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    write_capability = Capability.MANAGE_TARGETS
    http_method_names = ["get", "post", "patch", "head", "options"]

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner", "goal")

    def perform_create(self, serializer):
        serializer.instance = services.target_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.target_update(target=serializer.instance, **serializer.validated_data)

    def _with_smart_check(self, response: Response, serializer) -> Response:
        check = smart_check_of(serializer.instance)
        response.data = {**response.data, "warnings": check.warnings, "notes": check.notes}
        return response

    @extend_schema(responses={201: TargetWrittenSerializer})
    @transaction.atomic  # the answer is part of the write: a failure after the save leaves nothing
    def create(self, request, *args, **kwargs):
        """Set a target; the answer adds the SMART ``warnings`` and ``notes`` to the target's fields."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        response = Response(self.get_serializer(serializer.instance).data, status=status.HTTP_201_CREATED)
        return self._with_smart_check(response, serializer)

    @extend_schema(responses=TargetWrittenSerializer)
    @transaction.atomic
    def partial_update(self, request, *args, **kwargs):
        """Change a target; the answer adds the SMART ``warnings`` and ``notes`` to the target's fields."""
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        response = Response(self.get_serializer(serializer.instance).data)
        return self._with_smart_check(response, serializer)


class GoalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, TenantViewSet):  # fmt: skip
    """Company goals (vendor-internal): ``propose/`` a split (nothing written), ``apply/`` one."""

    model = CompanyGoal
    partner_field = None
    read_roles = VENDOR_ROLES
    serializer_class = GoalSerializer
    filterset_class = GoalFilter
    write_capability = Capability.MANAGE_TARGETS
    # A proposal is a computation that writes nothing: every vendor member may ask for one.
    action_capabilities = {"propose": None, "apply": Capability.MANAGE_TARGETS}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def narrow_queryset(self, queryset):
        return selectors.with_allocated(queryset)

    def perform_create(self, serializer):
        serializer.instance = services.goal_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.goal_update(goal=serializer.instance, **serializer.validated_data)

    @extend_schema(
        request=ProposeSerializer,
        responses=inline_serializer("SplitProposal", fields={"proposals": ProposalSerializer(many=True)}),
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def propose(self, request, *args, **kwargs):
        """Propose partner targets from last year's shares or tier weights; they sum exactly to the goal."""
        goal = self.get_object()
        serializer = ProposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposals = services.goal_propose_split(goal, **serializer.validated_data)
        # The split is of the whole company goal; a channel manager with a portfolio sees its part.
        visible = set(visible_partners(self.membership).values_list("pk", flat=True))
        proposals = [proposal for proposal in proposals if proposal.partner.pk in visible]
        return Response({"proposals": ProposalSerializer(proposals, many=True).data})

    @extend_schema(request=ApplySerializer, responses=TargetSerializer(many=True))
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def apply(self, request, *args, **kwargs):
        """Create or update the goal's partner targets from ``allocations`` (a value of 0 removes one)."""
        goal = self.get_object()
        serializer = ApplySerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        allocations = {item["partner"]: item["value"] for item in serializer.validated_data["allocations"]}
        targets = services.goal_apply_split(goal, allocations)
        goal = selectors.with_allocated(CompanyGoal.objects.filter(pk=goal.pk)).get()
        context = self.get_serializer_context()
        return Response(
            {
                "goal": GoalSerializer(goal, context=context).data,
                "targets": TargetSerializer(targets, many=True, context=context).data,
            }
        )
