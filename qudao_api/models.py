"""What the API keeps of its own: the answers to POSTs sent with an ``Idempotency-Key`` (SPEC §6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwned

KEY_MAX_LENGTH = 255


class IdempotencyKey(TenantOwned):
    """A POST that creates a run or moves money, done once: the same key again gets the first answer.

    Written in the request's own transaction before the work is done (so a request that fails
    leaves no key behind, and a second request with the key waits on the unique constraint until
    the first has committed), then given the answer. ``request_hash`` is of the method, the path
    and the body: the same key with another request is refused (422).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("idempotency key"), max_length=KEY_MAX_LENGTH)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    request_hash = models.CharField(_("request hash"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response_body = models.JSONField(_("answer"), null=True, blank=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user", "key"], name="idempotency_key_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
