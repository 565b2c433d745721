"""The operator's commands: create_tenant and seed_demo."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from common.dates import tenant_today
from partners.models import Contact, Contract, Partner, StatusChange, Tier, TierChange
from partners.selectors import tier_in_effect
from partners.validators import validate_unified_social_credit_code
from risk.models import Alert, AlertRule
from tenancy.context import crossing_tenants, tenant_scope, user_scope
from tenancy.models import Membership, Tenant
from tenancy.roles import PARTNER_ROLES, Role

User = get_user_model()
pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def create_tenant(slug="initech", *extra, password="Initech-pass-42"):
    arguments = [slug, "--name", "Initech", "--admin-email", f"boss@{slug}.example", *extra]
    if password is not None:
        arguments += ["--admin-password", password]
    return run("create_tenant", *arguments)


def counts() -> tuple[int, int, int]:
    with crossing_tenants():
        return Tenant.objects.count(), User.objects.count(), Membership.objects.unscoped().count()


# create_tenant


def test_create_tenant_makes_the_tenant_its_default_tiers_and_its_administrator():
    # when
    output = create_tenant("initech", "--language", "en", "--currency", "usd", "--timezone", "Europe/Berlin")

    # then
    tenant = Tenant.objects.get(slug="initech")
    assert (tenant.name, tenant.language, tenant.currency, tenant.timezone) == ("Initech", "en", "USD", "Europe/Berlin")
    with tenant_scope(tenant):
        assert [(t.code, t.name, t.rank) for t in Tier.objects.order_by("rank")] == [
            ("core", "Core", 1),
            ("strategic", "Strategic", 2),
            ("ordinary", "Ordinary", 3),
        ]
        admin = Membership.objects.select_related("user").get()
    assert admin.role == Role.ADMIN
    assert admin.user.email == "boss@initech.example"
    assert admin.user.check_password("Initech-pass-42")
    assert "initech" in output


def test_a_chinese_tenant_gets_chinese_tier_names_and_cny_by_default():
    create_tenant("hooli")

    tenant = Tenant.objects.get(slug="hooli")
    assert (tenant.language, tenant.currency, tenant.timezone) == ("zh-hans", "CNY", "Asia/Shanghai")
    with tenant_scope(tenant):
        assert list(Tier.objects.order_by("rank").values_list("name", flat=True)) == ["核心", "战略", "普通"]


def test_an_existing_user_becomes_the_administrator_without_a_password():
    create_tenant("initech")

    create_tenant("initrode", "--admin-email", "boss@initech.example", password=None)

    tenant = Tenant.objects.get(slug="initrode")
    with tenant_scope(tenant):
        assert Membership.objects.get().user.email == "boss@initech.example"


def test_a_duplicate_slug_is_refused_and_nothing_changes():
    # given
    create_tenant("initech")
    before = counts()

    # when
    with pytest.raises(CommandError, match="initech"):
        create_tenant("initech", "--admin-email", "new@x.example")

    # then
    assert counts() == before
    assert not User.objects.filter(email="new@x.example").exists()


def test_the_shared_worlds_slug_is_taken_too():
    with pytest.raises(CommandError, match="acme"):
        create_tenant("acme")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["Bad Slug!"], "slug"),
        (["initech", "--currency", "DOLLARS"], "currency"),
        (["initech", "--timezone", "Mars/Olympus"], "time zone"),
        (["initech", "--admin-email", "not-an-email"], "mail"),
    ],
)
def test_a_bad_value_is_refused_with_a_clear_error_and_nothing_is_written(arguments, message):
    before = counts()
    slug, *extra = arguments

    with pytest.raises(CommandError, match=message):
        create_tenant(slug, *extra)

    assert counts() == before


def test_a_new_administrator_with_a_weak_password_leaves_nothing_half_written():
    # The tenant and its tiers are saved before the password is checked: all of it must roll back.
    before = counts()

    with pytest.raises(CommandError, match="password"):
        create_tenant("initech", password="123")

    assert counts() == before
    with crossing_tenants():
        assert not Tier.objects.unscoped().filter(tenant__slug="initech").exists()


def test_a_new_administrator_needs_a_password():
    with pytest.raises(CommandError, match="password"):
        create_tenant("initech", password=None)
    assert not Tenant.objects.filter(slug="initech").exists()


# seed_demo

DEMO = ("huaxin", "northwind")


def demo_counts() -> dict[str, tuple[int, ...]]:
    found = {}
    for tenant in Tenant.objects.filter(slug__in=DEMO):
        with tenant_scope(tenant):
            found[tenant.slug] = (
                Partner.objects.count(),
                Membership.objects.count(),
                Contact.objects.count(),
                Contract.objects.count(),
                TierChange.objects.count(),
                StatusChange.objects.count(),
            )
    return found


def test_seed_demo_makes_two_tenants_with_every_role_and_valid_partners():
    # when
    output = run("seed_demo", "--partners", "12")

    # then
    tenants = {tenant.slug: tenant for tenant in Tenant.objects.filter(slug__in=DEMO)}
    assert (tenants["huaxin"].language, tenants["northwind"].language) == ("zh-hans", "en")
    for tenant in tenants.values():
        with tenant_scope(tenant):
            partners = list(Partner.objects.all())
            assert len(partners) == 12
            roles = set(Membership.objects.values_list("role", flat=True))
            assert roles == set(Role.values)
            for membership in Membership.objects.filter(role__in=sorted(PARTNER_ROLES)):
                assert membership.partner is not None
            for partner in partners:
                if partner.tax_id:
                    validate_unified_social_credit_code(partner.tax_id)
            assert sum(1 for partner in partners if partner.tax_id) >= 6
            assert Contact.objects.exists()
            assert Contract.objects.exists()
            assert StatusChange.objects.exists()
            managed = [partner for partner in partners if partner.manager_id]
            manager_roles = set(
                Membership.objects.filter(user_id__in=[p.manager_id for p in managed]).values_list("role", flat=True)
            )
            assert manager_roles == {Role.CHANNEL_MANAGER}
    shared = User.objects.get(email="boss@dingsheng.example")
    with user_scope(shared):
        assert Membership.objects.unscoped().filter(user=shared).count() == 2
    for email in ("admin@huaxin.example", "admin@northwind.example", "boss@dingsheng.example", "sales@qiming.example"):
        assert email in output
    assert "Qudao-Demo-2026" in output
    assert User.objects.get(email="finance@huaxin.example").check_password("Qudao-Demo-2026")


def test_the_demo_history_answers_which_tier_was_in_effect_on_a_past_day():
    run("seed_demo", "--partners", "2")

    tenant = Tenant.objects.get(slug="huaxin")
    with tenant_scope(tenant):
        dingsheng = Partner.objects.get(code="HX-0001")
        today = tenant_today(tenant)
        assert dingsheng.tier.code == "core"
        assert tier_in_effect(dingsheng, today - datetime.timedelta(days=365 * 2)).code == "strategic"
        assert tier_in_effect(dingsheng, today - datetime.timedelta(days=365 * 5)).code == "ordinary"


def test_seeding_twice_changes_nothing_and_prints_the_logins_again():
    run("seed_demo", "--partners", "4")
    before = demo_counts()

    output = run("seed_demo", "--partners", "4")

    assert demo_counts() == before
    assert "exist already" in output
    assert "admin@huaxin.example" in output


def test_reset_makes_the_demo_again_from_scratch():
    run("seed_demo", "--partners", "4")
    before = demo_counts()
    old_ids = set(Tenant.objects.filter(slug__in=DEMO).values_list("pk", flat=True))

    run("seed_demo", "--partners", "4", "--reset")

    assert demo_counts() == before
    assert not old_ids & set(Tenant.objects.filter(slug__in=DEMO).values_list("pk", flat=True))
    assert Tenant.objects.filter(slug__in=("acme", "globex")).count() == 2  # the shared world is untouched


def test_the_full_demo_has_about_two_hundred_partners_across_tiers_regions_and_statuses():
    run("seed_demo")

    for tenant in Tenant.objects.filter(slug__in=DEMO):
        with tenant_scope(tenant):
            partners = Partner.objects.select_related("tier")
            assert partners.count() == 100
            assert {partner.tier.code for partner in partners} == {"core", "strategic", "ordinary"}
            assert len({partner.region for partner in partners}) == 7
            assert {partner.status for partner in partners} == {
                "prospect", "onboarding", "pilot", "active", "suspended", "terminated",
            }  # fmt: skip
            assert {partner.kind for partner in partners} == {"distributor", "reseller", "agent", "service_provider"}
            assert TierChange.objects.exists()
            # every risk rule has an open alert, with a history behind the dashboard's trend
            live = Alert.objects.filter(status__in=["open", "acknowledged"])
            assert set(live.values_list("rule", flat=True)) == set(AlertRule.values)
            assert Alert.objects.filter(status="resolved").exists()
