"""The authorization matrix (SPEC §2): every tenant route × every role × own / other partner / other tenant.

The routes come from the URL resolver, so a page or endpoint added later is covered without
editing this file: every pattern with ``<tenant_slug>`` is walked, the model its ``pk`` names is
read from the view (``model``), and an object of that model is made for the acting member's
own partner, another partner of the same tenant, and another tenant (``object_for``). A model
that ``object_for`` does not know fails the matrix instead of being skipped.

What is expected of each request is derived twice: from the view's declarations
(``read_roles``, ``capability``, ``write_capability``/``required_capability``) read against
``tenancy.roles.CAPABILITIES``, and, for the resources the SPEC names, from the hard-coded
``SPEC_EXPECTATIONS`` below, so a wrong capability table fails too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Model
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, resolve, reverse
from rest_framework.exceptions import PermissionDenied
from rest_framework.test import APIClient
from rest_framework.views import APIView

from accounts.models import User
from communication import selectors as communication_selectors
from communication import services as communication_services
from communication.models import ActionItem, Announcement, CommunicationSettings, Pulse, Review, Ticket, TicketMessage
from deals.models import Deal, DealSettings
from deals.normalise import normalise_customer
from deals.selectors import settings_of
from diligence import services as diligence_services
from diligence.models import ChecklistItem, PartnerCheckEvent
from facts.models import ImportJob, Invoice, Payment, Sale, WriteOff
from funds import services as fund_services
from funds.models import ClaimFile, Fund, FundClaim, FundRequest
from incentives import services as incentive_services
from incentives.models import ProfitShareAgreement, RebateProgram
from leads.models import Lead, LeadImportJob, LeadSettings
from notifications.models import Notification, Webhook
from partners import services as partner_services
from partners.models import Contact, Contract, Partner, Tier
from qudao_api.viewsets import TenantViewSet
from risk.models import Alert, ThresholdChange
from scoring.models import JobRun, PartnerScore, TierRecommendation
from screening import services as screening_services
from screening.models import Criterion, Evaluation, Evidence, ExitReview
from screening.selectors import scorecard
from settlements.models import ExportJob, SettlementRun, Statement, StatementLine
from targets.models import CompanyGoal, Target
from tenancy import services as tenancy_services
from tenancy.context import tenant_scope
from tenancy.models import Invitation, Membership
from tenancy.pages import TenantPageMixin
from tenancy.roles import CAPABILITIES, PARTNER_ROLES, VENDOR_ROLES, Role

from .world import PASSWORD, load_world

ROLES = [role.value for role in Role]
OWN, OTHER_PARTNER, OTHER_TENANT, SAME_TENANT = "own", "other-partner", "other-tenant", "same-tenant"
HOME, AWAY = "acme", "globex"
WRITE_METHODS = {"post", "put", "patch", "delete"}
DENY, ALLOW = "deny", "allow"
DAY = datetime.date(2026, 3, 2)

# Never in any answer to a partner-side member (SPEC §1): the other partner, and vendor-only notes.
PARTNER_SIDE_SECRETS = ("ACME-OTHER", "Acme Other Partner", "secret vendor note", "other secret note")
# Never in any answer of tenant acme: tenant globex's partners.
OTHER_TENANT_SECRETS = ("GLOBEX-OWN", "GLOBEX-OTHER", "Globex Own Partner", "Globex Other Partner")


# --- the routes ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Route:
    pattern: str
    name: str | None
    callback: Callable
    kwargs: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        view_class = getattr(self.callback, "cls", None)
        return view_class is not None and issubclass(view_class, APIView)

    @property
    def view_class(self) -> type:
        return self.callback.cls if self.is_api else getattr(self.callback, "view_class", None)

    @property
    def model(self) -> type[Model] | None:
        return getattr(self.view_class, "model", None)

    @property
    def is_detail(self) -> bool:
        return "pk" in self.kwargs

    @property
    def is_partner_bound(self) -> bool:
        """Whether the view's rows belong to partners (``partner_field`` None: shared by the tenant)."""
        return getattr(self.view_class, "partner_field", "partner") is not None

    def methods(self) -> list[str]:
        if self.is_api and getattr(self.callback, "actions", None):
            allowed = self.view_class.http_method_names
            return [method for method in self.callback.actions if method in allowed]
        view_class = self.view_class
        if view_class is None:  # a plain function view: GET only (it cannot tell us more)
            return ["get"]
        # A page is read with GET; a page that takes a form (or an action) is also sent a POST.
        allowed = getattr(view_class, "http_method_names", ("get", "post"))
        return [method for method in ("get", "post") if method in allowed and hasattr(view_class, method)]

    def __str__(self) -> str:
        return self.name or self.pattern


def _walk(resolver, prefix: str = "", namespace: str | None = None, groups: tuple[str, ...] = ()):
    for entry in resolver.url_patterns:
        entry_groups = groups + tuple(entry.pattern.regex.groupindex)
        text = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, text, inner, entry_groups)
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(pattern=text, name=name, callback=entry.callback, kwargs=entry_groups)


def tenant_routes() -> list[Route]:
    """Every route under a tenant. Format-suffix twins (``.json``) repeat a route and are left out."""
    return [route for route in _walk(get_resolver()) if "tenant_slug" in route.kwargs and "format" not in route.kwargs]


ROUTES = tenant_routes()


# --- the objects a pk can name ------------------------------------------------------------------


@dataclasses.dataclass
class Subject:
    """An object the matrix points a route at, and the strings that identify it (never leaked)."""

    obj: Model
    tenant_slug: str
    secrets: tuple[str, ...]


OBJECT_FACTORIES: dict[type[Model], Callable] = {}
# Models whose rows belong to one member (a notification): their factory is also told the acting role.
MEMBER_OWNED: set[type[Model]] = set()


def makes(model: type[Model], *, member_owned: bool = False):
    def register(factory):
        OBJECT_FACTORIES[model] = factory
        if member_owned:
            MEMBER_OWNED.add(model)
        return factory

    return register


def object_for(model: type[Model], world, which: str, role: str | None = None) -> Subject:
    """An instance of ``model`` for the acting member's own partner, another partner, or another tenant.

    Each factory takes the tenant's world, the partner the row belongs to and ``which``, runs in
    that tenant's scope, and returns the object and the strings that would betray it. A factory
    of a ``member_owned`` model is also given the acting member's ``role``: its "own" row is that
    member's (in the other tenant, the member of the same role there).
    """
    factory = OBJECT_FACTORIES.get(model)
    if factory is None:
        pytest.fail(
            f"add {model._meta.label} to object_for in tests/test_authorization_matrix.py "
            "(a route names it, and the matrix must not skip a route)",
            pytrace=False,
        )
    slug = AWAY if which == OTHER_TENANT else HOME
    tenant_world = world[slug]
    partner = tenant_world.other if which == OTHER_PARTNER else tenant_world.own
    extra = {"role": role} if model in MEMBER_OWNED else {}
    with tenant_scope(tenant_world.tenant):
        obj, secrets = factory(tenant_world, partner, which, **extra)
    return Subject(obj=obj, tenant_slug=slug, secrets=tuple(secrets))


def _tag(partner, which: str) -> str:
    """A string unique to this object, to look for in answers that must not show it."""
    return f"{which}-{partner.code}".lower()


@makes(Partner)
def _partner(tenant_world, partner, which):
    return partner, (partner.code, partner.name)


