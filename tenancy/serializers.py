from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from partners.models import Partner
from qudao_api.fields import TenantCodeField, TextField
from qudao_api.serializers import ModelSerializer

from .models import Invitation, Membership
from .roles import Role


class MembershipSerializer(ModelSerializer):
    email = serializers.EmailField(source="user.email")
    full_name = TextField(source="user.full_name", required=False, allow_blank=True, max_length=150)
    password = TextField(write_only=True, required=False, style={"input_type": "password"})
    role = serializers.ChoiceField(choices=Role.choices)
    partner = TenantCodeField(Partner, required=False, allow_null=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "password", "role", "partner", "is_active", "status", "created_at"]
        read_only_fields = ["is_active", "created_at"]

    def get_status(self, membership) -> str:
        return "active" if membership.is_active else "inactive"

    def validate_password(self, value):
        if value and len(value) > 128:
            raise serializers.ValidationError(_("The password is too long."))
        return value


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation as the inviting tenant sees it: the address it typed, never the user behind it."""

    invitation_id = serializers.IntegerField(source="id", read_only=True)
    status = serializers.SerializerMethodField()
    partner = TenantCodeField(Partner, read_only=True)

    class Meta:
        model = Invitation
        fields = ["invitation_id", "email", "role", "partner", "status", "created_at", "answered_at"]
        read_only_fields = fields

    def get_status(self, invitation) -> str:
        return "invited" if invitation.status == Invitation.Status.PENDING else invitation.status


class InboxInvitationSerializer(serializers.ModelSerializer):
    """An invitation as the invited user sees it: which vendor, which role, for which partner."""

    tenant = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tenant_name = serializers.CharField(source="tenant.name", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = ["id", "tenant", "tenant_name", "role", "role_label", "partner_name", "created_at"]
        read_only_fields = fields
