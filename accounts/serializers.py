from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import ApiToken


class TokenObtainSerializer(serializers.Serializer):
    """``POST auth/token/``: the e-mail as ``username`` (SPEC §6), the password, a name for the token."""

    # DRF's CharField already refuses NUL and lone surrogates (400, not a database error).
    username = serializers.CharField(label=_("E-mail"), max_length=254)
    password = serializers.CharField(
        label=_("Password"), max_length=1024, trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )
    name = serializers.CharField(
        label=_("Token name"), max_length=ApiToken._meta.get_field("name").max_length, required=False, allow_blank=True
    )


class TokenSerializer(serializers.Serializer):
    """The key, shown this once, and when it stops working."""

    token = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
