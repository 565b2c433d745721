"""The program and agreement pages, the what-if step and the portal, through Django's test client, in both languages."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.dates import tenant_today
from common.periods import Period
from incentives import services
from incentives.engine import period_lines
from incentives.models import ProfitShareAgreement, RebateProgram, RebateProgramVersion
from settlements.services.runs import write_statements
from tests.facts.helpers import load

from .helpers import make_agreement, make_program

D = Decimal


def url(path: str, slug: str = "acme") -> str:
    return f"/t/{slug}/{path}"


def settle_q1() -> None:
    """Q1: ACME-OWN sells 600,000, ACME-OTHER 50,000; the period's statements are written."""
    load(
        "sales",
        {"partner": "ACME-OWN", "date": "2026-01-15", "customer": "甲", "amount": "600000"},
        {"partner": "ACME-OTHER", "date": "2026-02-01", "customer": "丁", "amount": "50000"},
    )
    period = Period.parse("2026-Q1")
    write_statements(period=period, lines=period_lines(period), run=None, actor=None)


def form_data(**overrides) -> dict:
    """The program form as a person fills it in: three bracket rows, the rest of the table empty."""
    data = {
        "code": "Q-PAGE",
        "name": "Quarterly page rebate",
        "description": "",
        "basis": "sales",
        "method": "retroactive",
        "period_kind": "quarter",
        "tiers": ["ordinary"],
        "categories": "",
        "cap": "",
        "accelerator_metric": "",
        "accelerator_min_attainment": "",
        "accelerator_multiplier": "",
        "starts_on": "2025-01-01",
        "ends_on": "",
        "preview_period": "2026-Q1",
        "action": "save",
        "brackets-TOTAL_FORMS": "5",
        "brackets-INITIAL_FORMS": "0",
        "brackets-MIN_NUM_FORMS": "0",
        "brackets-MAX_NUM_FORMS": "30",
        "brackets-0-threshold": "0",
        "brackets-0-rate_percent": "1",
        "brackets-1-threshold": "100000",
        "brackets-1-rate_percent": "2",
        "brackets-2-threshold": "500000",
        "brackets-2-rate_percent": "3",
    }
    return {**data, **overrides}


# --- the vendor's pages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"), [("en", ("Rebate programs", "Code", "Sales")), ("zh-hans", ("代码", "销售", "等级"))]
)
def test_a_channel_manager_sees_the_programs_with_their_latest_version_in_both_languages(
    acme, page_client, language, words
):
    make_program(tiers=["core", "ordinary"])
    program = make_program(code="OLD", name="Old rebate", ends_on="2025-06-30")
    settle_q1()
    services.program_update(actor=None, program=program, method="incremental")  # OLD paid nothing: stays version 1

    response = page_client(acme.member("channel_manager"), language).get(url("programs/"))

    assert response.status_code == 200
    page = response.content.decode()
    for word in words:
        assert word in page
    assert "Q-REBATE" in page and "Old rebate" in page
    assert ("核心、普通" if language == "zh-hans" else "核心, 普通") in page  # tiers by name
    rows = {row["program"].code: row for row in response.context["rows"]}
    assert rows["Q-REBATE"]["in_force"] and not rows["OLD"]["in_force"]
    assert rows["OLD"]["version"].method == "incremental"


def test_the_program_list_filters_and_takes_the_same_queries_for_3_and_30_programs(acme, page_client):
    client = page_client(acme.member("viewer"), "en")
    counts = []
    for start, size in ((0, 3), (3, 27)):
        for number in range(start, start + size):
            make_program(code=f"P-{number:03d}", basis="collections" if number % 2 else "sales")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("programs/"))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert response.context["paginator"].count == 30 and len(response.context["rows"]) == 25
    response = client.get(url("programs/"), {"q": "p-00", "basis": "collections"})
    assert [row["program"].code for row in response.context["rows"]] == ["P-001", "P-003", "P-005", "P-007", "P-009"]