@makes(Tier)
def _tier(tenant_world, partner, which):
    if which != OTHER_TENANT:  # tiers belong to no partner: every member of the tenant reads them
        return Tier.objects.get(code="ordinary"), ()
    tier = partner_services.tier_create(code="globex-only", name="Globex Only Tier", rank=9, min_score=50)
    return tier, (tier.code, tier.name)


@makes(Membership)
def _membership(tenant_world, partner, which):
    if which == OWN:  # a member of the acting member's own partner
        return tenant_world.member(Role.PARTNER_USER), ()
    email = f"matrix-{which}@{tenant_world.tenant.slug}.test"
    membership = tenancy_services.member_add(
        actor=tenant_world.member(Role.ADMIN), email=email, password=PASSWORD, role=Role.PARTNER_USER, partner=partner
    ).membership
    return membership, (email,)


@makes(Invitation)
def _invitation(tenant_world, partner, which):
    """A user of another tenant invited here, for a partner role of ``partner``."""
    email = f"invitee-{which}-{tenant_world.tenant.slug}@elsewhere.test"
    invitation = Invitation.objects.filter(email=email, status=Invitation.Status.PENDING).first()
    if invitation is None:
        User.objects.filter(email=email).exists() or User.objects.create_user(email=email, password=PASSWORD)
        invitation = tenancy_services.member_add(
            actor=tenant_world.member(Role.ADMIN), email=email, role=Role.PARTNER_USER, partner=partner
        ).invitation
    return invitation, (email,)


@makes(Contract)
def _contract(tenant_world, partner, which):
    contract = partner_services.contract_create(
        partner=partner,
        number=f"CT-{_tag(partner, which)}",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        terms=f"terms of {_tag(partner, which)}",
        file=SimpleUploadedFile("contract.pdf", b"%PDF-1.4\n%matrix\n", content_type="application/pdf"),
    )
    return contract, (contract.number, contract.terms)


@makes(Contact)
def _contact(tenant_world, partner, which):
    contact = partner_services.contact_create(partner=partner, name=f"Contact {_tag(partner, which)}")
    return contact, (contact.name,)


@makes(ChecklistItem)
def _checklist_item(tenant_world, partner, which):
    """Checklist items belong to the tenant, not to a partner; the other tenant's is named to tell."""
    if which != OTHER_TENANT:
        return ChecklistItem.objects.get(code="references"), ()
    found = ChecklistItem.objects.filter(code="globex-only").first() or diligence_services.checklist_item_create(
        code="globex-only", name="Globex Only Check", gate="pilot"
    )
    return found, (found.name,)


@makes(PartnerCheckEvent)
def _check_event(tenant_world, partner, which):
    """A tick of ``partner``'s site visit with its evidence file; the note names it."""
    note = f"visited {_tag(partner, which)}"
    check = diligence_services.partner_check_tick(
        partner=partner,
        item=ChecklistItem.objects.get(code="site_visit"),
        actor=None,
        note=note,
        evidence=SimpleUploadedFile("visit.pdf", b"%PDF-1.4\n%matrix\n", content_type="application/pdf"),
    )
    return check.events.get(), (note,)


@makes(Criterion)
def _criterion(tenant_world, partner, which):
    """The scorecard belongs to the tenant; the other tenant's has a criterion whose name tells."""
    criteria = scorecard()
    if which != OTHER_TENANT:
        return criteria[0], ()
    criterion = criteria[0]
    criterion.name_en = criterion.name_zh = "Globex Only Criterion"
    criterion.save(update_fields=["name_en", "name_zh"])
    return criterion, ("Globex Only Criterion",)


@makes(Evaluation)
def _evaluation(tenant_world, partner, which):
    """A channel manager's evaluation of ``partner``; its summary names whose it is."""
    summary = f"evaluated {_tag(partner, which)}"
    found = Evaluation.objects.filter(partner=partner, summary=summary).first()
    if found is None:
        codes = ("strategic_fit", "operating_capability", "resource_complementarity", "credit_compliance",
                 "growth_potential")  # fmt: skip
        found = screening_services.evaluation_submit(
            partner=partner,
            actor=tenant_world.member(Role.CHANNEL_MANAGER).user,
            ratings=[{"criterion": code, "rating": 3, "note": summary} for code in codes],
            summary=summary,
        )
    return found, (summary,)


@makes(Evidence)
def _evidence(tenant_world, partner, which):
    evaluation, secrets = _evaluation(tenant_world, partner, which)
    evidence = (
        evaluation.evidence.first()
        or screening_services.evidence_add(
            evaluation=evaluation,
            actor=tenant_world.member(Role.CHANNEL_MANAGER).user,
            files=[SimpleUploadedFile("visit.pdf", b"%PDF-1.4\n%matrix\n", content_type="application/pdf")],
        )[0]
    )
    return evidence, secrets


@makes(ExitReview)
def _exit_review(tenant_world, partner, which):
    """An open exit review of ``partner``, opened by hand with a reason that names it."""
    reason = f"weak {_tag(partner, which)}"
    found = ExitReview.objects.filter(partner=partner, status="open").first() or screening_services.exit_review_open(
        partner=partner, actor=None, reason=reason
    )
    return found, (found.opening_reason,)


@makes(Sale)
def _sale(tenant_world, partner, which):
    tag = _tag(partner, which)
    sale = Sale.objects.create(
        external_id=f"S-{tag}", partner=partner, date=DAY, customer=f"customer {tag}", amount=Decimal("100.00")
    )
    return sale, (sale.external_id, sale.customer)


@makes(Invoice)
def _invoice(tenant_world, partner, which):
    tag = _tag(partner, which)
    invoice = Invoice.objects.create(
        external_id=f"I-{tag}", partner=partner, number=f"INV-{tag}", issue_date=DAY, due_date=DAY, amount=100
    )
    return invoice, (invoice.external_id, invoice.number)


@makes(Payment)
def _payment(tenant_world, partner, which):
    payment = Payment.objects.create(external_id=f"P-{_tag(partner, which)}", partner=partner, date=DAY, amount=50)
    return payment, (payment.external_id,)


@makes(WriteOff)
def _write_off(tenant_world, partner, which):
    tag = _tag(partner, which)
    write_off = WriteOff.objects.create(
        external_id=f"W-{tag}", partner=partner, date=DAY, amount=10, reason=f"loss {tag}"
    )
    return write_off, (write_off.external_id, write_off.reason)


@makes(ImportJob)
def _import_job(tenant_world, partner, which):
    if which != OTHER_TENANT:  # imports belong to the tenant, not to a partner
        job, _created = ImportJob.objects.get_or_create(
            kind="sales", original_filename="matrix-home.csv", defaults={"file": "imports/matrix-home.csv"}
        )
        return job, ()
    job = ImportJob.objects.create(kind="sales", original_filename="matrix-away.csv", file="imports/matrix-away.csv")
    return job, (job.original_filename,)


@makes(LeadImportJob)
def _lead_import_job(tenant_world, partner, which):
    if which != OTHER_TENANT:  # lead uploads belong to the tenant, not to a partner
        job, _created = LeadImportJob.objects.get_or_create(
            original_filename="matrix-leads-home.csv", defaults={"file": "imports/matrix-leads-home.csv"}
        )
        return job, ()
    job = LeadImportJob.objects.create(original_filename="matrix-leads-away.csv", file="imports/matrix-leads-away.csv")
    return job, (job.original_filename,)


