from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import TemplateView

from partners.models import Tier

from .access import memberships_of, visible_partners
from .pages import TenantPageMixin


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    """After login: straight into the only tenant, or a chooser when there are several."""
    memberships = list(memberships_of(request.user))
    if len(memberships) == 1:
        return redirect(reverse("tenant-home", kwargs={"tenant_slug": memberships[0].tenant.slug}))
    return render(request, "tenancy/choose_tenant.html", {"memberships": memberships})


class TenantHomeView(TenantPageMixin, TemplateView):
    """The vendor's dashboard, or the partner portal's home for partner roles."""

    model = Tier
    partner_field = None

    def get_template_names(self):
        if self.membership.is_partner_side:
            return ["portal/home.html"]
        return ["tenancy/dashboard.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.membership.is_partner_side:
            partner = visible_partners(self.membership).select_related("tier", "manager").get()
            context["partner"] = partner
            context["tiers"] = Tier.objects.all()
            context["next_tier"] = Tier.objects.filter(rank__lt=partner.tier.rank).order_by("-rank").first()
        else:
            partners = visible_partners(self.membership)
            context["partner_count"] = partners.count()
            context["tiers"] = list(Tier.objects.all())
        return context