def test_a_programs_page_reads_its_rules_with_money_formatted_and_its_versions_with_who(acme, page_client):
    admin = acme.member("admin").user
    program = make_program(
        admin, cap="50000", tiers=["core"], accelerator={"metric": "sales", "min_attainment": "1", "multiplier": "1.2"}
    )
    settle_q1()  # nobody is core: nothing paid, version 1 changes in place
    services.program_update(actor=acme.member("channel_manager").user, program=program, categories=["软件"])

    response = page_client(acme.member("finance"), "en").get(url(f"programs/{program.pk}/"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "¥100,000.00" in page and "¥500,000.00" in page and "and above" in page
    assert "At most ¥50,000.00 per partner and period." in page
    assert "× 1.2 when the partner&#x27;s attainment of its sales target for the same period reaches 100%." in page
    assert "核心" in page and "软件" in page
    assert admin.email in page and acme.member("channel_manager").user.email in page
    assert f"programs/{program.pk}/edit/" not in page  # finance reads, never writes programs


def test_the_program_page_previews_a_past_period_for_vendor_members(acme, page_client):
    program = make_program()
    settle_q1()
    response = page_client(acme.member("viewer"), "en").get(url(f"programs/{program.pk}/"), {"period": "2026-Q1"})
    page = response.content.decode()
    assert response.context["what_if"].was_paid == D("18500.00")
    assert "ACME-OWN" in page and "Acme Own Partner" in page and "¥18,000.00" in page
    response = page_client(acme.member("viewer"), "en").get(url(f"programs/{program.pk}/"), {"period": "2026-03"})
    assert "choose a quarter" in response.content.decode()


def test_a_program_is_created_from_the_form_with_its_bracket_table(acme, page_client):
    client = page_client(acme.member("channel_manager"), "en")
    assert client.get(url("programs/new/")).status_code == 200

    response = client.post(url("programs/new/"), form_data(categories="软件, 硬件，", cap="80000"))

    program = RebateProgram.objects.get(code="Q-PAGE")
    assert response.status_code == 302 and response["Location"] == url(f"programs/{program.pk}/")
    version = program.versions.get()
    assert [row["threshold"] for row in version.brackets] == ["0.00", "100000.00", "500000.00"]
    assert (version.tiers, version.categories, version.cap) == (["ordinary"], ["软件", "硬件"], D("80000.00"))
    assert version.created_by == acme.member("channel_manager").user


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"brackets-0-threshold": "100"}, "The first bracket must start at 0."),
        ({"brackets-1-threshold": "0"}, "Each threshold must be above the one before it."),
        ({"brackets-2-rate_percent": "120"}, "Row 3: the rate must be between 0 and 100"),
        ({"brackets-2-rate_percent": ""}, "Row 3: give the rate"),
        ({"accelerator_metric": "sales", "accelerator_multiplier": "0.5"}, "The multiplier must be at least 1"),
        ({"code": "has space"}, "letters, digits"),
        ({"starts_on": "2026-01-01", "ends_on": "2025-01-01"}, "The end must not be before the start"),
    ],
)
def test_a_bad_form_says_what_is_wrong_and_saves_nothing(acme, page_client, overrides, words):
    response = page_client(acme.member("admin"), "en").post(url("programs/new/"), form_data(**overrides))
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not RebateProgram.objects.exists()


def test_the_preview_step_shows_the_table_before_anything_is_saved(acme, page_client):
    make_program()  # Q-REBATE, retroactive: paid 18,000 and 500
    settle_q1()
    versions_before = list(RebateProgramVersion.objects.values_list())
    data = form_data(code="Q-REBATE", name="季度返利", method="incremental", tiers=[], action="preview")

    response = page_client(acme.member("admin"), "en").post(url("programs/new/"), data)

    assert response.status_code == 200
    page = response.content.decode()
    result = response.context["what_if"]
    assert (result.would_pay, result.was_paid, result.difference) == (D("12500.00"), D("18500.00"), D("-6000.00"))
    assert "Acme Own Partner" in page and "ACME-OTHER" in page
    assert "¥12,000.00" in page and "-¥6,000.00" in page and "¥18,500.00" in page
    assert list(RebateProgramVersion.objects.values_list()) == versions_before
    assert RebateProgram.objects.count() == 1


def test_the_preview_of_a_bad_period_says_so_on_the_field(acme, page_client):
    response = page_client(acme.member("admin"), "en").post(
        url("programs/new/"), form_data(action="preview", preview_period="2026-02")
    )
    assert "choose a quarter" in response.content.decode()
    assert not RebateProgram.objects.exists()


