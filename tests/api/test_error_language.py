"""Errors are JSON with a human-readable message, in the language the client asks for (SPEC §6, §8)."""

import re

import pytest
from django.utils import translation

from tests.conftest import tenant_api

CHINESE = re.compile(r"[\u4e00-\u9fff]")
BAD_TAX_ID = "91350100M000100Y44"


def _create_with_bad_tax_id(world, api, language: str):
    return api(world["acme"].member("admin")).post(
        tenant_api("acme", "partners/"),
        {"code": "NEW-1", "name": "New", "kind": "agent", "tier": "core", "tax_id": BAD_TAX_ID},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _translated(message: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_validation_errors_are_in_the_language_asked_for(world, api, language):
    response = _create_with_bad_tax_id(world, api, language)
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == _translated("The data is not valid; see the errors by field.", language)
    assert body["errors"]["tax_id"] == [
        _translated("The check character of this unified social credit code is wrong (mistyped?).", language)
    ]


def test_chinese_and_english_error_messages_differ_and_the_chinese_one_is_chinese(world, api):
    chinese = _create_with_bad_tax_id(world, api, "zh-hans").json()
    english = _create_with_bad_tax_id(world, api, "en").json()
    assert chinese["message"] != english["message"]
    assert chinese["errors"]["tax_id"] != english["errors"]["tax_id"]
    assert CHINESE.search(chinese["message"])
    assert CHINESE.search(chinese["errors"]["tax_id"][0])
    assert not CHINESE.search(english["message"])


def test_not_found_and_forbidden_messages_follow_the_language_too(world, api):
    own = world["acme"].own
    viewer = api(world["acme"].member("viewer"))
    for language in ("zh-hans", "en"):
        missing = viewer.get(tenant_api("acme", "partners/999999/"), HTTP_ACCEPT_LANGUAGE=language)
        assert missing.status_code == 404
        refused = viewer.patch(
            tenant_api("acme", f"partners/{own.pk}/"), {"name": "x"}, format="json", HTTP_ACCEPT_LANGUAGE=language
        )
        assert refused.status_code == 403
        if language == "zh-hans":
            assert CHINESE.search(missing.json()["message"]), missing.json()
            assert CHINESE.search(refused.json()["message"]), refused.json()
        else:
            assert not CHINESE.search(missing.json()["message"])
            assert not CHINESE.search(refused.json()["message"])


def test_another_tenants_object_and_a_missing_one_look_the_same(world, api):
    viewer = api(world["acme"].member("viewer"))
    foreign = viewer.get(tenant_api("acme", f"partners/{world['globex'].own.pk}/"))
    missing = viewer.get(tenant_api("acme", "partners/999999/"))
    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())
    other_tenant = viewer.get(tenant_api("globex", "partners/"))
    assert (other_tenant.status_code, other_tenant.json()) == (404, missing.json())
