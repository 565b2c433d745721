"""The checklist: the tenant's items (defaults, editing) and each partner's ticks, with who, when, why and evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from diligence import selectors
from diligence import services as diligence_services
from diligence.models import ChecklistItem, PartnerCheck, PartnerCheckEvent
from tenancy import services as tenancy_services
from tenancy.context import tenant_scope
from tenancy.models import Tenant

from .helpers import VALID_TAX_ID, item, prospect, state, tick

PDF = b"%PDF-1.4\n%visit report\n"


def report(name: str = "visit.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- the tenant's checklist ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("zh-hans", ["统一社会信用代码核验", "背景与口碑调查", "合同已上传", "信用额度已设定", "实地考察"]),
        ("en", ["Unified social credit code verified", "References checked", "Contract uploaded", "Credit limit set",
                "Site visit"]),
    ],
)  # fmt: skip
def test_a_new_tenant_gets_the_default_checklist_in_its_language(db, language, names):
    tenant = tenancy_services.tenant_create(
        slug=f"new-{language}", name="New", admin_email=f"boss-{language}@new.test", admin_password="Qudao-test-pass-1",
        language=language,
    )  # fmt: skip

    with tenant_scope(tenant):
        items = selectors.active_items()
        assert [checklist_item.name for checklist_item in items] == names
        assert [(i.code, i.gate, i.is_required, i.evidence_required, i.automatic_check) for i in items] == [
            ("tax_id", "onboarding", True, False, "tax_id"),
            ("references", "pilot", True, False, ""),
            ("contract", "pilot", True, False, "contract"),
            ("credit_limit", "active", True, False, "credit_limit"),
            ("site_visit", "active", False, True, ""),
        ]


def test_the_shared_world_has_its_checklist_too(world):
    for slug in ("acme", "globex"):
        with tenant_scope(Tenant.objects.get(slug=slug)):
            assert ChecklistItem.objects.count() == 5


def test_an_item_checked_automatically_takes_no_evidence(acme):
    with pytest.raises(ValidationError) as refused:
        diligence_services.checklist_item_create(
            code="bank", name="开户许可", gate="pilot", automatic_check="tax_id", evidence_required=True
        )
    assert "evidence_required" in refused.value.message_dict
    assert not ChecklistItem.objects.filter(code="bank").exists()


def test_a_duplicate_item_code_is_a_field_error(acme):
    with pytest.raises(ValidationError) as refused:
        diligence_services.checklist_item_create(code="references", name="重复", gate="pilot")
    assert "code" in refused.value.message_dict


# --- ticking ------------------------------------------------------------------------------------


def test_a_tick_records_who_when_and_the_note(acme):
    partner = prospect()
    manager = acme.member("channel_manager").user

    tick(partner, "references", actor=manager, note="两家客户评价良好")

    check = PartnerCheck.objects.get(partner=partner, item=item("references"))
    assert (check.is_ticked, check.changed_by, check.note) == (True, manager, "两家客户评价良好")
    assert check.changed_at is not None
    event = check.events.get()
    assert (event.action, event.actor, event.note) == ("ticked", manager, "两家客户评价良好")


def test_unticking_needs_a_reason_and_records_who_and_why(acme):
    # given
    partner = prospect()
    manager, admin = acme.member("channel_manager").user, acme.member("admin").user
    tick(partner, "references", actor=manager, note="已核实")
    before = state(partner)
    # when: no reason
    with pytest.raises(ValidationError) as refused:
        diligence_services.partner_check_untick(partner=partner, item=item("references"), actor=admin, reason=" ")
    assert "reason" in refused.value.message_dict
    assert state(partner) == before
    # when: with a reason
    diligence_services.partner_check_untick(partner=partner, item=item("references"), actor=admin, reason="推荐人失联")
    # then
    check = PartnerCheck.objects.get(partner=partner, item=item("references"))
    assert (check.is_ticked, check.changed_by, check.note) == (False, admin, "推荐人失联")
    history = [(event.action, event.actor, event.note) for event in check.events.order_by("id")]
    assert history == [("ticked", manager, "已核实"), ("unticked", admin, "推荐人失联")]


def test_an_item_ticked_already_or_not_ticked_is_refused_and_nothing_changes(acme):
    partner = prospect()
    tick(partner, "references")
    before = state(partner)

    with pytest.raises(ValidationError):
        tick(partner, "references")
    with pytest.raises(ValidationError):
        diligence_services.partner_check_untick(partner=partner, item=item("site_visit"), actor=None, reason="x")

    assert state(partner) == before


def test_an_item_checked_automatically_cannot_be_ticked_by_hand_and_is_met_by_the_data(acme):
    partner = prospect()
    before = state(partner)

    with pytest.raises(ValidationError) as refused:
        tick(partner, "tax_id")

    assert "item" in refused.value.message_dict
    assert state(partner) == before
    met = {standing.item.code: standing.is_met for standing in selectors.checklist_of(partner)}
    assert met["tax_id"] is False
    partner.tax_id = VALID_TAX_ID
    partner.save(update_fields=["tax_id"])
    met = {standing.item.code: standing.is_met for standing in selectors.checklist_of(partner)}
    assert met["tax_id"] is True


def test_an_item_no_longer_in_use_cannot_be_ticked(acme):
    diligence_services.checklist_item_update(item=item("references"), is_active=False)
    partner = prospect()

    with pytest.raises(ValidationError):
        tick(partner, "references")

    assert not PartnerCheck.objects.filter(partner=partner).exists()


# --- evidence -----------------------------------------------------------------------------------


def test_an_item_that_asks_for_evidence_cannot_be_ticked_without_a_file(acme):
    partner = prospect()
    before = state(partner)

    with pytest.raises(ValidationError) as refused:
        tick(partner, "site_visit", note="已拜访")

    assert "evidence" in refused.value.message_dict
    assert state(partner) == before


def test_the_evidence_is_kept_with_the_tick_under_its_original_name(acme):
    partner = prospect()

    tick(partner, "site_visit", actor=acme.member("channel_manager").user, evidence=report("考察报告.pdf"))

    event = PartnerCheckEvent.objects.get(partner_check__partner=partner)
    assert event.original_filename == "考察报告.pdf"
    assert event.evidence.read() == PDF
    standing = next(s for s in selectors.checklist_of(partner) if s.item.code == "site_visit")
    assert standing.is_met and standing.evidence_event == event


@pytest.mark.parametrize(
    ("upload", "limit"),
    [
        (SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream"), 10 * 1048576),
        (SimpleUploadedFile("visit.pdf", PDF + b"x" * 2048, content_type="application/pdf"), 1024),
    ],
    ids=["a-type-not-accepted", "too-large"],
)
def test_evidence_outside_the_contract_file_limits_is_refused_and_nothing_is_stored(acme, settings, upload, limit):
    settings.CONTRACT_MAX_UPLOAD_BYTES = limit
    partner = prospect()
    before = state(partner)

    with pytest.raises(ValidationError) as refused:
        tick(partner, "site_visit", evidence=upload)

    assert "evidence" in refused.value.message_dict
    assert state(partner) == before
    media = Path(settings.MEDIA_ROOT)
    assert not (media.exists() and any(path.is_file() for path in media.rglob("*")))


def test_the_migration_gives_every_tenant_without_a_checklist_the_defaults_in_its_language(world):
    # given: acme (Chinese) without a checklist, globex (English) with its own
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tenancy.context import crossing_tenants

    migration = import_module("diligence.migrations.0002_default_checklists")
    apps = MigrationExecutor(connection).loader.project_state(("diligence", "0002_default_checklists")).apps
    acme, globex = world["acme"].tenant, world["globex"].tenant
    with crossing_tenants():  # the migration's own view: every tenant at once
        ChecklistItem.objects.unscoped().filter(tenant=acme).delete()
        globex_before = list(ChecklistItem.objects.unscoped().filter(tenant=globex).values_list("pk", flat=True))
        # when
        with connection.schema_editor() as editor:
            migration.add_default_checklists(apps, editor)
        # then
        made = ChecklistItem.objects.unscoped().filter(tenant=acme)
        assert list(made.order_by("position").values_list("code", "name")) == [
            ("tax_id", "统一社会信用代码核验"), ("references", "背景与口碑调查"), ("contract", "合同已上传"),
            ("credit_limit", "信用额度已设定"), ("site_visit", "实地考察"),
        ]  # fmt: skip
        assert list(ChecklistItem.objects.unscoped().filter(tenant=globex).values_list("pk", flat=True)) == (
            globex_before
        )