def test_editing_a_program_that_paid_out_makes_a_new_version_and_says_so(acme, page_client):
    program = make_program()
    settle_q1()
    client = page_client(acme.member("admin"), "en")
    response = client.get(url(f"programs/{program.pk}/edit/"))
    assert response.context["brackets"].initial[1] == {"threshold": D("100000.00"), "rate_percent": D("2")}

    data = form_data(code="Q-REBATE", name="季度返利", tiers=[], **{"brackets-2-rate_percent": "4"})
    response = client.post(url(f"programs/{program.pk}/edit/"), data, follow=True)

    assert [version.number for version in program.versions.all()] == [2, 1]
    assert program.versions.get(number=2).brackets[2] == {"threshold": "500000.00", "rate_percent": "4"}
    assert "Version 1 has paid out" in response.content.decode()


@pytest.mark.parametrize("role", ["viewer", "finance", "risk"])
def test_vendor_readers_cannot_open_the_program_forms(acme, page_client, role):
    program = make_program()
    client = page_client(acme.member(role), "en")
    assert client.get(url("programs/new/")).status_code == 403
    assert client.post(url(f"programs/{program.pk}/edit/"), form_data(name="X")).status_code == 403
    assert client.post(url("profit-shares/new/"), {"code": "X"}).status_code == 403
    assert RebateProgram.objects.get().name == "季度返利" and not ProfitShareAgreement.objects.exists()


def test_an_agreement_is_created_with_a_rate_per_tier_and_shown_with_its_terms(acme, page_client):
    client = page_client(acme.member("channel_manager"), "en")
    data = {
        "code": "PS-1", "name": "Margin share", "period_kind": "quarter", "starts_on": "2026-01-01", "ends_on": "",
        "loss_share_percent": "5", "rate_core": "15", "rate_strategic": "", "rate_ordinary": "10",
    }  # fmt: skip
    response = client.post(url("profit-shares/new/"), data)
    agreement = ProfitShareAgreement.objects.get(code="PS-1")
    assert response.status_code == 302
    assert agreement.versions.get().rates == [
        {"tier": "core", "rate_percent": "15"},
        {"tier": "ordinary", "rate_percent": "10"},
    ]
    page = client.get(url(f"profit-shares/{agreement.pk}/")).content.decode()
    assert "5% of write-offs in the period" in page and "核心" in page and "15%" in page
    listed = client.get(url("profit-shares/")).content.decode()
    assert "PS-1" in listed and "Margin share" in listed

    response = client.post(url("profit-shares/new/"), {**data, "code": "PS-2", "rate_core": "", "rate_ordinary": ""})
    assert "Give the rate of at least one tier." in response.content.decode()
    assert ProfitShareAgreement.objects.count() == 1


# --- the portal ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_our_programs_shows_a_partner_only_the_rules_of_its_tier(acme, page_client, language):
    make_program(name="Ordinary rebate", tiers=["ordinary"])
    core = make_program(code="CORE", name="Core rebate", tiers=["core"])
    make_agreement(name="Ordinary share")
    make_agreement(code="PS-CORE-ONLY", name="Core share", rates=[{"tier": "core", "rate_percent": "20"}])
    client = page_client(acme.member("partner_user"), language)

    response = client.get(url("our-programs/"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ordinary rebate" in page and "Ordinary share" in page and "¥100,000.00" in page
    assert "Core rebate" not in page and "Core share" not in page
    assert client.get(url(f"programs/{core.pk}/")).status_code == 404
    assert client.get(url("programs/")).status_code == 403
    assert page_client(acme.member("admin"), language).get(url("our-programs/")).status_code == 302


def test_the_portal_home_says_what_the_partner_is_on_course_to_earn_and_only_its_own(acme, page_client):
    today = tenant_today(acme.tenant)
    quarter = Period.containing(today, "quarter")
    load(
        "sales",
        {"partner": "ACME-OWN", "date": quarter.start.isoformat(), "customer": "甲", "amount": "412000"},
        {"partner": "ACME-OTHER", "date": quarter.start.isoformat(), "customer": "乙", "amount": "777000"},
    )
    make_program(name="季度返利", starts_on=(quarter.start - datetime.timedelta(days=400)).isoformat())
    services.accruals_compute(day=today)

    page = page_client(acme.member("partner_admin"), "en").get(url("")).content.decode()

    # 412,000 this quarter at 2%: 8,240.00; 88,000.00 more reaches 3%
    assert "On course to earn ¥8,240.00 this quarter under 季度返利; ¥88,000.00 more sales reach 3%." in page
    assert "¥23,310.00" not in page and "777" not in page  # ACME-OTHER's figures
    chinese = page_client(acme.member("partner_user"), "zh-hans").get(url("")).content.decode()
    assert "¥8,240.00" in chinese and "¥88,000.00" in chinese