@makes(ExportJob)
def _export_job(tenant_world, partner, which):
    """A finished zip at home (its download answers); a failed one, with a telling reason, away."""
    import io
    import zipfile

    from django.core.files.base import ContentFile

    if which == OTHER_TENANT:
        job = ExportJob.objects.filter(status="failed").first() or ExportJob.objects.create(
            period="2026-Q1", status="failed", error="globex export went wrong"
        )
        return job, (job.error,)
    job = ExportJob.objects.filter(status="succeeded").first()
    if job is None:
        job = ExportJob.objects.create(period="2026-Q1", status="succeeded", progress=100, statements_count=1)
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("readme.txt", "matrix")
        job.file.save(job.download_name, ContentFile(archive.getvalue()), save=True)
    return job, ()


@makes(Target)
def _target(tenant_world, partner, which):
    target = Target(partner=partner, metric="sales", value=Decimal("1000"))
    target.set_period("2026-Q1")
    target.save()
    return target, ()


@makes(CompanyGoal)
def _goal(tenant_world, partner, which):
    name = "Goal matrix-home" if which != OTHER_TENANT else "Goal matrix-away"
    goal = CompanyGoal.objects.filter(name=name).first()
    if goal is None:
        goal = CompanyGoal(name=name, metric="sales", value=Decimal("5000"))
        goal.set_period("2026-Q2")
        goal.save()
    return goal, (goal.name,) if which == OTHER_TENANT else ()


def _score(partner) -> PartnerScore:
    component = Decimal("50.00")
    return PartnerScore.objects.create(
        partner=partner,
        day=DAY,
        **dict.fromkeys(("volume", "growth", "attainment", "collection", "overdue", "score"), component),
        weights={"volume": 30, "growth": 15, "attainment": 25, "collection": 20, "overdue": 10},
        recommended_tier=Tier.objects.get(code="strategic"),
        **dict.fromkeys(
            ("sales_365", "sales_prior_365", "max_sales_365", "payments_365", "invoices_365", "outstanding"),
            Decimal("0"),
        ),
        overdue_amount=Decimal("0"),
    )


@makes(PartnerScore)
def _partner_score(tenant_world, partner, which):
    return _score(partner), ()


@makes(TierRecommendation)
def _recommendation(tenant_world, partner, which):
    recommendation = TierRecommendation.objects.create(
        partner=partner,
        score=_score(partner),
        from_tier=Tier.objects.get(code="ordinary"),
        to_tier=Tier.objects.get(code="strategic"),
        reason=f"reason {_tag(partner, which)}",
    )
    return recommendation, (recommendation.reason,)


@makes(JobRun)
def _job_run(tenant_world, partner, which):
    step = f"step {which}" if which == OTHER_TENANT else "step home"
    job = JobRun.objects.filter(step=step).first() or JobRun.objects.create(day=DAY, step=step, status="succeeded")
    return job, (step,) if which == OTHER_TENANT else ()


@makes(SettlementRun)
def _settlement_run(tenant_world, partner, which):
    """Runs belong to the tenant, not to a partner; the other tenant's says so in its error."""
    error = "run home" if which != OTHER_TENANT else f"run {which}"
    run = SettlementRun.objects.filter(error=error).first() or SettlementRun.objects.create(
        period="2025-Q4", starts_on=datetime.date(2025, 10, 1), ends_on=datetime.date(2025, 12, 31), status="failed",
        error=error,
    )  # fmt: skip
    return run, (error,) if which == OTHER_TENANT else ()


@makes(Statement)
def _statement(tenant_world, partner, which):
    """A draft of ``partner`` with one adjustment line whose reason names it."""
    statement, _created = Statement.objects.get_or_create(
        partner=partner,
        period="2026-Q1",
        defaults={"starts_on": datetime.date(2026, 1, 1), "ends_on": datetime.date(2026, 3, 31), "currency": "CNY",
                  "total": Decimal("100.00")},
    )  # fmt: skip
    reason = f"reason {_tag(partner, which)}"
    StatementLine.objects.get_or_create(
        statement=statement, kind="adjustment", reason=reason, defaults={"amount": Decimal("100.00")}
    )
    return statement, (reason,)


def _versioned(model, create, tenant_world, which, **terms):
    """A program or agreement for every tier (partners read it too), one per tenant, made through its service."""
    code = "matrix-away" if which == OTHER_TENANT else "matrix-home"
    found = model.objects.filter(code=code).first()
    if found is None:
        found = create(actor=None, code=code, name=f"Rules {code}", starts_on=DAY, **terms)
    return found, (code, f"Rules {code}") if which == OTHER_TENANT else ()


@makes(RebateProgram)
def _program(tenant_world, partner, which):
    brackets = [{"threshold": "0", "rate_percent": "1"}]
    return _versioned(
        RebateProgram, incentive_services.program_create, tenant_world, which,
        basis="sales", method="retroactive", period_kind="quarter", brackets=brackets,
    )  # fmt: skip


@makes(ProfitShareAgreement)
def _agreement(tenant_world, partner, which):
    rates = [{"tier": code, "rate_percent": "10"} for code in Tier.objects.values_list("code", flat=True)]
    return _versioned(
        ProfitShareAgreement, incentive_services.agreement_create, tenant_world, which,
        period_kind="quarter", rates=rates, loss_share_percent="5",
    )  # fmt: skip


@makes(Notification, member_owned=True)
def _notification(tenant_world, partner, which, *, role):
    """The acting member's own notification (in the other tenant: its member of the same role's)."""
    subject = f"Notice {which} {tenant_world.tenant.slug}"
    notification = Notification.objects.create(
        recipient=tenant_world.member(role), event="announcement", subject=subject, body=f"body of {subject}"
    )
    return notification, (subject,) if which == OTHER_TENANT else ()


@makes(Webhook)
def _webhook(tenant_world, partner, which):
    """The tenant's webhook; its address is one the app refuses to call (no request leaves the test)."""
    name = "Hook matrix-away" if which == OTHER_TENANT else "Hook matrix-home"
    webhook = Webhook.objects.filter(name=name).first() or Webhook.objects.create(
        name=name, url="http://127.0.0.1:9/matrix", secret="matrix-secret-0123456789", events=["announcement"]
    )
    return webhook, (name, "matrix-secret-0123456789") if which == OTHER_TENANT else ("matrix-secret-0123456789",)


@makes(Alert)
def _alert(tenant_world, partner, which):
    """A live overdue alert about ``partner`` whose evidence names an invoice telling whose it is."""
    number = f"INV-alert-{_tag(partner, which)}"
    alert = Alert.objects.filter(partner=partner, rule="overdue").first() or Alert.objects.create(
        partner=partner, rule="overdue", severity="warning", raised_on=DAY, evaluated_on=DAY,
        raised_at=datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC),
        evidence={"day": DAY.isoformat(), "invoices": [{"number": number}], "invoice_count": 1},
    )  # fmt: skip
    return alert, (number,)


@makes(ThresholdChange)
def _threshold_change(tenant_world, partner, which):
    """Threshold changes belong to the tenant; the other tenant's names who made it."""
    email = "thresholds-away@globex.test" if which == OTHER_TENANT else ""
    change = ThresholdChange.objects.create(actor=None, old_values={"note": email}, new_values={})
    return change, (email,) if email else ()


MATRIX_CUSTOMERS = {OWN: "Matrix Shared Customer Co., Ltd.", OTHER_PARTNER: "MATRIX SHARED CUSTOMER Limited"}


@makes(Deal)
def _deal(tenant_world, partner, which):
    """A submitted deal of ``partner``; at home the own and the other partner's name one customer, spelt
    differently, so they conflict: a partner must never see the other's spelling (nor its name)."""
    customer = MATRIX_CUSTOMERS.get(which, f"Customer {_tag(partner, which)}")
    deal = Deal.objects.filter(partner=partner, customer=customer).first() or Deal.objects.create(
        partner=partner, customer=customer, customer_key=normalise_customer(customer), value=Decimal("1000.00"),
        expected_close=DAY,
    )  # fmt: skip
    return deal, (customer,)


