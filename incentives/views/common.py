"""What the program and agreement pages share: paging, the service's errors on a form, who sees which rows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator

from common.errors import ApplicationError
from tenancy.access import uses_portfolio, visible_partners

# Errors of the service that belong to no single form field: shown beside their part of the form.
GROUPED = ("brackets", "accelerator", "rates")


def paginate(request, items, per_page: int, parameter: str = "page") -> Page:
    return Paginator(items, per_page).get_page(request.GET.get(parameter))


def visible_partner_ids(membership) -> set[int] | None:
    """The partners whose figures a member may see in a what-if (None: all of them)."""
    if uses_portfolio(membership):
        return set(visible_partners(membership).values_list("pk", flat=True))
    return None


def apply_service_errors(form, error: Exception, *, renamed: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Put a service's errors on the form's fields; the grouped ones (brackets…) are returned to show apart."""
    grouped: dict[str, list[str]] = {}
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
        return grouped
    if not isinstance(error, ValidationError):
        raise error
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return grouped
    for field, messages in error.message_dict.items():
        field = (renamed or {}).get(field, field)
        if field in GROUPED:
            grouped.setdefault(field, []).extend(messages)
        elif field in form.fields:
            form.add_error(field, messages)
        else:
            form.add_error(None, messages)
    return grouped
