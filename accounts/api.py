"""``POST /api/v1/auth/token/`` and ``POST /api/v1/auth/logout/``."""

from django.contrib.auth import authenticate, logout
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from qudao_api.throttles import TokenRateThrottle

from . import services
from .models import ApiToken
from .serializers import TokenObtainSerializer, TokenSerializer


class TokenObtainView(APIView):
    """A new API token for an e-mail and password; it expires after API_TOKEN_TTL_DAYS.

    Wrong passwords count towards the login lockout (django-axes), like the login pages: while the
    account or this address is locked out, even the right password is refused with a 429.
    """

    authentication_classes = []  # the password is the credential; a stale token header must not get in the way
    permission_classes = [AllowAny]
    throttle_classes = [TokenRateThrottle]
    wrong_credentials = _("Unable to log in with this e-mail and password.")

    @extend_schema(request=TokenObtainSerializer, responses=TokenSerializer, auth=[])
    def post(self, request):
        serializer = TokenObtainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Django's request, not DRF's wrapper: axes flags a lock-out on the request that its
        # middleware sees, and the middleware then answers with accounts.lockout.
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            raise serializers.ValidationError({"non_field_errors": [self.wrong_credentials]}, code="authorization")
        token, key = services.api_token_issue(user=user, name=data.get("name", ""))
        return Response(TokenSerializer({"token": key, "expires_at": token.expires_at}).data)


class LogoutView(APIView):
    """Revokes the token the request came with; a session-authenticated request ends its session."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            services.api_token_revoke(token=request.auth)
        if isinstance(request.successful_authenticator, SessionAuthentication):
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
