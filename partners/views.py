from django.http import FileResponse, Http404
from django.views import View
from django.views.generic.detail import SingleObjectMixin

from tenancy.pages import TenantPageMixin

from .models import Contract


class ContractFileView(TenantPageMixin, SingleObjectMixin, View):
    """A contract's file, to members who may see the partner (files are never served publicly)."""

    model = Contract
    partner_field = "partner"

    def get(self, request, *args, **kwargs):
        contract = self.get_object()
        if not contract.file:
            raise Http404
        return FileResponse(
            contract.file.open("rb"), as_attachment=True, filename=contract.original_filename or contract.file.name
        )
