"""Every API error is JSON with a human-readable ``message`` (SPEC §6)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import ApplicationError
from tenancy.context import TenantScopeMissing


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, ApplicationError):
        return Response(
            {"code": exc.code, "message": exc.message, **exc.extra},
            status=exc.status_code,
        )
    if isinstance(exc, TenantScopeMissing):  # a bug, but never a leak
        return Response({"message": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, Http404):
        # One answer for a missing object, another tenant's, another partner's or another tenant's URL:
        # Django's "No Partner matches the given query." would name the model, in English only.
        exc = exceptions.NotFound(_("Not found."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"message": _("The data is not valid; see the errors by field."), "errors": data}
    elif isinstance(data, dict) and "detail" in data:
        response.data = {"message": str(data["detail"]), "code": getattr(data["detail"], "code", None)}
    return response
