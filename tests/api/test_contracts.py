"""Contracts: multipart upload with the file checked first; the file is served only to those who see the partner."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from partners import services as partner_services
from partners.models import Contract
from tenancy.context import tenant_scope
from tests.conftest import tenant_api

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


def _upload(world, api, partner, *, name="contract.pdf", content=PDF, number="HT-2026-001", role="channel_manager"):
    return api(world["acme"].member(role)).post(
        tenant_api("acme", f"partners/{partner.pk}/contracts/"),
        {
            "number": number,
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "terms": "年度返利 2%",
            "file": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        },
        format="multipart",
    )


def _download(membership, url: str):
    client = Client()
    client.force_login(membership.user)
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def test_a_contract_with_its_pdf_is_uploaded_and_listed(world, api, media):
    # when
    response = _upload(world, api, world["acme"].own)
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "HT-2026-001"
    assert body["original_filename"] == "contract.pdf"
    assert body["file_url"]
    listed = api(world["acme"].member("partner_user")).get(
        tenant_api("acme", f"partners/{world['acme'].own.pk}/contracts/")
    )
    assert listed.status_code == 200
    assert [row["number"] for row in listed.json()["results"]] == ["HT-2026-001"]
    assert len(_files(media)) == 1


def test_the_contract_file_is_downloadable_only_by_members_who_see_the_partner(world, api, media):
    # given: a contract of the partner the partner-side members belong to
    url = _upload(world, api, world["acme"].own).json()["file_url"]
    # then
    for role in ("admin", "finance", "viewer", "partner_admin", "partner_user"):
        status, body = _download(world["acme"].member(role), url)
        assert (status, body) == (200, PDF), role
    assert _download(world["globex"].member("admin"), url)[0] == 404
    assert Client().get(url).status_code == 302  # to the login page


def test_another_partners_contract_file_is_a_404_for_a_partner_user(world, api, media):
    url = _upload(world, api, world["acme"].other, number="HT-OTHER").json()["file_url"]
    status, body = _download(world["acme"].member("partner_user"), url)
    assert status == 404
    assert PDF not in body
    assert _download(world["acme"].member("viewer"), url)[0] == 200


def test_an_executable_is_refused_with_a_message_and_nothing_is_stored(world, api, media):
    response = _upload(world, api, world["acme"].own, name="setup.exe", content=b"MZ\x90\x00")
    assert response.status_code == 400, response.content
    message = response.json()["errors"]["file"][0]
    assert "exe" in message
    with tenant_scope(world["acme"].tenant):
        assert not Contract.objects.exists()
    assert _files(media) == []


def test_an_over_size_file_is_refused_with_a_message_and_nothing_is_stored(world, api, media, settings):
    settings.CONTRACT_MAX_UPLOAD_BYTES = 32
    response = _upload(world, api, world["acme"].own, content=PDF * 2)
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["file"][0]
    with tenant_scope(world["acme"].tenant):
        assert not Contract.objects.exists()
    assert _files(media) == []


def test_a_contract_that_ends_before_it_starts_is_refused(world, api, media):
    response = api(world["acme"].member("admin")).post(
        tenant_api("acme", f"partners/{world['acme'].own.pk}/contracts/"),
        {"number": "HT-X", "starts_on": "2026-06-01", "ends_on": "2026-01-01"},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["ends_on"]
    assert _files(media) == []


def test_a_duplicate_contract_number_is_a_400(world, api, media):
    with tenant_scope(world["acme"].tenant):
        partner_services.contract_create(
            partner=world["acme"].other,
            number="HT-2026-001",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
        )
    response = _upload(world, api, world["acme"].own)
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["number"][0]
    with tenant_scope(world["acme"].tenant):
        assert Contract.objects.count() == 1
    assert _files(media) == []


def test_a_partner_admin_cannot_upload_contracts(world, api, media):
    response = _upload(world, api, world["acme"].own, role="partner_admin")
    assert response.status_code == 403
    with tenant_scope(world["acme"].tenant):
        assert not Contract.objects.exists()
    assert _files(media) == []