@makes(DealSettings)
def _deal_settings(tenant_world, partner, which):
    """The tenant's deal settings (one per tenant)."""
    return settings_of(tenant_world.tenant), ()


@makes(Lead)
def _lead(tenant_world, partner, which):
    """A lead offered to ``partner`` (its company names it), as the rules or a person would have."""
    now = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)
    company = f"Lead of {_tag(partner, which)}"
    lead = Lead.objects.create(
        company=company, region=partner.region or "华东", industry="制造", value=Decimal("1000.00"), status="offered",
        partner=partner, offered_at=now, due_at=now + datetime.timedelta(days=3650),
    )  # fmt: skip
    return lead, (company,)


@makes(LeadSettings)
def _lead_settings(tenant_world, partner, which):
    """The tenant's lead settings (one per tenant, shared by everyone in it)."""
    found, _created = LeadSettings.objects.get_or_create()
    return found, ()


@makes(Announcement)
def _announcement(tenant_world, partner, which):
    """An announcement to ``partner`` by name (its readers read it); the other tenant's title tells."""
    title = f"Notice {_tag(partner, which)}"
    found = Announcement.objects.filter(title=title).first() or communication_services.announcement_publish(
        actor=None, title=title, body="**Hello** partners", audience="partners", audience_values=[partner.code]
    )
    return found, (title,) if which == OTHER_TENANT else ()


def _review(partner, which) -> Review:
    review = Review.objects.filter(partner=partner, period="2026-Q1").first()
    if review is None:
        review = communication_services.review_schedule(
            actor=None, partner=partner, period="2026-Q1", held_on=DAY, attendees=f"attendees {_tag(partner, which)}"
        )
    return review


@makes(Review)
def _review_factory(tenant_world, partner, which):
    review = _review(partner, which)
    return review, (review.attendees,)


@makes(ActionItem)
def _action_item(tenant_world, partner, which):
    title = f"Action {_tag(partner, which)}"
    item = ActionItem.objects.filter(title=title).first() or communication_services.action_item_create(
        actor=None, review=_review(partner, which), title=title, owner_side="partner", due_on=DAY
    )
    return item, (title,)


def _ticket(partner, which) -> Ticket:
    subject = f"Ticket {_tag(partner, which)}"
    ticket = Ticket.objects.filter(subject=subject).first()
    if ticket is None:
        now = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)
        ticket = Ticket.objects.create(
            partner=partner, category="support", subject=subject, opened_at=now, answer_due_at=now
        )
    return ticket


@makes(Ticket)
def _ticket_factory(tenant_world, partner, which):
    ticket = _ticket(partner, which)
    return ticket, (ticket.subject,)


@makes(TicketMessage)
def _ticket_message(tenant_world, partner, which):
    """A partner's message with a file, in a ticket of ``partner``; the body names it."""
    ticket = _ticket(partner, which)
    body = f"message {_tag(partner, which)}"
    message = TicketMessage(ticket=ticket, partner=partner, side="partner", body=body)
    message.attachment = SimpleUploadedFile("proof.pdf", b"%PDF-1.4\n%matrix\n", content_type="application/pdf")
    message.original_filename = "proof.pdf"
    message.save()
    return message, (body,)


@makes(Pulse)
def _pulse(tenant_world, partner, which):
    member = tenant_world.member(Role.PARTNER_USER)
    pulse = Pulse.objects.filter(member=member, quarter="2026-Q1").first() or Pulse.objects.create(
        partner=member.partner, member=member, quarter="2026-Q1", score=9
    )
    return pulse, ()


@makes(CommunicationSettings)
def _communication_settings(tenant_world, partner, which):
    return communication_selectors.settings_of(tenant_world.tenant), ()


def _matrix_fund(which) -> Fund:
    """A fund open to every tier (so the acting partner reads it), one per tenant."""
    code = "matrix-away" if which == OTHER_TENANT else "matrix-home"
    return Fund.objects.filter(code=code).first() or fund_services.fund_create(
        actor=None, code=code, name=f"Fund {code}", period="2026", budget=Decimal("100000.00")
    )


@makes(Fund)
def _fund(tenant_world, partner, which):
    """Funds belong to the tenant, not to a partner; the other tenant's is named to tell."""
    found = _matrix_fund(which)
    return found, (found.code, found.name) if which == OTHER_TENANT else ()


def _fund_request_of(partner, which) -> FundRequest:
    activity = f"activity {_tag(partner, which)}"
    return FundRequest.objects.filter(activity=activity).first() or fund_services.fund_request_submit(
        fund=_matrix_fund(which), partner=partner, actor=None, activity=activity, planned_on=DAY,
        amount=Decimal("1000.00"),
    )  # fmt: skip


@makes(FundRequest)
def _fund_request(tenant_world, partner, which):
    """A submitted request of ``partner`` whose activity names it."""
    found = _fund_request_of(partner, which)
    return found, (found.activity,)


def _fund_claim_of(partner, which) -> FundClaim:
    description = f"spent {_tag(partner, which)}"
    found = FundClaim.objects.filter(description=description).first()
    if found is None:
        pending = _fund_request_of(partner, f"{which}-claimed")
        approved = fund_services.fund_request_approve(request=pending, actor=None)
        found = fund_services.fund_claim_submit(
            request=approved, actor=None, amount=Decimal("500.00"), description=description,
            files=[SimpleUploadedFile("proof.pdf", b"%PDF-1.4\n%matrix\n", content_type="application/pdf")],
        )  # fmt: skip
    return found


@makes(FundClaim)
def _fund_claim(tenant_world, partner, which):
    """A submitted claim (with a proof file) on an approved request of ``partner``."""
    found = _fund_claim_of(partner, which)
    return found, (found.description,)


@makes(ClaimFile)
def _claim_file(tenant_world, partner, which):
    found = _fund_claim_of(partner, which)
    return found.files.get(), (found.description,)


# --- what the SPEC says, by hand ----------------------------------------------------------------

VENDOR_WRITERS = {Role.ADMIN, Role.CHANNEL_MANAGER}
SETTLERS = {Role.ADMIN, Role.FINANCE}
RISK_MANAGERS = {Role.ADMIN, Role.RISK}
DEAL_REGISTRARS = VENDOR_WRITERS | PARTNER_ROLES


def _only(allowed) -> dict[str, str]:
    return {role: ALLOW if role in allowed else DENY for role in ROLES}


