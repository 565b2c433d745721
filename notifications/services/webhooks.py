"""The tenant's webhooks: set up, changed and removed by its administrators only."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.errors import PermissionDenied
from common.parsing import text_problem
from tenancy.models import Membership
from tenancy.roles import Capability, role_can

from .. import events as registry
from .. import transport
from ..models import Webhook, WebhookKind

GENERIC_SECRET_MIN_LENGTH = 16
UNSET = object()


def _may_manage(actor: Membership) -> None:
    if not role_can(actor.role, Capability.MANAGE_SETTINGS):
        raise PermissionDenied(_("Only the tenant's administrators manage webhooks."))


def _subscribed(codes: Iterable[str]) -> list[str]:
    """The events chosen, in the registry's order; at least one, each one a webhook may subscribe to."""
    chosen = set(codes or ())
    allowed = {code for code, _label in registry.subscribable_choices()}
    unknown = sorted(chosen - allowed)
    if unknown:
        raise ValidationError({"events": _("Unknown event: %(codes)s.") % {"codes": ", ".join(unknown)}})
    if not chosen:
        raise ValidationError({"events": _("Choose at least one event.")})
    return [code for code, _label in registry.subscribable_choices() if code in chosen]


def _checked(webhook: Webhook) -> Webhook:
    errors: dict[str, list[str]] = {}
    for field in ("name", "url", "secret"):
        value = getattr(webhook, field)
        problem = text_problem(value)
        if problem:
            errors.setdefault(field, []).append(problem)
    webhook.name = webhook.name.strip()
    webhook.url = webhook.url.strip()
    if not errors.get("url"):
        problem = transport.url_problem(webhook.url) if webhook.url else None
        if problem:
            errors.setdefault("url", []).append(problem)
    if webhook.kind == WebhookKind.GENERIC and len(webhook.secret) < GENERIC_SECRET_MIN_LENGTH:
        errors.setdefault("secret", []).append(
            _("A generic webhook signs what it sends: give it a secret of at least %(count)d characters.")
            % {"count": GENERIC_SECRET_MIN_LENGTH}
        )
    if errors:
        raise ValidationError(errors)
    webhook.full_clean(exclude=["tenant", "created_by"])
    return webhook


def webhook_create(
    *,
    actor: Membership,
    kind: str,
    name: str,
    url: str,
    events: Iterable[str],
    secret: str = "",
    is_active: bool = True,
) -> Webhook:
    """A new webhook of the tenant in scope, sending the ``events`` chosen (SPEC §4.11)."""
    _may_manage(actor)
    webhook = Webhook(
        kind=kind,
        name=name or "",
        url=url or "",
        secret=(secret or "").strip(),
        events=_subscribed(events),
        is_active=is_active,
        created_by=actor.user,
    )
    with transaction.atomic():
        _checked(webhook).save()
    return webhook


def webhook_update(
    *,
    actor: Membership,
    webhook: Webhook,
    kind: str = UNSET,
    name: str = UNSET,
    url: str = UNSET,
    events: Iterable[str] = UNSET,
    secret: str = UNSET,
    is_active: bool = UNSET,
) -> Webhook:
    """Change what is given; an empty ``secret`` keeps the one saved (it is never shown, so never retyped)."""
    _may_manage(actor)
    with transaction.atomic():
        locked = Webhook.objects.select_for_update().get(pk=webhook.pk)
        for field, value in {"kind": kind, "name": name, "url": url}.items():
            if value is not UNSET:
                setattr(locked, field, value or "")
        if is_active is not UNSET:
            locked.is_active = bool(is_active)
        if events is not UNSET:
            locked.events = _subscribed(events)
        if secret is not UNSET and (secret or "").strip():
            locked.secret = secret.strip()
        _checked(locked).save()
    return locked


def webhook_delete(*, actor: Membership, webhook: Webhook) -> None:
    """Remove a webhook and its delivery log."""
    _may_manage(actor)
    with transaction.atomic():
        Webhook.objects.filter(pk=webhook.pk).delete()
