"""``Idempotency-Key`` (SPEC §6): a POST that creates a run or moves money is done once per key.

Put ``@idempotent`` on the viewset method of such a POST (``create``, an ``@action``). A request
without the header is served as usual. With it:

- the key is claimed in the request's own transaction (a row of ``IdempotencyKey``, unique per
  tenant, user and key) before anything is done; the answer is stored on that row when the
  request succeeds, and a request that fails (an answer of 400 or more) rolls back with its key,
  so it can simply be sent again;
- the same key again, with the same method, path and body, answers what the first request
  answered (status and body, with ``Idempotent-Replayed: true``) and does nothing;
- the same key with another request is a 422;
- two requests with one key at once: the second's claim waits on the unique constraint until
  the first has committed, then replays its answer (or, if the first failed, is done itself);
- a key longer than 255 characters, empty, or with control characters is a 400.

One mechanism for every such endpoint, not a check in each view (STYLE "The money apps").
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata

from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from common.errors import ApplicationError, Conflict
from tenancy.context import require_tenant

from .models import KEY_MAX_LENGTH, IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


class IdempotencyKeyReused(ApplicationError):
    """The key was used before for another request (another body, path or method)."""

    code = "idempotency_key_reused"
    status_code = 422


def checked_key(raw: str) -> str:
    """The header's key, or a 400 saying what is wrong with it."""
    if not raw or not raw.strip():
        raise ValidationError({HEADER: [_("An idempotency key must not be empty.")]})
    if len(raw) > KEY_MAX_LENGTH:
        raise ValidationError(
            {HEADER: [_("An idempotency key is at most %(limit)d characters long.") % {"limit": KEY_MAX_LENGTH}]}
        )
    if any(unicodedata.category(character) == "Cc" for character in raw):
        raise ValidationError({HEADER: [_("An idempotency key must not contain control characters.")]})
    return raw


def _as_json(data) -> object:
    """The parsed body as plain JSON (a form's QueryDict as lists of values; an uploaded file as its name,
    size and SHA-256, so that a multipart request with files is bound to its key like any other)."""
    if hasattr(data, "lists"):
        data = {key: [_uploaded(value) for value in values] for key, values in data.lists()}
    return json.loads(json.dumps(data, cls=JSONEncoder, sort_keys=True))


def _uploaded(value):
    if not isinstance(value, UploadedFile):
        return value
    digest = hashlib.sha256()
    for chunk in value.chunks():
        digest.update(chunk)
    value.seek(0)
    return {"name": value.name, "size": value.size, "sha256": digest.hexdigest()}


def request_hash(request) -> str:
    """The request as the key is bound to it: method, path and body (JSON, keys sorted)."""
    body = json.dumps(_as_json(request.data), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    text = "\n".join((request.method, request.path, body))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


CLAIM = f"""
INSERT INTO {IdempotencyKey._meta.db_table}
       (tenant_id, user_id, key, method, path, request_hash, created_at, updated_at)
VALUES (%(tenant)s, %(user)s, %(key)s, %(method)s, %(path)s, %(hash)s, now(), now())
ON CONFLICT (tenant_id, user_id, key) DO NOTHING
RETURNING id
"""


def _claim(*, request, key: str, fingerprint: str) -> int | None:
    """The new key's row id, or None when the key was claimed before (waiting for its request to end)."""
    with connection.cursor() as cursor:
        cursor.execute(
            CLAIM,
            {
                "tenant": require_tenant().pk,
                "user": request.user.pk,
                "key": key,
                "method": request.method,
                "path": request.path[:500],
                "hash": fingerprint,
            },
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _replay(*, request, key: str, fingerprint: str) -> Response:
    earlier = IdempotencyKey.objects.get(user=request.user, key=key)
    if earlier.request_hash != fingerprint:
        raise IdempotencyKeyReused(
            _("This idempotency key was used for another request; use a new key for a new request.")
        )
    if earlier.status_code is None:  # only while its own request is still being answered
        raise Conflict(_("The first request with this idempotency key is still being answered; try again shortly."))
    return Response(earlier.response_body, status=earlier.status_code, headers={REPLAYED_HEADER: "true"})


def idempotent(method):
    """Serve a viewset's POST once per ``Idempotency-Key`` (see the module's docstring)."""

    @functools.wraps(method)
    def serve(view, request, *args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw is None:
            return method(view, request, *args, **kwargs)
        key = checked_key(raw)
        fingerprint = request_hash(request)
        claimed = _claim(request=request, key=key, fingerprint=fingerprint)
        if claimed is None:
            return _replay(request=request, key=key, fingerprint=fingerprint)
        response = method(view, request, *args, **kwargs)
        if response.status_code < 400:  # a failed request rolls back, its key with it
            IdempotencyKey.objects.filter(pk=claimed).update(
                status_code=response.status_code, response_body=_as_json(response.data), updated_at=timezone.now()
            )
        return response

    serve.idempotent = True
    return serve
