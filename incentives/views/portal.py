"""The partner portal's "Our programs": the rules that pay the partner, read-only (SPEC §1).

The rebate programs and profit-share agreements whose latest version applies to the partner's
tier, in words, with what the partner is on course to earn under each program (its own accruals).
"""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from common.dates import tenant_today
from tenancy.pages import TenantPageMixin

from .. import selectors
from ..models import ProfitShareAgreement, RebateProgram
from ..words import accrual_words, describe_agreement, describe_program
from .common import paginate


class OurProgramsView(TenantPageMixin, TemplateView):
    """For partner members; a vendor member is sent to the programs list."""

    model = RebateProgram
    partner_field = None
    nav_section = "our-programs"
    template_name = "incentives/mine.html"

    def get(self, request, *args, **kwargs):
        if self.membership.is_vendor_side:
            return redirect(reverse("incentives:programs", kwargs={"tenant_slug": self.tenant.slug}))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = tenant_today(self.tenant)
        currency = self.tenant.currency
        names = selectors.tier_names()
        programs = selectors.programs_visible_to(
            selectors.programs_with_latest(self.get_queryset()).order_by("code"), self.membership
        )
        agreements = selectors.agreements_visible_to(
            selectors.agreements_with_latest(ProfitShareAgreement.objects.all()).order_by("code"), self.membership
        )
        accruals = {}
        for accrual in selectors.latest_accruals(self.membership.partner_id):
            accruals[accrual.program_id] = accrual_words(accrual, currency=currency, today=today)
        program_page = paginate(self.request, programs, 25)
        agreement_page = paginate(self.request, agreements, 25, "agreements_page")
        context.update(
            programs=program_page,
            program_rows=[
                {
                    "program": program,
                    "version": selectors.latest_version(program),
                    "rules": describe_program(selectors.latest_version(program), currency=currency, tier_names=names),
                    "accrual": accruals.get(program.pk),
                }
                for program in program_page
            ],
            agreements=agreement_page,
            agreement_rows=[
                {
                    "agreement": agreement,
                    "version": selectors.latest_version(agreement),
                    "terms": describe_agreement(selectors.latest_version(agreement), tier_names=names),
                }
                for agreement in agreement_page
            ],
        )
        return context
