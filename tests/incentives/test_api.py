"""``programs/`` and ``profit-shares/`` over the API (SPEC §6): writes, versions, what-if and who sees what."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.periods import Period
from incentives import services
from incentives.engine import period_lines
from incentives.models import ProfitShareAgreement, ProfitShareVersion, RebateProgram, RebateProgramVersion
from partners import services as partner_services
from settlements.services.runs import write_statements
from tenancy.context import tenant_scope
from tests.conftest import tenant_api
from tests.facts.helpers import load

from .helpers import agreement_body, make_agreement, make_program, program_body

D = Decimal
PROGRAMS = tenant_api("acme", "programs/")
AGREEMENTS = tenant_api("acme", "profit-shares/")


def program_rows() -> list:
    return [sorted(RebateProgram.objects.values_list()), sorted(RebateProgramVersion.objects.values_list())]


def settle_q1() -> None:
    load("sales", {"partner": "ACME-OWN", "date": "2026-02-01", "customer": "甲", "amount": "600000", "cost": "500000"})
    period = Period.parse("2026-Q1")
    write_statements(period=period, lines=period_lines(period), run=None, actor=None)


def test_a_channel_manager_creates_a_program_naming_tiers_by_code(acme, api):
    body = program_body(
        tiers=["ordinary", "core"],
        categories=["软件"],
        cap="90000",
        accelerator={"metric": "sales", "min_attainment": "1.0", "multiplier": "1.2"},
    )
    response = api(acme.member("channel_manager")).post(PROGRAMS, body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["code"], data["version"], data["period_kind"], data["in_force"]) == ("Q-REBATE", 1, "quarter", True)
    assert data["brackets"][1] == {"threshold": "100000.00", "rate_percent": "2.0000"}
    assert data["tiers"] == ["ordinary", "core"] and data["categories"] == ["软件"]
    assert data["cap"] == "90000.00"
    assert data["accelerator"] == {"metric": "sales", "min_attainment": "1.0000", "multiplier": "1.2000"}
    assert data["created_by"] == acme.member("channel_manager").user.email
    version = RebateProgramVersion.objects.get(program__code="Q-REBATE")
    assert version.created_by == acme.member("channel_manager").user


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"brackets": [{"threshold": "10", "rate_percent": "1"}]}, "brackets"),
        ({"brackets": [{"threshold": "0", "rate_percent": "1.00001"}]}, "brackets"),
        ({"brackets": []}, "brackets"),
        ({"tiers": ["platinum"]}, "tiers"),
        ({"accelerator": {"metric": "sales", "min_attainment": "1", "multiplier": "0.5"}}, "accelerator"),
        ({"accelerator": {"metric": "margin", "min_attainment": "1", "multiplier": "1.5"}}, "accelerator"),
        ({"cap": "-5"}, "cap"),
        ({"basis": "revenue"}, "basis"),
        ({"code": "has space"}, "code"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
        ({"ends_on": "2020-01-01"}, "ends_on"),
        ({"categories": [" "]}, "categories"),
    ],
)
def test_a_bad_program_is_a_400_naming_the_field_and_nothing_is_written(acme, api, overrides, field):
    before = program_rows()
    response = api(acme.member("admin")).post(PROGRAMS, program_body(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert response.json()["message"]
    assert program_rows() == before


def test_patch_edits_in_place_until_a_payout_then_makes_a_new_version_listed_under_versions(acme, api):
    program = make_program(acme.member("admin").user)
    client = api(acme.member("channel_manager"))

    response = client.patch(f"{PROGRAMS}{program.pk}/", {"method": "incremental"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["version"], response.json()["method"]) == (1, "incremental")
    assert response.json()["changed_by"] == acme.member("channel_manager").user.email

    settle_q1()
    response = client.patch(f"{PROGRAMS}{program.pk}/", {"cap": "5000", "name": "新版"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["version"], response.json()["cap"], response.json()["name"]) == (2, "5000.00", "新版")

    versions = client.get(f"{PROGRAMS}{program.pk}/versions/").json()
    assert versions["count"] == 2
    assert [(v["version"], v["cap"], v["method"]) for v in versions["results"]] == [
        (2, "5000.00", "incremental"),
        (1, None, "incremental"),
    ]
    assert versions["results"][0]["created_by"] == acme.member("channel_manager").user.email


def test_a_bad_patch_is_a_400_and_changes_nothing(acme, api):
    program = make_program()
    before = program_rows()
    response = api(acme.member("admin")).patch(
        f"{PROGRAMS}{program.pk}/",
        {"name": "X", "brackets": [{"threshold": "0", "rate_percent": "150"}]},
        format="json",
    )
    assert response.status_code == 400 and "brackets" in response.json()["errors"]
    assert program_rows() == before


@pytest.mark.parametrize("role", ["viewer", "finance", "risk", "partner_admin", "partner_user"])
def test_roles_without_manage_programs_cannot_write_and_nothing_is_written(acme, api, role):
    program = make_program()
    before = program_rows()
    client = api(acme.member(role))
    assert client.post(PROGRAMS, program_body(code="OTHER"), format="json").status_code == 403
    assert client.patch(f"{PROGRAMS}{program.pk}/", {"name": "X"}, format="json").status_code == 403
    assert client.post(AGREEMENTS, agreement_body(), format="json").status_code == 403
    assert program_rows() == before and not ProfitShareAgreement.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "finance", "risk"])
def test_vendor_readers_read_every_program(acme, api, role):
    make_program(tiers=["core"])
    make_program(code="ALL")
    response = api(acme.member(role)).get(PROGRAMS)
    assert [row["code"] for row in response.json()["results"]] == ["ALL", "Q-REBATE"]


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_a_partner_reads_only_the_programs_and_agreements_of_its_tier(acme, api, role):
    mine = make_program(code="FOR-ORDINARY", tiers=["ordinary", "strategic"])
    make_program(code="FOR-ALL")
    core = make_program(code="FOR-CORE", tiers=["core"])
    make_agreement(code="PS-ORDINARY")
    core_agreement = make_agreement(code="PS-CORE", rates=[{"tier": "core", "rate_percent": "10"}])
    client = api(acme.member(role))

    response = client.get(PROGRAMS)
    assert [row["code"] for row in response.json()["results"]] == ["FOR-ALL", "FOR-ORDINARY"]
    assert "created_by" not in response.json()["results"][0]  # who wrote the rules is vendor-internal
    assert client.get(f"{PROGRAMS}{mine.pk}/").status_code == 200
    assert client.get(f"{PROGRAMS}{core.pk}/").status_code == 404
    assert client.get(f"{PROGRAMS}{core.pk}/versions/").status_code == 404
    assert [row["code"] for row in client.get(AGREEMENTS).json()["results"]] == ["PS-ORDINARY"]
    assert client.get(f"{AGREEMENTS}{core_agreement.pk}/").status_code == 404


def test_a_program_moved_to_another_tier_disappears_for_the_partner(acme, api):
    program = make_program(tiers=["ordinary"])
    client = api(acme.member("partner_user"))
    assert client.get(f"{PROGRAMS}{program.pk}/").status_code == 200
    services.program_update(actor=None, program=program, tiers=["core"])
    assert client.get(f"{PROGRAMS}{program.pk}/").status_code == 404


def test_another_tenants_program_is_a_404(world, api):
    with tenant_scope(world["globex"].tenant):
        theirs = make_program(code="GLOBEX-ONLY")
    client = api(world["acme"].member("admin"))
    assert client.get(f"{PROGRAMS}{theirs.pk}/").status_code == 404
    assert client.patch(f"{PROGRAMS}{theirs.pk}/", {"name": "X"}, format="json").status_code == 404
    assert client.get(f"{PROGRAMS}{theirs.pk}/what-if/").status_code == 404


def test_programs_filter_by_search_basis_and_tier(acme, api):
    make_program(code="Q-SALES", name="Quarterly Sales Rebate", tiers=["core"])
    make_program(code="Q-COLLECT", name="回款返利", basis="collections")
    client = api(acme.member("viewer"))

    def codes(query):
        response = client.get(f"{PROGRAMS}?{query}")
        assert response.status_code == 200, response.content
        return [row["code"] for row in response.json()["results"]]

    assert codes("q=sales rebate") == ["Q-SALES"]  # case-insensitive
    assert codes("basis=collections") == ["Q-COLLECT"]
    assert codes("tier=ordinary") == ["Q-COLLECT"]  # the all-tiers program applies too
    assert codes("period_kind=month") == []


@pytest.mark.parametrize("role", ["partner_user", "channel_manager"])
def test_the_lists_take_the_same_number_of_queries_for_3_and_30_programs_or_agreements(acme, api, role):
    client = api(acme.member(role))
    counts = []
    for start, size in ((0, 3), (3, 27)):
        for number in range(start, start + size):
            make_program(code=f"P-{number:03d}", tiers=["ordinary"] if number % 2 else [])
            make_agreement(code=f"A-{number:03d}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PROGRAMS).json()["count"] == start + size
            assert client.get(AGREEMENTS).json()["count"] == start + size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_profit_shares_are_created_patched_and_versioned(acme, api):
    client = api(acme.member("admin"))
    response = client.post(
        AGREEMENTS, agreement_body(rates=[{"tier": "ordinary", "rate_percent": "10"}]), format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["version"], data["rates"], data["loss_share_percent"]) == (
        1, [{"tier": "ordinary", "rate_percent": "10.0000"}], "5.0000",
    )  # fmt: skip
    settle_q1()
    response = client.patch(f"{AGREEMENTS}{data['id']}/", {"loss_share_percent": "7.5"}, format="json")
    assert (response.json()["version"], response.json()["loss_share_percent"]) == (2, "7.5000")
    assert ProfitShareVersion.objects.filter(agreement_id=data["id"]).count() == 2
    twice = [{"tier": "core", "rate_percent": "1"}, {"tier": "core", "rate_percent": "2"}]
    response = client.patch(f"{AGREEMENTS}{data['id']}/", {"rates": twice}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "twice" in str(response.json()["errors"]["rates"])


# --- what-if --------------------------------------------------------------------------------------


def test_a_what_if_of_unsaved_terms_compares_with_what_was_paid(acme, api):
    make_program(acme.member("admin").user)
    settle_q1()
    body = program_body(method="incremental", period="2026-Q1")

    response = api(acme.member("viewer")).post(tenant_api("acme", "programs/what-if/"), body, format="json")

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["period"], data["program"], data["version"]) == ("2026-Q1", "Q-REBATE", None)
    assert data["rows"] == [
        {
            "partner": "ACME-OWN", "partner_name": acme.own.name, "basis": "600000.00", "rate_percent": "3.0000",
            "would_pay": "12000.00", "was_paid": "18000.00", "difference": "-6000.00",
            "explanation": data["rows"][0]["explanation"],
        }
    ]  # fmt: skip
    assert "1%" in data["rows"][0]["explanation"] and "¥12,000.00" in data["rows"][0]["explanation"]
    assert data["totals"] == {"would_pay": "12000.00", "was_paid": "18000.00", "difference": "-6000.00"}
    assert RebateProgramVersion.objects.get().method == "retroactive"  # nothing written


def test_a_what_if_of_a_saved_program_defaults_to_its_last_complete_period(acme, api):
    program = make_program()
    settle_q1()
    client = api(acme.member("channel_manager"))
    response = client.get(tenant_api("acme", f"programs/{program.pk}/what-if/?period=2026-Q1"))
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 1 and response.json()["totals"]["difference"] == "0.00"
    assert client.get(tenant_api("acme", f"programs/{program.pk}/what-if/")).status_code == 200
    response = client.get(tenant_api("acme", f"programs/{program.pk}/what-if/?period=2026-05"))
    assert response.status_code == 400 and "period" in response.json()["errors"]
    response = client.get(tenant_api("acme", f"programs/{program.pk}/what-if/?version=9"))
    assert response.status_code == 400 and "version" in response.json()["errors"]


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partners_may_not_run_a_what_if(acme, api, role):
    program = make_program()
    client = api(acme.member(role))
    body = program_body(period="2026-Q1")
    assert client.post(tenant_api("acme", "programs/what-if/"), body, format="json").status_code == 403
    assert client.get(tenant_api("acme", f"programs/{program.pk}/what-if/")).status_code == 403


def test_a_what_if_with_bad_terms_is_a_400_naming_the_field(acme, api):
    body = {"basis": "sales", "method": "retroactive", "period_kind": "quarter", "brackets": [], "period": "2026-Q1"}
    response = api(acme.member("admin")).post(tenant_api("acme", "programs/what-if/"), body, format="json")
    assert response.status_code == 400 and "brackets" in response.json()["errors"]


def test_the_schema_describes_programs_and_what_if(acme, client):
    client.force_login(acme.member("admin").user)
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/t/{tenant_slug}/programs/what-if/" in paths
    assert "/api/v1/t/{tenant_slug}/profit-shares/{id}/versions/" in paths


def test_a_channel_manager_with_a_portfolio_sees_only_its_partners_in_a_what_if(acme, api):
    acme.tenant.portfolio_scoping = True
    acme.tenant.save(update_fields=["portfolio_scoping"])
    partner_services.partner_update(
        partner=acme.own, actor=acme.member("admin").user, manager=acme.member("channel_manager").user
    )
    load("sales", {"partner": "ACME-OTHER", "date": "2026-02-01", "customer": "乙", "amount": "50000"})
    program = make_program()
    settle_q1()

    response = api(acme.member("channel_manager")).get(
        tenant_api("acme", f"programs/{program.pk}/what-if/?period=2026-Q1")
    )

    assert [row["partner"] for row in response.json()["rows"]] == ["ACME-OWN"]
    assert response.json()["totals"]["was_paid"] == "18000.00"
    assert "ACME-OTHER" not in response.content.decode()
