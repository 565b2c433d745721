from django.db import transaction
from django.http import FileResponse, Http404
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from .context import tenant_scope
from .models import Tenant

NOT_FOUND = "Not found."


class TenantScopeMiddleware:
    """A request under ``/t/<slug>/`` or ``/api/v1/t/<slug>/`` runs in that tenant's scope: one transaction.

    The scope (and so the transaction, and the row-level-security setting) covers the view and
    the rendering of its answer; an answer of 400 or more rolls back every write the request
    made, so a failed request leaves nothing behind. A streamed answer (a CSV export) reads its
    rows after the view has returned: it gets a scope of its own while it streams.

    Whether the user may be in that tenant is decided by the page mixin and the API base
    viewset (after their own authentication), which answer 404 when they may not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        slug = self._tenant_slug(request)
        if slug is None:
            return self.get_response(request)
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise Http404(_(NOT_FOUND))
        request.tenant = tenant
        with tenant_scope(tenant):
            response = self.get_response(request)
            if response.status_code >= 400:
                transaction.set_rollback(True)
        if response.streaming and not isinstance(response, FileResponse):
            response.streaming_content = _streamed_in_scope(tenant, response.streaming_content)
        return response

    @staticmethod
    def _tenant_slug(request) -> str | None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        return match.kwargs.get("tenant_slug")


def _streamed_in_scope(tenant, content):
    with tenant_scope(tenant):
        yield from content
