"""What django-axes calls back into: whose account a login attempt names, and the lock-out answer.

Axes decides a lock-out in its ``user_login_failed`` handler, after the login view has answered;
its middleware then swaps that answer for ours. So one function answers for all three logins:
the page and the admin get a page, the API (``POST /api/v1/auth/token/``) gets JSON. Both are a
429 with ``Retry-After``: the client is refused for having tried too often, like a throttled
request, and it may try again later; a 403 would read as "your role may not do this".
"""

from __future__ import annotations

import math

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

USERNAME_FIELD = "username"
USERNAME_MAX_LENGTH = 255  # axes' AccessAttempt.username


def username_of(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account a login attempt is for, as we count failures: trimmed and lower-cased.

    Logins are by e-mail, matched case-insensitively, so ``Admin@Acme.example`` and
    ``admin@acme.example`` must be one account for the lockout too, or each spelling would get
    its own five tries.
    """
    value = (credentials or {}).get(USERNAME_FIELD)
    if value is None:
        value = request.POST.get(USERNAME_FIELD)
    if not isinstance(value, str):
        return None
    # The forms and the token serializer refuse NUL and lone surrogates before authenticating;
    # this is the last line before the database, which would refuse them with a 500.
    value = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return value.strip().lower()[:USERNAME_MAX_LENGTH] or None


def cool_off_minutes(request: HttpRequest | None = None) -> int:
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_message(minutes: int) -> str:
    return ngettext(
        "Too many failed logins; try again in %(minutes)d minute.",
        "Too many failed logins; try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def locked_out_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The answer to a login refused because the account or the address is locked out."""
    minutes = cool_off_minutes(request)
    message = lockout_message(minutes)
    if request.path.startswith("/api/"):
        response = JsonResponse({"message": message, "code": "locked_out"}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
