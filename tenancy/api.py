from rest_framework import mixins

from qudao_api.throttles import MemberAddRateThrottle
from qudao_api.viewsets import TenantViewSet

from . import services
from .models import Membership
from .roles import Capability
from .serializers import MembershipSerializer


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet):
    """The tenant's members; a partner administrator sees and adds its own partner's users."""

    model = Membership
    partner_field = "partner"
    serializer_class = MembershipSerializer
    write_capability = Capability.MANAGE_MEMBERS

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action == "create":
            throttles.append(MemberAddRateThrottle())
        return throttles

    def narrow_queryset(self, queryset):
        return queryset.select_related("user", "partner").order_by("user__email")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.member_create(
            actor=self.membership,
            email=data["user"]["email"],
            full_name=data.get("user", {}).get("full_name", ""),
            password=data.get("password"),
            role=data["role"],
            partner=data.get("partner"),
        )
