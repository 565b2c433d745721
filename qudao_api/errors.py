"""Every API error is JSON with a human-readable ``message`` (SPEC §6).

``exception_handler`` answers what DRF's views raise; the error views below (``handler400`` and
friends in ``config/urls.py``) answer what is raised outside them, before DRF or past it — an
unknown tenant's 404 from the middleware, an unknown route under ``/api/``, a server error — in
JSON on ``/api/`` paths and as Django's pages elsewhere.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import ApplicationError
from common.parsing import ParseError
from tenancy.context import TenantScopeMissing

API_PREFIX = "/api/"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, ParseError):  # a value read by common.parsing outside any field
        exc = exceptions.ValidationError({"non_field_errors": [exc.message]})
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


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_error(message: str, *, status: int, code: str, **extra) -> JsonResponse:
    # UTF-8 as DRF writes it, not \u escapes.
    return JsonResponse(
        {"code": code, "message": message, **extra}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def bad_request(request, exception=None):
    if is_api_request(request):
        return json_error(_("The request is not valid."), status=400, code="bad_request")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if is_api_request(request):
        return json_error(_("You do not have permission to perform this action."), status=403, code="permission_denied")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if is_api_request(request):
        return json_error(_("Not found."), status=404, code="not_found")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_request(request):
        return json_error(_("Something went wrong on our side; it has been logged."), status=500, code="server_error")
    return defaults.server_error(request)
