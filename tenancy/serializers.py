from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from partners.models import Partner
from qudao_api.fields import TenantCodeField, TextField
from qudao_api.serializers import ModelSerializer

from .models import Membership
from .roles import Role


class MembershipSerializer(ModelSerializer):
    email = serializers.EmailField(source="user.email")
    full_name = TextField(source="user.full_name", required=False, allow_blank=True, max_length=150)
    password = TextField(write_only=True, required=False, style={"input_type": "password"})
    role = serializers.ChoiceField(choices=Role.choices)
    partner = TenantCodeField(Partner, required=False, allow_null=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "password", "role", "partner", "is_active", "created_at"]
        read_only_fields = ["is_active", "created_at"]

    def validate_password(self, value):
        if value and len(value) > 128:
            raise serializers.ValidationError(_("The password is too long."))
        return value
