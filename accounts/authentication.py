"""``Authorization: Token <key>`` for the API, against our own expiring, revocable tokens (SPEC §6)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from . import services
from .models import ApiToken
from .tokens import is_well_formed, key_hash

KEYWORD = "Token"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Authenticates a request by its token; a bad, expired or revoked one is a 401, never a 500.

    The header is read as the string the server handed us, not re-encoded: whatever bytes a client
    sends (NUL, non-ASCII, lone surrogates from a test client) either match the key pattern or are
    refused before any database lookup.
    """

    invalid = _("Invalid token.")
    malformed = _("Invalid token header: send 'Authorization: Token <key>'.")
    expired = _("The token has expired or was revoked; get a new one.")
    inactive = _("This user is inactive.")

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if isinstance(header, bytes):
            header = header.decode("latin-1")
        if not isinstance(header, str):
            return None
        parts = header.split()
        if not parts or parts[0].lower() != KEYWORD.lower():
            return None  # another scheme, or none: not ours to judge (session authentication may apply)
        if len(parts) != 2 or not is_well_formed(parts[1]):
            raise exceptions.AuthenticationFailed(self.malformed)
        token = ApiToken.objects.select_related("user").filter(key_hash=key_hash(parts[1])).first()
        if token is None:
            raise exceptions.AuthenticationFailed(self.invalid)
        now = timezone.now()
        if not token.is_usable(now):
            raise exceptions.AuthenticationFailed(self.expired)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(self.inactive)
        services.api_token_record_use(token=token, now=now)
        return token.user, token

    def authenticate_header(self, request):
        # Makes an unauthenticated request a 401 (with this challenge) rather than a 403.
        return KEYWORD
