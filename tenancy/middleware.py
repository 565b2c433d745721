from django.http import Http404
from django.utils.translation import gettext as _

from .context import enter_scope, exit_scope
from .models import Tenant

NOT_FOUND = "Not found."


class TenantScopeMiddleware:
    """Sets the tenant scope once per request from the ``<tenant_slug>`` in the URL.

    Whether the user may be in that tenant is decided by the page mixin and the API base
    viewset (after their own authentication), which answer 404 when they may not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        response = self.get_response(request)
        token = getattr(request, "_tenant_scope_token", None)
        if token is not None:
            exit_scope(token)
            request._tenant_scope_token = None
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("tenant_slug")
        if slug is None:
            return None
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise Http404(_(NOT_FOUND))
        request.tenant = tenant
        request._tenant_scope_token = enter_scope(tenant)
        return None
