"""The API's browsable docs, Swagger UI and Redoc, served from our static files under our CSP."""

from django.conf import settings
from django.utils.decorators import method_decorator
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI whose start script is served by this same view as a file (``?script``), not inline."""

    template_name = "api/swagger_ui.html"


@method_decorator(csp_override(settings.API_REDOC_CSP), name="dispatch")
class RedocView(SpectacularRedocView):
    """Redoc, the one page that needs a looser CSP: inline styles and a blob: worker (see API_REDOC_CSP)."""

    template_name = "api/redoc.html"
