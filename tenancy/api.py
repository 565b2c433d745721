from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qudao_api.throttles import MemberAddRateThrottle
from qudao_api.viewsets import TenantViewSet

from . import services
from .models import Invitation, Membership
from .roles import Capability, Role
from .serializers import InboxInvitationSerializer, InvitationSerializer, MembershipSerializer

ANSWER = inline_serializer(
    "InvitationAnswer",
    {
        "message": serializers.CharField(),
        "tenant": serializers.CharField(required=False),
        "role": serializers.CharField(required=False),
    },
)


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet):
    """The tenant's members; a partner administrator sees and adds its own partner's users.

    Adding an e-mail that already has an account makes an invitation (``status: invited``) that
    the user accepts or declines; the answer shows nothing of that user but the address.
    """

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

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        added = services.member_add(
            actor=self.membership,
            email=data["user"]["email"],
            full_name=data.get("user", {}).get("full_name", ""),
            password=data.get("password"),
            role=data["role"],
            partner=data.get("partner"),
        )
        if added.membership is not None:
            body = self.get_serializer(added.membership).data
        else:
            body = InvitationSerializer(added.invitation, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


class TenantInvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Invitations this tenant has sent (administrators; a partner administrator, its partner's)."""

    model = Invitation
    partner_field = "partner"
    serializer_class = InvitationSerializer
    read_roles = frozenset({Role.ADMIN, Role.PARTNER_ADMIN})
    action_capabilities = {"revoke": Capability.MANAGE_MEMBERS}

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner").order_by("-created_at")

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        invitation = services.invitation_revoke(actor=self.membership, invitation=self.get_object())
        return Response(self.get_serializer(invitation).data)


class InvitationInboxViewSet(viewsets.GenericViewSet):
    """Outside any tenant: the signed-in user's pending invitations, to accept or decline (SPEC §6)."""

    serializer_class = InboxInvitationSerializer
    pagination_class = None

    def get_queryset(self):
        return Invitation.objects.none()  # read through the service, under row-level security

    def list(self, request, *args, **kwargs):
        invitations = services.pending_invitations_of(request.user)
        return Response(self.get_serializer(invitations, many=True).data)

    @extend_schema(request=None, responses=ANSWER)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        membership = services.invitation_accept(user=request.user, invitation_id=_id(pk))
        return Response(
            {
                "message": _("You are now a member of %(tenant)s.") % {"tenant": membership.tenant.name},
                "tenant": membership.tenant.slug,
                "role": membership.role,
            }
        )

    @extend_schema(request=None, responses=ANSWER)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        services.invitation_decline(user=request.user, invitation_id=_id(pk))
        return Response({"message": _("The invitation was declined.")})


def _id(pk) -> int:
    from common.errors import NotFound

    try:
        return int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Not found.")) from None