EVERYONE = _only(set(ROLES))
FACTS = ("sale", "invoice", "payment", "writeoff")
# (route name, method) → role → allow/deny, for the resources SPEC §1/§6 names.
SPEC_EXPECTATIONS: dict[tuple[str, str], dict[str, str]] = {
    ("api:partner-list", "get"): EVERYONE,
    ("api:partner-list", "post"): _only(VENDOR_WRITERS),
    ("api:partner-detail", "get"): EVERYONE,
    ("api:partner-detail", "patch"): _only(VENDOR_WRITERS),
    ("api:partner-history", "get"): EVERYONE,
    ("api:partner-tier", "post"): _only(VENDOR_WRITERS),
    ("api:partner-contracts", "get"): EVERYONE,
    ("api:partner-contracts", "post"): _only(VENDOR_WRITERS),
    ("api:tier-list", "get"): EVERYONE,  # partners read the rules that pay them
    ("api:tier-list", "post"): _only(VENDOR_WRITERS),
    ("api:tier-detail", "get"): EVERYONE,
    ("api:tier-detail", "patch"): _only(VENDOR_WRITERS),
    ("api:member-list", "get"): EVERYONE,
    ("api:member-list", "post"): _only({Role.ADMIN, Role.PARTNER_ADMIN}),  # a partner admin manages its users
    ("partners:list", "get"): EVERYONE,
    ("partners:detail", "get"): EVERYONE,
    ("partners:create", "post"): _only(VENDOR_WRITERS),
    ("partners:edit", "post"): _only(VENDOR_WRITERS),
    ("partners:change-tier", "post"): _only(VENDOR_WRITERS),
    ("partners:tiers", "get"): EVERYONE,
    ("partners:tier-edit", "post"): _only(VENDOR_WRITERS),
    ("partners:contract-file", "get"): EVERYONE,
    ("partners:change-status", "post"): _only(VENDOR_WRITERS),
    ("api:partner-status", "post"): _only(VENDOR_WRITERS),
    # Due diligence is vendor-only (SPEC §1: partners never see vendor-only details); managers tick.
    ("api:partner-diligence-checklist", "get"): _only(VENDOR_ROLES),
    ("api:partner-diligence-tick", "post"): _only(VENDOR_WRITERS),
    ("api:partner-diligence-untick", "post"): _only(VENDOR_WRITERS),
    ("api:checklist-item-list", "get"): _only(VENDOR_ROLES),
    ("api:checklist-item-list", "post"): _only(VENDOR_WRITERS),
    ("api:checklist-item-detail", "patch"): _only(VENDOR_WRITERS),
    ("diligence:partner", "get"): _only(VENDOR_ROLES),
    ("diligence:tick", "post"): _only(VENDOR_WRITERS),
    ("diligence:untick", "post"): _only(VENDOR_WRITERS),
    ("diligence:pipeline", "get"): _only(VENDOR_ROLES),
    ("diligence:checklist", "get"): _only(VENDOR_ROLES),
    ("diligence:item-create", "post"): _only(VENDOR_WRITERS),
    ("diligence:item-edit", "post"): _only(VENDOR_WRITERS),
    ("diligence:settings", "post"): _only({Role.ADMIN}),
    ("diligence:evidence", "get"): _only(VENDOR_ROLES),
    # SPEC §6 statements/{id}/pdf/: every member who may see the statement (a partner, its own).
    ("api:statement-pdf", "get"): EVERYONE,
    ("settlements:statement-pdf", "get"): EVERYONE,
    # SPEC §1: finance exports (and administrators do everything).
    ("settlements:period-export", "get"): _only({Role.ADMIN, Role.FINANCE}),
    ("api:statement-export", "get"): _only({Role.ADMIN, Role.FINANCE}),
    # SPEC §3: admin and finance members write facts; the other roles read them (partners, their own).
    **{(f"api:{fact}-bulk", "post"): _only({Role.ADMIN, Role.FINANCE}) for fact in FACTS},
    **{(f"api:{fact}-list", "get"): EVERYONE for fact in FACTS},
    # SPEC §1: channel managers set targets; partners see their own targets and scores.
    ("api:target-list", "get"): EVERYONE,
    ("api:target-list", "post"): _only(VENDOR_WRITERS),
    ("api:target-detail", "patch"): _only(VENDOR_WRITERS),
    ("api:score-list", "get"): EVERYONE,
    # SPEC §4.3: tier changes are recommendations that a channel manager applies.
    ("api:tier-recommendation-apply", "post"): _only(VENDOR_WRITERS),
    # SPEC §1, §4.6: finance runs settlements, approves, adjusts and marks paid; a partner admin disputes.
    ("api:settlement-run-list", "get"): _only(VENDOR_ROLES),
    ("api:settlement-run-list", "post"): _only(SETTLERS),
    ("api:settlement-run-detail", "get"): _only(VENDOR_ROLES),
    ("api:statement-list", "get"): EVERYONE,
    ("api:statement-detail", "get"): EVERYONE,
    ("api:statement-approve", "post"): _only(SETTLERS),
    ("api:statement-resolve", "post"): _only(SETTLERS),
    ("api:statement-mark-paid", "post"): _only(SETTLERS),
    ("api:statement-adjustments", "post"): _only(SETTLERS),
    ("api:statement-dispute", "post"): _only({Role.PARTNER_ADMIN}),
    ("settlements:runs", "get"): _only(VENDOR_ROLES),
    ("settlements:run-start", "post"): _only(SETTLERS),
    ("settlements:statements", "get"): EVERYONE,
    ("settlements:statement", "get"): EVERYONE,
    ("settlements:statement-approve", "post"): _only(SETTLERS),
    ("settlements:statement-adjust", "post"): _only(SETTLERS),
    ("settlements:statement-resolve", "post"): _only(SETTLERS),
    ("settlements:statement-mark-paid", "post"): _only(SETTLERS),
    ("settlements:statement-dispute", "post"): _only({Role.PARTNER_ADMIN}),
    # SPEC §1, §6: channel managers run programs; partners read the rules that pay them; a what-if
    # shows every partner's figures, so only vendor members run one.
    **{(f"api:{name}-list", "get"): EVERYONE for name in ("program", "profit-share")},
    **{(f"api:{name}-list", "post"): _only(VENDOR_WRITERS) for name in ("program", "profit-share")},
    **{(f"api:{name}-detail", "get"): EVERYONE for name in ("program", "profit-share")},
    **{(f"api:{name}-detail", "patch"): _only(VENDOR_WRITERS) for name in ("program", "profit-share")},
    **{(f"api:{name}-versions", "get"): EVERYONE for name in ("program", "profit-share")},
    ("api:program-what-if", "post"): _only(VENDOR_ROLES),
    ("api:program-what-if-saved", "get"): _only(VENDOR_ROLES),
    ("incentives:programs", "get"): _only(VENDOR_ROLES),
    ("incentives:program", "get"): EVERYONE,
    ("incentives:program-create", "post"): _only(VENDOR_WRITERS),
    ("incentives:program-edit", "post"): _only(VENDOR_WRITERS),
    ("incentives:agreements", "get"): _only(VENDOR_ROLES),
    ("incentives:agreement", "get"): EVERYONE,
    ("incentives:agreement-create", "post"): _only(VENDOR_WRITERS),
    ("incentives:agreement-edit", "post"): _only(VENDOR_WRITERS),
    ("incentives:mine", "get"): EVERYONE,
    # SPEC §4.11, §6: every member has an inbox and chooses its channels; webhooks are the administrators'.
    ("api:notification-list", "get"): EVERYONE,
    ("api:notification-detail", "get"): EVERYONE,
    ("api:notification-read", "post"): EVERYONE,
    ("api:notification-read-all", "post"): EVERYONE,
    ("api:notification-preferences", "get"): EVERYONE,
    ("api:notification-preferences", "put"): EVERYONE,
    ("notifications:inbox", "get"): EVERYONE,
    ("notifications:read", "post"): EVERYONE,
    ("notifications:read-all", "post"): EVERYONE,
    ("notifications:preferences", "post"): EVERYONE,
    **{("api:webhook-list", method): _only({Role.ADMIN}) for method in ("get", "post")},
    **{("api:webhook-detail", method): _only({Role.ADMIN}) for method in ("get", "patch", "delete")},
    ("api:webhook-test", "post"): _only({Role.ADMIN}),
    ("api:webhook-deliveries", "get"): _only({Role.ADMIN}),
    ("notifications:webhooks", "get"): _only({Role.ADMIN}),
    ("notifications:webhook", "get"): _only({Role.ADMIN}),
    ("notifications:webhook-create", "post"): _only({Role.ADMIN}),
    ("notifications:webhook-edit", "post"): _only({Role.ADMIN}),
    ("notifications:webhook-delete", "post"): _only({Role.ADMIN}),
    ("notifications:webhook-test", "post"): _only({Role.ADMIN}),
    # SPEC §1, §4.8, §6: the vendor's managers make and assign leads, a partner's administrator answers the offers
    # made to its partner, either side closes an accepted lead; the trail (candidates, scores) is vendor-only.
    ("api:lead-list", "get"): EVERYONE,
    ("api:lead-list", "post"): _only(VENDOR_WRITERS),
    ("api:lead-detail", "get"): EVERYONE,
    ("api:lead-accept", "post"): _only({Role.PARTNER_ADMIN}),
    ("api:lead-decline", "post"): _only({Role.PARTNER_ADMIN}),
    ("api:lead-assign", "post"): _only(VENDOR_WRITERS),
    ("api:lead-won", "post"): _only(VENDOR_WRITERS | {Role.PARTNER_ADMIN}),
    ("api:lead-lost", "post"): _only(VENDOR_WRITERS | {Role.PARTNER_ADMIN}),
    ("api:lead-assignments", "get"): _only(VENDOR_ROLES),
    ("leads:list", "get"): _only(VENDOR_ROLES),
    ("leads:mine", "get"): _only(PARTNER_ROLES),
    ("leads:detail", "get"): EVERYONE,
    ("leads:accept", "post"): _only({Role.PARTNER_ADMIN}),
    ("leads:decline", "post"): _only({Role.PARTNER_ADMIN}),
    ("leads:assign", "post"): _only(VENDOR_WRITERS),
    ("leads:create", "post"): _only(VENDOR_WRITERS),
    ("leads:upload", "post"): _only(VENDOR_WRITERS),
    ("leads:import", "get"): _only(VENDOR_WRITERS),
    ("leads:fairness", "get"): _only(VENDOR_ROLES),
    ("leads:settings", "get"): _only(VENDOR_ROLES),
    ("leads:settings-edit", "post"): _only({Role.ADMIN}),
    # SPEC §1, §4.7: risk alerts are vendor-only; risk and administrators act on them and set the thresholds.
    ("api:alert-list", "get"): _only(VENDOR_ROLES),
    ("api:alert-detail", "get"): _only(VENDOR_ROLES),
    ("api:alert-acknowledge", "post"): _only(RISK_MANAGERS),
    ("api:alert-resolve", "post"): _only(RISK_MANAGERS),
    ("api:risk-settings", "get"): _only(VENDOR_ROLES),
    ("api:risk-settings", "put"): _only(RISK_MANAGERS),
    ("risk:dashboard", "get"): _only(VENDOR_ROLES),
    ("risk:receivables", "get"): _only(VENDOR_ROLES),
    ("risk:alerts", "get"): _only(VENDOR_ROLES),
    ("risk:alert", "get"): _only(VENDOR_ROLES),
    ("risk:alert-acknowledge", "post"): _only(RISK_MANAGERS),
    ("risk:alert-resolve", "post"): _only(RISK_MANAGERS),
    ("risk:partner", "get"): _only(VENDOR_ROLES),
    ("risk:settings", "get"): _only(VENDOR_ROLES),
    ("risk:settings-edit", "post"): _only(RISK_MANAGERS),
    # SPEC §1, §4.8, §6: partners register their deals (admins and channel managers on their behalf) and say how
    # they ended; admins and channel managers approve and reject; every member reads the deals it may see.
    ("api:deal-list", "get"): EVERYONE,
    ("api:deal-list", "post"): _only(DEAL_REGISTRARS),
    ("api:deal-detail", "get"): EVERYONE,
    ("api:deal-detail", "patch"): _only(DEAL_REGISTRARS),
    ("api:deal-approve", "post"): _only(VENDOR_WRITERS),
    ("api:deal-reject", "post"): _only(VENDOR_WRITERS),
    ("api:deal-won", "post"): _only(DEAL_REGISTRARS),
    ("api:deal-lost", "post"): _only(DEAL_REGISTRARS),
    ("deals:list", "get"): EVERYONE,
    ("deals:detail", "get"): EVERYONE,
    ("deals:register", "post"): _only(DEAL_REGISTRARS),
    ("deals:check", "get"): _only(DEAL_REGISTRARS),
    ("deals:edit", "post"): _only(DEAL_REGISTRARS),
    ("deals:approve", "post"): _only(VENDOR_WRITERS),
    ("deals:reject", "post"): _only(VENDOR_WRITERS),
    ("deals:won", "post"): _only(DEAL_REGISTRARS),
    ("deals:lost", "post"): _only(DEAL_REGISTRARS),
    ("deals:settings", "post"): _only({Role.ADMIN}),
    # SPEC §1, §4.9: admin and channel managers publish announcements, hold reviews and answer tickets; every
    # partner-side user reads announcements, opens tickets and updates its own side's action items.
    ("api:announcement-list", "get"): EVERYONE,
    ("api:announcement-list", "post"): _only(VENDOR_WRITERS),
    ("api:announcement-detail", "get"): EVERYONE,
    ("api:announcement-read", "post"): _only(PARTNER_ROLES),
    ("api:announcement-acknowledge", "post"): _only(PARTNER_ROLES),
    ("api:review-list", "get"): EVERYONE,
    ("api:review-list", "post"): _only(VENDOR_WRITERS),
    ("api:review-detail", "get"): EVERYONE,
    ("api:review-detail", "patch"): _only(VENDOR_WRITERS),
    ("api:review-actions", "get"): EVERYONE,
    ("api:review-actions", "post"): _only(VENDOR_WRITERS),
    ("api:review-ics", "get"): EVERYONE,
    ("api:action-item-detail", "patch"): _only(VENDOR_WRITERS | PARTNER_ROLES),
    ("api:ticket-list", "get"): EVERYONE,
    ("api:ticket-list", "post"): _only(PARTNER_ROLES),
    ("api:ticket-messages", "get"): EVERYONE,
    ("api:ticket-messages", "post"): _only(VENDOR_WRITERS | PARTNER_ROLES),
    ("api:ticket-close", "post"): _only(VENDOR_WRITERS | PARTNER_ROLES),
    ("communication:announcement-create", "post"): _only(VENDOR_WRITERS),
    ("communication:announcement-acknowledge", "post"): _only(PARTNER_ROLES),
    ("communication:review-create", "post"): _only(VENDOR_WRITERS),
    ("communication:action-update", "post"): _only(VENDOR_WRITERS | PARTNER_ROLES),
    ("communication:ticket-create", "post"): _only(PARTNER_ROLES),
    ("communication:ticket-reply", "post"): _only(VENDOR_WRITERS | PARTNER_ROLES),
    ("communication:ticket-close", "post"): _only(VENDOR_WRITERS | PARTNER_ROLES),
    # SPEC §1, §4.10, §6: administrators and channel managers set up funds and decide requests; finance decides
    # claims; a partner's administrator requests and claims; every member reads (a partner, its own).
    ("api:fund-list", "get"): EVERYONE,
    ("api:fund-list", "post"): _only(VENDOR_WRITERS),
    ("api:fund-detail", "get"): EVERYONE,
    ("api:fund-detail", "patch"): _only(VENDOR_WRITERS),
    ("api:fund-request-list", "get"): EVERYONE,
    ("api:fund-request-list", "post"): _only({Role.PARTNER_ADMIN}),
    ("api:fund-request-detail", "get"): EVERYONE,
    ("api:fund-request-approve", "post"): _only(VENDOR_WRITERS),
    ("api:fund-request-reject", "post"): _only(VENDOR_WRITERS),
    ("api:fund-claim-list", "get"): EVERYONE,
    ("api:fund-claim-list", "post"): _only({Role.PARTNER_ADMIN}),
    ("api:fund-claim-detail", "get"): EVERYONE,
    ("api:fund-claim-approve", "post"): _only(SETTLERS),
    ("api:fund-claim-reject", "post"): _only(SETTLERS),
    ("funds:funds", "get"): EVERYONE,
    ("funds:fund", "get"): EVERYONE,
    ("funds:fund-create", "post"): _only(VENDOR_WRITERS),
    ("funds:fund-edit", "post"): _only(VENDOR_WRITERS),
    ("funds:request-create", "post"): _only({Role.PARTNER_ADMIN}),
    ("funds:requests", "get"): EVERYONE,
    ("funds:request", "get"): EVERYONE,
    ("funds:request-approve", "post"): _only(VENDOR_WRITERS),
    ("funds:request-reject", "post"): _only(VENDOR_WRITERS),
    ("funds:claim-create", "post"): _only({Role.PARTNER_ADMIN}),
    ("funds:claims", "get"): EVERYONE,
    ("funds:claim", "get"): EVERYONE,
    ("funds:claim-approve", "post"): _only(SETTLERS),
    ("funds:claim-reject", "post"): _only(SETTLERS),
    ("funds:proof", "get"): EVERYONE,
    # SPEC §4.12, §6: screening and exit reviews are vendor-only; managers evaluate and decide.
    ("api:scorecard", "get"): _only(VENDOR_ROLES),
    ("api:scorecard", "put"): _only({Role.ADMIN}),
    ("api:evaluation-list", "get"): _only(VENDOR_ROLES),
    ("api:evaluation-list", "post"): _only(VENDOR_WRITERS),
    ("api:evaluation-detail", "get"): _only(VENDOR_ROLES),
    ("api:evaluation-evidence", "post"): _only(VENDOR_WRITERS),
    ("api:partner-screening-screening", "get"): _only(VENDOR_ROLES),
    ("api:partner-screening-screening-decide", "post"): _only(VENDOR_WRITERS),
    ("api:exit-review-list", "get"): _only(VENDOR_ROLES),
    ("api:exit-review-list", "post"): _only(VENDOR_WRITERS),
    ("api:exit-review-detail", "get"): _only(VENDOR_ROLES),
    ("api:exit-review-decide", "post"): _only(VENDOR_WRITERS),
    ("screening:candidates", "get"): _only(VENDOR_ROLES),
    ("screening:compare", "get"): _only(VENDOR_ROLES),
    ("screening:partner", "get"): _only(VENDOR_ROLES),
    ("screening:evaluate", "post"): _only(VENDOR_WRITERS),
    ("screening:decide", "post"): _only(VENDOR_WRITERS),
    ("screening:evidence", "get"): _only(VENDOR_ROLES),
    ("screening:scorecard", "get"): _only(VENDOR_ROLES),
    ("screening:scorecard-edit", "post"): _only({Role.ADMIN}),
    ("screening:exit-reviews", "get"): _only(VENDOR_ROLES),
    ("screening:exit-review", "get"): _only(VENDOR_ROLES),
    ("screening:exit-review-open", "post"): _only(VENDOR_WRITERS),
    ("screening:exit-review-decide", "post"): _only(VENDOR_WRITERS),
}


