"""Seed (or re-seed) the demo: both demo tenants, step by step, in one transaction."""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections.abc import Callable

import pgtrigger
from django.contrib.auth import get_user_model
from django.db import transaction

from common.dates import tenant_today
from notifications.services import inbox_only
from partners.models import Partner, Tier
from tenancy.context import crossing_tenants, tenant_scope
from tenancy.models import Membership, Tenant
from tenancy.roles import Role
from tenancy.services import tenant_create

from . import communication, deals, diligence, facts, funds, leads, partners, people, risk, scores, settlements, targets
from .catalog import DEFAULT_PARTNERS_PER_TENANT, SEED, TENANT_SLUGS, TENANTS, TenantSpec, demo_emails

User = get_user_model()


class DemoIncomplete(RuntimeError):
    """Some demo tenants exist and others do not: only ``--reset`` can make a whole demo again."""


@dataclasses.dataclass
class DemoTenant:
    """What a seeding step works on: one demo tenant and everything made in it so far."""

    spec: TenantSpec
    tenant: Tenant
    rng: random.Random
    today: datetime.date
    partner_count: int
    users: dict[str, User]  # every demo user, by e-mail
    admin: Membership | None = None
    managers: list[Membership] = dataclasses.field(default_factory=list)
    plans: list[partners.PartnerPlan] = dataclasses.field(default_factory=list)
    partners: dict[str, Partner] = dataclasses.field(default_factory=dict)  # by code

    @property
    def language(self) -> str:
        return self.spec.language


Step = Callable[[DemoTenant], None]

# In order; a later step may use what an earlier one made. Facts, programs and settlements go last.
STEPS: tuple[Step, ...] = (
    people.add_vendor_members,
    partners.describe_tier_benefits,
    partners.plan_partners,
    partners.create_partners,
    partners.add_contacts,
    partners.add_contracts,
    partners.record_history,
    people.add_partner_members,
    facts.add_facts,
    targets.add_goals_and_targets,
    diligence.add_diligence,  # its pilots before the risk step, which finds the one that ended undecided
    risk.add_risk_cases_and_alerts,  # before the last week's nightly runs, which carry the alerts to yesterday
    scores.add_score_history,
    leads.add_leads,  # after the scores: the rules offer each lead by the partners' latest scores
    funds.add_funds,  # before the settlement runs: last quarter's run pays its approved claims
    settlements.add_programs_and_settlements,
    deals.add_deals,  # after the nightly runs of the last week: it expires its own old approvals
    communication.add_communication,  # last: its reviews take the figures the steps before made
)


@dataclasses.dataclass(frozen=True)
class Login:
    tenant: str
    role: str
    email: str
    partner: str = ""


@dataclasses.dataclass(frozen=True)
class SeedResult:
    created: bool
    logins: list[Login]


def seed_demo(
    *, partners_per_tenant: int = DEFAULT_PARTNERS_PER_TENANT, reset: bool = False, seed: int = SEED
) -> SeedResult:
    """Make the demo tenants unless they exist (``reset`` drops them first); return the logins."""
    with transaction.atomic():
        if reset:
            demo_delete()
        existing = set(Tenant.objects.filter(slug__in=TENANT_SLUGS).values_list("slug", flat=True))
        if existing == set(TENANT_SLUGS):
            return SeedResult(created=False, logins=demo_logins())
        if existing:
            raise DemoIncomplete(", ".join(sorted(existing)))
        users = people.create_demo_users()
        # The demo's history fills its people's inboxes (statements ready, approved, disputed) but sends nothing.
        with inbox_only():
            for index, spec in enumerate(TENANTS):
                _seed_tenant(spec, users=users, partner_count=partners_per_tenant, seed=seed + index)
    return SeedResult(created=True, logins=demo_logins())


def _seed_tenant(spec: TenantSpec, *, users: dict[str, User], partner_count: int, seed: int) -> None:
    tenant = tenant_create(
        slug=spec.slug,
        name=spec.name,
        admin_email=spec.people["admin"].email,
        admin_password=None,  # the demo users exist already, with the demo password
        language=spec.language,
        currency=spec.currency,
        timezone=spec.timezone,
    )
    with tenant_scope(tenant):
        context = DemoTenant(
            spec=spec,
            tenant=tenant,
            rng=random.Random(seed),  # demo data, not secrets
            today=tenant_today(tenant),
            partner_count=partner_count,
            users=users,
        )
        for step in STEPS:
            step(context)


def demo_delete() -> None:
    """Drop the demo tenants with everything in them, and the demo users nobody else uses.

    Tiers are protected (a partner or a history row keeps its tier), so the partners go first,
    then the tiers, then the tenant with what remains.
    """
    for tenant in Tenant.objects.filter(slug__in=TENANT_SLUGS):
        with tenant_scope(tenant):
            # Approved and paid statements never change — but a demo tenant goes whole, statements too.
            with pgtrigger.ignore(*FROZEN_STATEMENT_TRIGGERS):
                for model in DEPENDENT_MODELS:  # rows that protect the partners they point at
                    model.objects.all().delete()
            Partner.objects.all().delete()
            Tier.objects.all().delete()
            tenant.delete()  # in scope: the rows that cascade with it are read under row-level security
    # Whether a demo user still belongs to any tenant is a question about every tenant.
    with crossing_tenants():
        User.objects.filter(email__in=demo_emails(), memberships__isnull=True).delete()


def _dependent_models() -> tuple:
    from facts.models import ImportJob, Invoice, Payment, Sale, WriteOff
    from funds.models import Fund, FundClaim, FundRequest
    from incentives.models import RebateAccrual
    from leads.models import Assignment, Lead, LeadEvent
    from scoring.models import JobRun, PartnerScore, TierRecommendation
    from settlements.models import SettlementRun, Statement, StatementEvent, StatementLine
    from targets.models import CompanyGoal, Target

    return (
        FundClaim, FundRequest, Fund, StatementEvent, StatementLine, Statement, SettlementRun, RebateAccrual,
        TierRecommendation, PartnerScore, JobRun, Target, CompanyGoal, Payment, Invoice, Sale, WriteOff, ImportJob,
        LeadEvent, Assignment, Lead,
    )  # fmt: skip


FROZEN_STATEMENT_TRIGGERS = (
    "settlements.Statement:approved_never_changes",
    "settlements.StatementLine:approved_lines_never_change_delete",
)


DEPENDENT_MODELS = _dependent_models()

ROLE_ORDER = {role.value: index for index, role in enumerate(Role)}


def demo_logins() -> list[Login]:
    """The demo users' memberships in the demo tenants, vendor roles first."""
    logins = []
    emails = demo_emails()
    for tenant in Tenant.objects.filter(slug__in=TENANT_SLUGS).order_by("slug"):
        with tenant_scope(tenant):
            memberships = Membership.objects.filter(user__email__in=emails).select_related("user", "partner")
            rows = sorted(memberships, key=lambda m: (ROLE_ORDER.get(m.role, 99), m.user.email))
            logins.extend(
                Login(
                    tenant=tenant.slug,
                    role=membership.role,
                    email=membership.user.email,
                    partner=str(membership.partner) if membership.partner_id else "",
                )
                for membership in rows
            )
    return logins
