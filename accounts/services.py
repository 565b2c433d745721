"""Writes for users' API tokens: issue, record a use, revoke."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, User
from .tokens import key_hash, new_key

# A token's last use is written at most this often: not a write on every API request.
LAST_USED_PRECISION = timedelta(minutes=1)


@transaction.atomic
def api_token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``, valid for API_TOKEN_TTL_DAYS; returns it and its key (never stored)."""
    key = new_key()
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name,
        key_hash=key_hash(key),
        created_at=now,
        expires_at=now + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    token.full_clean()
    token.save()
    return token, key


def api_token_record_use(*, token: ApiToken, now: datetime) -> None:
    """Note that ``token`` was used, unless that was noted less than a minute ago."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    # An UPDATE of one column: two requests at once may both write it, and the later time wins.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """The token stops working now (revoking it again changes nothing)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