# --- what the code declares ---------------------------------------------------------------------


def declared_expectation(route: Route, method: str, role: str) -> str:
    """Allow or deny, read from the view's declarations and the capability table."""
    view_class = route.view_class
    read_roles = getattr(view_class, "read_roles", None)
    if read_roles is not None and role not in read_roles:
        return DENY
    if route.is_api:
        view = view_class(**route.callback.initkwargs)
        view.action = (route.callback.actions or {}).get(method)
        view.request = SimpleNamespace(method=method.upper())
        view.kwargs = {}
        try:
            capability = view.required_capability()
        except PermissionDenied:  # a write the view declares no capability for
            return DENY
    else:
        capability = getattr(view_class, "capability", None)
    if capability is None:
        return ALLOW
    return ALLOW if role in CAPABILITIES[capability] else DENY


# --- the cases ----------------------------------------------------------------------------------


def _targets(route: Route) -> list[str]:
    if not route.is_detail:
        return [SAME_TENANT, OTHER_TENANT]
    if not route.is_partner_bound:  # another partner's tier is just a tier
        return [OWN, OTHER_TENANT]
    return [OWN, OTHER_PARTNER, OTHER_TENANT]


CASES = [
    pytest.param(route, method, role, id=f"{route}-{method}-{role}")
    for route in ROUTES
    for method in route.methods()
    for role in ROLES
]


