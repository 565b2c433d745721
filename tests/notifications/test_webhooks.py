"""Per-tenant webhooks (SPEC §4.11): generic JSON signed with HMAC-SHA256, DingTalk's and WeCom's group robots,
retried with backoff, logged with their answer; set up by administrators only, their secrets never shown."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError

from common.errors import PermissionDenied
from notifications.models import Delivery, Webhook
from notifications.services import notify, webhook_create, webhook_update
from tests.conftest import tenant_api

SECRET = "a-long-shared-secret-0123456789"
STATEMENT = "/t/acme/settlements/statements/7/"


def hook(acme, url, *, kind="generic", secret=SECRET, events=("statement_disputed",), **extra) -> Webhook:
    return webhook_create(
        actor=acme.member("admin"), kind=kind, name=f"{kind} hook", url=url, secret=secret, events=list(events), **extra
    )


def dispute(acme, delivered):
    with delivered():
        notify(
            event="statement_disputed",
            recipients=[acme.member("viewer")],
            subject="ACME-OWN 有异议",
            body="少算了返利",
            url=STATEMENT,
            payload={"statement": 7, "total": "18000.00"},
        )


def webhooks_table() -> list:
    return sorted(Webhook.objects.values_list("pk", "kind", "name", "url", "secret", "events", "is_active"))


# --- the formats -----------------------------------------------------------------------------------


def test_a_generic_webhook_gets_the_event_as_json_signed_over_the_raw_body(acme, receiver, delivered, settings):
    settings.SITE_URL = "https://qudao.example.com"
    hook(acme, receiver.url())

    dispute(acme, delivered)

    [request] = receiver.requests
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Qudao-Signature"] == expected
    delivery = Delivery.objects.get()
    assert request.headers["X-Qudao-Event"] == "statement_disputed"
    assert request.headers["X-Qudao-Delivery"] == str(delivery.uuid)
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(request.body)
    assert body == {
        "event": "statement_disputed",
        "tenant": "acme",
        "subject": "ACME-OWN 有异议",
        "body": "少算了返利",
        "url": f"https://qudao.example.com{STATEMENT}",
        "payload": {"statement": 7, "total": "18000.00"},
        "delivery_id": str(delivery.uuid),
        "created_at": delivery.created_at.isoformat(),
    }
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("sent", 1, 200)
    assert "errcode" in delivery.answer


def test_a_receiver_that_answers_500_is_tried_again_and_the_second_attempt_succeeds(acme, receiver, delivered):
    hook(acme, receiver.url())
    receiver.answer((500, "database is down"))

    dispute(acme, delivered)

    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body  # the same message, the same delivery id
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("sent", 2, 200)


def test_a_receiver_that_keeps_failing_is_given_up_after_the_last_attempt_with_its_answer_logged(
    acme, receiver, delivered, settings
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    hook(acme, receiver.url())
    receiver.answer(*[(503, "maintenance " * 200)] * 5)

    dispute(acme, delivered)

    assert len(receiver.requests) == 3
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("failed", 3, 503)
    assert delivery.answer.startswith("maintenance") and len(delivery.answer) <= 1000  # a bounded excerpt


def test_a_4xx_is_not_retried(acme, receiver, delivered):
    hook(acme, receiver.url())
    receiver.answer((404, "no such hook"))

    dispute(acme, delivered)

    assert len(receiver.requests) == 1
    assert Delivery.objects.get().status == "failed"


def test_dingtalk_gets_its_markdown_message_signed_in_its_secret_mode(acme, receiver, delivered, settings):
    settings.SITE_URL = "https://qudao.example.com"
    secret = "SEC0123456789abcdef"
    hook(acme, receiver.url("/robot/send?access_token=abc"), kind="dingtalk", secret=secret)

    dispute(acme, delivered)

    [request] = receiver.requests
    query = parse_qs(urlsplit(request.path).query)
    assert query["access_token"] == ["abc"]
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]  # parse_qs has undone the URL encoding
    assert "%2B" in request.path or "%2F" in request.path or "%3D" in request.path  # it was URL-encoded
    body = json.loads(request.body)
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "ACME-OWN 有异议"
    assert "少算了返利" in body["markdown"]["text"]
    assert f"(https://qudao.example.com{STATEMENT})" in body["markdown"]["text"]
    assert "X-Qudao-Signature" not in request.headers
    assert Delivery.objects.get().status == "sent"


def test_a_robot_that_answers_200_with_an_error_code_is_a_failed_delivery(acme, receiver, delivered):
    hook(acme, receiver.url("/robot/send?access_token=abc"), kind="dingtalk", secret="SECwrong")
    receiver.answer((200, '{"errcode":310000,"errmsg":"sign not match"}'))

    dispute(acme, delivered)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "310000" in delivery.error and "sign not match" in delivery.answer


def test_wecom_gets_its_markdown_message(acme, receiver, delivered):
    hook(acme, receiver.url("/cgi-bin/webhook/send?key=k-1"), kind="wecom", secret="")

    dispute(acme, delivered)

    [request] = receiver.requests
    assert request.path == "/cgi-bin/webhook/send?key=k-1"
    body = json.loads(request.body)
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert content.startswith("**ACME-OWN 有异议**") and "少算了返利" in content
    assert len(content.encode()) <= 4096


def test_a_webhook_not_subscribed_to_the_event_or_switched_off_gets_nothing(acme, receiver, delivered):
    hook(acme, receiver.url(), events=["announcement"])
    hook(acme, receiver.url(), is_active=False)

    dispute(acme, delivered)

    assert receiver.requests == [] and Delivery.objects.count() == 0


# --- where webhooks may go ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "example.com/hook",
        "https://u:p@example.com/",
    ],
)
def test_only_http_and_https_addresses_are_accepted(acme, url):
    with pytest.raises(ValidationError) as refused:
        hook(acme, url)
    assert "url" in refused.value.message_dict
    assert Webhook.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/", "http://localhost/hook", "http://10.0.0.5/", "http://[::1]/", "http://169.254.169.254/"],
)
def test_private_and_local_addresses_are_refused_unless_allowed(acme, settings, url):
    with pytest.raises(ValidationError):
        hook(acme, url)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    assert hook(acme, url).url == url


def test_a_name_that_resolves_to_a_private_address_is_refused_when_called(acme, delivered, monkeypatch):
    import socket

    from notifications import transport

    # given: a name (accepted when saved) that DNS answers with an address inside the network
    hook(acme, "https://hooks.example.com/qudao")
    looked_up = []

    def resolve(host, port, *args, **kwargs):
        looked_up.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(transport.socket, "getaddrinfo", resolve)
    monkeypatch.setattr(transport.socket, "create_connection", lambda *a, **k: pytest.fail("it connected"))

    dispute(acme, delivered)

    assert looked_up == ["hooks.example.com"]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)  # refused, and not retried
    assert delivery.error


def test_a_generic_webhook_needs_a_secret_to_sign_with(acme):
    with pytest.raises(ValidationError) as refused:
        hook(acme, "https://hooks.example.com/qudao", secret="short")
    assert "secret" in refused.value.message_dict


def test_an_update_without_a_secret_keeps_the_saved_one(acme):
    webhook = hook(acme, "https://hooks.example.com/qudao")
    webhook_update(actor=acme.member("admin"), webhook=webhook, name="改名", secret="")
    assert Webhook.objects.get().secret == SECRET and Webhook.objects.get().name == "改名"


def test_only_administrators_manage_webhooks_in_the_service_too(acme):
    with pytest.raises(PermissionDenied):
        webhook_create(
            actor=acme.member("finance"),
            kind="generic",
            name="x",
            url="https://hooks.example.com/",
            secret=SECRET,
            events=["announcement"],
        )
    assert Webhook.objects.count() == 0


# --- the API ---------------------------------------------------------------------------------------


def test_an_administrator_creates_a_webhook_by_api_and_its_secret_is_never_answered(acme, api):
    client = api(acme.member("admin"))
    created = client.post(
        tenant_api("acme", "webhooks/"),
        {
            "kind": "generic",
            "name": "ERP",
            "url": "https://erp.example.com/qudao",
            "secret": SECRET,
            "events": ["statement_ready", "statement_disputed"],
        },
        format="json",
    )

    assert created.status_code == 201, created.json()
    webhook_id = created.json()["id"]
    answers = [
        created,
        client.get(tenant_api("acme", "webhooks/")),
        client.get(tenant_api("acme", f"webhooks/{webhook_id}/")),
        client.patch(tenant_api("acme", f"webhooks/{webhook_id}/"), {"secret": SECRET + "-new"}, format="json"),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201)
        assert SECRET not in answer.content.decode() and "secret" not in json.dumps(answer.json()).replace(
            "has_secret", ""
        )
    assert created.json()["has_secret"] is True
    assert Webhook.objects.get().secret == SECRET + "-new"


def test_bad_input_is_a_400_that_names_the_field_and_nothing_is_saved(acme, api):
    client = api(acme.member("admin"))
    for body, field in [
        ({"name": "x", "url": "ftp://x", "secret": SECRET, "events": ["announcement"]}, "url"),
        ({"name": "x", "url": "https://x.example.com", "secret": SECRET, "events": ["nope"]}, "events"),
        ({"name": "x", "url": "https://x.example.com", "secret": SECRET, "events": []}, "events"),
        ({"name": "x", "url": "https://x.example.com", "events": ["announcement"]}, "secret"),
        ({"name": "x", "kind": "slack", "url": "https://x.example.com", "events": ["announcement"]}, "kind"),
    ]:
        answer = client.post(tenant_api("acme", "webhooks/"), body, format="json")
        assert answer.status_code == 400, (body, answer.json())
        assert field in answer.json()["errors"], (body, answer.json())
    assert Webhook.objects.count() == 0


def test_an_administrator_deletes_a_webhook(acme, api):
    webhook = hook(acme, "https://hooks.example.com/qudao")
    answer = api(acme.member("admin")).delete(tenant_api("acme", f"webhooks/{webhook.pk}/"))
    assert answer.status_code == 204 and Webhook.objects.count() == 0


@pytest.mark.parametrize("role", ["finance", "channel_manager", "viewer", "risk", "partner_admin", "partner_user"])
def test_no_one_but_an_administrator_sees_or_manages_webhooks(acme, api, role):
    webhook = hook(acme, "https://hooks.example.com/qudao")
    before = webhooks_table()
    client = api(acme.member(role))

    answers = [
        client.get(tenant_api("acme", "webhooks/")),
        client.get(tenant_api("acme", f"webhooks/{webhook.pk}/")),
        client.post(
            tenant_api("acme", "webhooks/"),
            {"name": "x", "url": "https://x.example.com", "secret": SECRET, "events": ["announcement"]},
            format="json",
        ),
        client.patch(tenant_api("acme", f"webhooks/{webhook.pk}/"), {"url": "https://evil.example.com"}, format="json"),
        client.delete(tenant_api("acme", f"webhooks/{webhook.pk}/")),
        client.post(tenant_api("acme", f"webhooks/{webhook.pk}/test/")),
    ]

    assert [answer.status_code for answer in answers] == [403] * 6
    assert webhooks_table() == before and Delivery.objects.count() == 0


def test_another_tenants_webhook_is_a_404_and_is_left_alone(world, api):
    from tenancy.context import tenant_scope

    with tenant_scope(world["globex"].tenant):
        theirs = hook(world["globex"], "https://globex.example.com/hook")
        before = webhooks_table()
    with tenant_scope(world["acme"].tenant):
        client = api(world["acme"].member("admin"))
        answers = [
            client.get(tenant_api("acme", f"webhooks/{theirs.pk}/")),
            client.patch(tenant_api("acme", f"webhooks/{theirs.pk}/"), {"name": "mine now"}, format="json"),
            client.delete(tenant_api("acme", f"webhooks/{theirs.pk}/")),
            client.post(tenant_api("acme", f"webhooks/{theirs.pk}/test/")),
            client.get(tenant_api("acme", f"webhooks/{theirs.pk}/deliveries/")),
        ]
        assert [answer.status_code for answer in answers] == [404] * 5
        assert all("globex.example.com" not in answer.content.decode() for answer in answers)
    with tenant_scope(world["globex"].tenant):
        assert webhooks_table() == before and Delivery.objects.count() == 0


def test_send_test_by_api_delivers_now_and_answers_with_what_the_receiver_said(acme, api, receiver):
    webhook = hook(acme, receiver.url())
    receiver.answer((200, '{"ok": true}'))

    answer = api(acme.member("admin")).post(tenant_api("acme", f"webhooks/{webhook.pk}/test/"))

    assert answer.status_code == 200
    body = answer.json()
    assert (body["event"], body["status"], body["status_code"], body["answer"]) == ("test", "sent", 200, '{"ok": true}')
    [request] = receiver.requests
    assert request.headers["X-Qudao-Event"] == "test"
    assert json.loads(request.body)["url"].endswith(f"/t/acme/webhooks/{webhook.pk}/")


def test_send_test_to_a_receiver_that_is_not_there_says_why_and_is_not_retried(acme, api, nobody_listening):
    webhook = hook(acme, nobody_listening)

    body = api(acme.member("admin")).post(tenant_api("acme", f"webhooks/{webhook.pk}/test/")).json()

    assert (body["status"], body["attempts"], body["status_code"]) == ("failed", 1, None)
    assert body["error"]


def test_the_delivery_log_lists_a_webhooks_deliveries_newest_first(acme, api, receiver, delivered):
    webhook = hook(acme, receiver.url())
    dispute(acme, delivered)
    receiver.answer((500, "x"), (500, "x"), (500, "x"), (500, "x"), (500, "x"))
    api(acme.member("admin")).post(tenant_api("acme", f"webhooks/{webhook.pk}/test/"))

    client = api(acme.member("admin"))
    log = client.get(tenant_api("acme", f"webhooks/{webhook.pk}/deliveries/")).json()
    failed = client.get(tenant_api("acme", f"webhooks/{webhook.pk}/deliveries/?status=failed")).json()

    assert [row["event"] for row in log["results"]] == ["test", "statement_disputed"]
    assert [row["event"] for row in failed["results"]] == ["test"]
    assert client.get(tenant_api("acme", f"webhooks/{webhook.pk}/deliveries/?status=nope")).status_code == 400


# --- the pages -------------------------------------------------------------------------------------


def test_an_administrator_sets_up_a_webhook_on_its_page_and_tests_it(acme, page_client, receiver):
    client = page_client(acme.member("admin"))
    form = client.get("/t/acme/webhooks/new/")
    assert form.status_code == 200

    created = client.post(
        "/t/acme/webhooks/new/",
        {
            "kind": "wecom",
            "name": "销售群",
            "url": receiver.url("/cgi-bin/webhook/send?key=k"),
            "secret": "",
            "events": ["statement_disputed", "announcement"],
            "is_active": "on",
        },
    )

    assert created.status_code == 302, created.context["form"].errors if created.context else created
    webhook = Webhook.objects.get()
    assert (webhook.kind, webhook.name, webhook.events) == ("wecom", "销售群", ["statement_disputed", "announcement"])
    tested = client.post(f"/t/acme/webhooks/{webhook.pk}/test/", follow=True)
    assert tested.status_code == 200 and len(receiver.requests) == 1
    page = tested.content.decode()
    assert "The test message was delivered: the receiver answered 200." in page and "销售群" in page


def test_the_webhook_form_never_shows_the_secret(acme, page_client):
    webhook = hook(acme, "https://hooks.example.com/qudao")
    client = page_client(acme.member("admin"))
    for path in ("/t/acme/webhooks/", f"/t/acme/webhooks/{webhook.pk}/", f"/t/acme/webhooks/{webhook.pk}/edit/"):
        page = client.get(path)
        assert page.status_code == 200 and SECRET not in page.content.decode(), path


def test_editing_on_the_page_with_an_empty_secret_keeps_it(acme, page_client):
    webhook = hook(acme, "https://hooks.example.com/qudao")
    response = page_client(acme.member("admin")).post(
        f"/t/acme/webhooks/{webhook.pk}/edit/",
        {
            "kind": "generic",
            "name": "ERP 2",
            "url": "https://hooks.example.com/v2",
            "secret": "",
            "events": ["announcement"],
        },
    )
    assert response.status_code == 302
    saved = Webhook.objects.get()
    assert (saved.name, saved.url, saved.secret, saved.events, saved.is_active) == (
        "ERP 2",
        "https://hooks.example.com/v2",
        SECRET,
        ["announcement"],
        False,
    )


def test_a_bad_address_on_the_page_is_shown_on_its_field_and_nothing_is_saved(acme, page_client):
    response = page_client(acme.member("admin")).post(
        "/t/acme/webhooks/new/",
        {
            "kind": "generic",
            "name": "x",
            "url": "ftp://files.example.com",
            "secret": SECRET,
            "events": ["announcement"],
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["url"]
    assert Webhook.objects.count() == 0


def test_an_administrator_deletes_a_webhook_on_its_page(acme, page_client):
    webhook = hook(acme, "https://hooks.example.com/qudao")
    client = page_client(acme.member("admin"))
    assert client.get(f"/t/acme/webhooks/{webhook.pk}/delete/").status_code == 200
    assert client.post(f"/t/acme/webhooks/{webhook.pk}/delete/").status_code == 302
    assert Webhook.objects.count() == 0


@pytest.mark.parametrize("role", ["finance", "viewer", "partner_admin", "partner_user"])
def test_the_webhook_pages_are_for_administrators_only(acme, page_client, role):
    webhook = hook(acme, "https://hooks.example.com/qudao")
    before = webhooks_table()
    client = page_client(acme.member(role))
    statuses = [
        client.get("/t/acme/webhooks/").status_code,
        client.get(f"/t/acme/webhooks/{webhook.pk}/").status_code,
        client.post("/t/acme/webhooks/new/", {"name": "x"}).status_code,
        client.post(f"/t/acme/webhooks/{webhook.pk}/delete/").status_code,
        client.post(f"/t/acme/webhooks/{webhook.pk}/test/").status_code,
    ]
    assert statuses == [403] * 5
    assert webhooks_table() == before and Delivery.objects.count() == 0


def test_the_delivery_log_and_the_webhook_list_take_the_same_queries_for_3_and_30_rows(acme, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(acme.member("admin"))
    first = hook(acme, "https://hooks.example.com/1", events=["announcement"])

    def more(count: int) -> None:
        for number in range(count):
            hook(acme, f"https://hooks.example.com/{number}", events=["announcement"])
            notify(event="announcement", recipients=[], subject=f"公告 {number}", body="")

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(tenant_api("acme", path)).status_code == 200
        return len(captured)

    more(2)
    small = (queries("webhooks/"), queries(f"webhooks/{first.pk}/deliveries/"))
    more(27)
    assert Delivery.objects.filter(webhook=first).count() == 29
    assert (queries("webhooks/"), queries(f"webhooks/{first.pk}/deliveries/")) == small