def _url(route: Route, slug: str, subject: Subject | None) -> str:
    kwargs = {"tenant_slug": slug}
    for name in route.kwargs:
        if name == "tenant_slug":
            continue
        if name != "pk":
            pytest.fail(f"{route.pattern}: teach the matrix how to fill the URL argument “{name}”", pytrace=False)
        kwargs["pk"] = subject.obj.pk
    if route.name is None:
        pytest.fail(f"{route.pattern}: name the route so the matrix can reverse it", pytrace=False)
    url = reverse(route.name, kwargs=kwargs)
    assert resolve(url).func == route.callback, f"{route.name} reverses to another view: {url}"
    return url


_CLIENTS: dict[tuple[bool, str], Client] = {}


def _client(route: Route, membership) -> Client:
    """One logged-in client per role and kind, for the whole module.

    Page sessions live in signed cookies here (see ``_matrix_settings``), so a login outlives
    the transaction it was made in and costs nothing per case.
    """
    key = (route.is_api, membership.role)
    if key not in _CLIENTS:
        if route.is_api:
            client = APIClient()
            client.force_authenticate(user=membership.user)
        else:
            client = Client()
            client.force_login(membership.user)
        _CLIENTS[key] = client
    return _CLIENTS[key]


def _request(route: Route, method: str, client: Client, url: str) -> tuple[int, str]:
    if method == "get":
        response = client.get(url)
    elif route.is_api:
        response = getattr(client, method)(url, {}, format="json")
    else:
        response = getattr(client, method)(url, {})
    # Reading a streamed file through the test client's wrapper also closes it properly.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    client.cookies.pop("messages", None)  # a flash message is for the next page of this case only
    return response.status_code, body.decode("utf-8", errors="replace")


def _local_models() -> list[type[Model]]:
    """Every model of the project's own apps (their event tables included)."""
    base = str(settings.BASE_DIR)
    local = [
        config
        for config in apps.get_app_configs()
        if str(config.path).startswith(base) and "site-packages" not in str(config.path)
    ]
    return [model for config in local for model in config.get_models() if not model._meta.proxy]


def _snapshot_sql() -> str:
    parts = [
        f"SELECT '{model._meta.db_table}', count(*), "
        f"md5(coalesce(string_agg(t::text, '|' ORDER BY t.\"{model._meta.pk.column}\"), '')) "
        f'FROM "{model._meta.db_table}" t'
        for model in _local_models()
    ]
    return " UNION ALL ".join(parts)


def snapshot() -> dict[str, tuple[int, str]]:
    """A digest of every row of the project's tables, in one query (with no tenant in scope: all rows)."""
    with connection.cursor() as cursor:
        cursor.execute(_snapshot_sql())
        return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(table for table in after if before.get(table) != after[table])


def _assert_no_leak(body: str, secrets, context: str) -> None:
    leaked = [secret for secret in secrets if secret and secret in body]
    assert not leaked, f"{context}: the answer shows {leaked}"


_WORLD: dict = {}


@pytest.fixture
def matrix_world(db):
    """The shared world, read once for the whole matrix (its rows never change: every case rolls back)."""
    if "world" not in _WORLD:
        _WORLD["world"] = load_world()
    return _WORLD["world"]


@pytest.fixture(scope="module", autouse=True)
def _matrix_settings(tmp_path_factory):
    with override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media"),
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
    ):
        yield
    _CLIENTS.clear()


@contextlib.contextmanager
def _rolled_back():
    """One case of the matrix: whatever it writes is undone before the next case."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


class Case:
    """One route, method and role, pointed at each target in turn."""

    def __init__(self, route: Route, method: str, role: str, world):
        self.route, self.method, self.role, self.world = route, method, role, world
        self.membership = world[HOME].member(role)
        self.is_write = method in WRITE_METHODS
        self.subjects: dict[str, Subject] = {}
        self.context = f"{role} {method.upper()} {route}"

    def subject(self, which: str) -> Subject:
        if which not in self.subjects:
            self.subjects[which] = object_for(self.route.model, self.world, which, role=self.role)
        return self.subjects[which]

    def secrets(self) -> list[str]:
        """What no answer to this member may show: another tenant, and for partners another partner."""
        secrets = list(OTHER_TENANT_SECRETS)
        if self.role in PARTNER_ROLES:
            secrets += PARTNER_SIDE_SECRETS
        for which in (OTHER_PARTNER, OTHER_TENANT):
            if which in self.subjects and (which == OTHER_TENANT or self.role in PARTNER_ROLES):
                secrets += self.subjects[which].secrets
        return secrets

    def send(self, slug: str, subject: Subject | None) -> tuple[int, str, list[str]]:
        """The request, the answer's body, and the tables a write changed (reads are not snapshotted)."""
        url = _url(self.route, slug, subject)
        if not self.is_write:
            return (*_request(self.route, self.method, self.client, url), [])
        before = snapshot()
        status, body = _request(self.route, self.method, self.client, url)
        return status, body, _changed(before, snapshot())

    def prepare(self) -> None:
        """Rows of the route's model on every side (so a leak would show), made before any case runs."""
        route = self.route
        self.client = _client(route, self.membership)  # logged in before any snapshot (a login writes)
        if route.model is None:
            if route.is_detail:
                pytest.fail(f"{route}: a route with a pk must name its model on the view", pytrace=False)
            return
        for which in (OWN, OTHER_PARTNER, OTHER_TENANT) if route.is_partner_bound else (OWN, OTHER_TENANT):
            self.subject(which)

    def check(self, target_kind: str) -> None:
        route, context = self.route, f"{self.context} [{target_kind}]"
        subject = self.subjects[target_kind] if route.is_detail else None

        if target_kind == OTHER_TENANT:
            # (a) a URL under another tenant: 404, whatever the role and the object
            status, body, changed = self.send(AWAY, subject)
            assert status == 404, f"{context} under /t/{AWAY}/: {status}"
            _assert_no_leak(body, self.secrets(), context)
            assert not changed, f"{context} under /t/{AWAY}/ changed {changed}"
            if route.is_detail:
                # (b) another tenant's object under one's own tenant: 404, nothing of it shown
                status, body, changed = self.send(HOME, subject)
                assert status == 404, f"{context} with {AWAY}'s object: {status}"
                _assert_no_leak(body, self.secrets(), context)
                assert not changed, f"{context} with {AWAY}'s object changed {changed}"
            return

        hidden = getattr(route.view_class, "hidden_from_partner_side", False)
        if route.is_detail and self.role in PARTNER_ROLES and hidden:
            # (b') vendor-only objects (risk alerts): a partner-side member cannot tell that one exists,
            # not even about its own partner: 404, as for an id that names nothing
            status, body, changed = self.send(HOME, subject)
            assert status == 404, f"{context}: {status}"
            _assert_no_leak(body, [*self.secrets(), *subject.secrets], context)
            assert not changed, f"{context} changed {changed}"
            return

        if route.is_detail and target_kind == OTHER_PARTNER and self.role in PARTNER_ROLES:
            # (b) another partner's object, for a partner-side member: 404, nothing of it shown
            status, body, changed = self.send(HOME, subject)
            assert status == 404, f"{context}: {status}"
            _assert_no_leak(body, self.secrets(), context)
            assert not changed, f"{context} changed {changed}"
            return

        declared = declared_expectation(route, self.method, self.role)
        specified = SPEC_EXPECTATIONS.get((route.name, self.method), {}).get(self.role)
        expected = specified or declared
        status, body, changed = self.send(HOME, subject)
        # (d) no answer shows a partner-side member another partner or vendor-only notes
        _assert_no_leak(body, self.secrets(), context)
        if expected == DENY:
            # (c) a role that may read but not do: 403, and nothing written
            assert status == 403, f"{context}: expected 403, got {status}"
            assert not changed, f"{context} was refused but changed {changed}"
        elif self.is_write:
            assert status not in (403, 404) and status < 500, f"{context}: expected to be let through, got {status}"
        else:
            assert 200 <= status < 400, f"{context}: expected to read, got {status}"
        assert declared == expected, f"{context}: the view declares {declared}, the SPEC says {specified}"


@pytest.mark.parametrize(("route", "method", "role"), CASES)
def test_authorization_matrix(matrix_world, subtests, route, method, role):
    case = Case(route, method, role, matrix_world)
    case.prepare()
    for target_kind in _targets(route):
        with subtests.test(target=target_kind), _rolled_back():
            case.check(target_kind)


# --- the matrix's own sanity --------------------------------------------------------------------


def test_the_matrix_walks_both_api_and_page_routes():
    names = {route.name for route in ROUTES}
    assert {"api:partner-list", "api:partner-detail", "api:tier-detail", "api:member-list"} <= names
    assert {"tenant-home", "partners:contract-file"} <= names
    assert any(not route.is_api for route in ROUTES) and any(route.is_api for route in ROUTES)


def test_every_tenant_route_stands_on_the_tenant_base_classes():
    """Scoping and access live in one base per kind (STYLE "The tenant wall"), never in each view."""
    strays = [
        str(route)
        for route in ROUTES
        if not (
            issubclass(route.view_class, TenantViewSet)
            if route.is_api
            else route.view_class is not None and issubclass(route.view_class, TenantPageMixin)
        )
    ]
    assert not strays, f"these tenant routes bypass TenantViewSet/TenantPageMixin: {strays}"


def test_every_spec_expectation_names_a_route_that_exists():
    routes = {(route.name, method) for route in ROUTES for method in route.methods()}
    missing = sorted(key for key in SPEC_EXPECTATIONS if key not in routes)
    assert not missing, f"SPEC_EXPECTATIONS names routes that do not exist (renamed?): {missing}"


def test_every_model_a_route_names_is_known_to_object_for():
    unknown = sorted(
        {route.model._meta.label for route in ROUTES if route.model is not None}
        - {model._meta.label for model in OBJECT_FACTORIES}
    )
    assert not unknown, f"add {', '.join(unknown)} to object_for"
