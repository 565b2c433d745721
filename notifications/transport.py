"""What leaves the app: a webhook's request in its receiver's format, signed, sent to a vetted address.

Three formats (SPEC §4.11):

- **generic**: the JSON ``{event, tenant, subject, body, url, payload, delivery_id, created_at}``,
  signed with HMAC-SHA256 of the raw body under the webhook's secret, in
  ``X-Qudao-Signature: sha256=<hex>``, with ``X-Qudao-Event`` and ``X-Qudao-Delivery``;
- **DingTalk** group robot: its ``markdown`` message, in its signed-secret mode when the webhook
  has a secret (``timestamp`` in milliseconds and ``sign`` = the URL-encoded base64 of
  HMAC-SHA256 of ``"{timestamp}\\n{secret}"`` keyed by the secret, added to the address);
- **WeCom** group robot: its ``markdown`` message (the robot's key is in its address).

The request goes out through ``http.client`` to an address resolved once and checked: a private,
loopback, link-local or otherwise non-public address is refused unless
``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` is on, and the connection is made to the very address that was
checked (no second lookup a DNS answer could change in between); redirects are not followed.
Nothing here touches the database.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
from urllib.parse import quote_plus, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from .models import ANSWER_MAX_LENGTH, WebhookKind

USER_AGENT = "Qudao-Webhooks/1.0"
MAX_ANSWER_BYTES = 64 * 1024  # read no more of an answer than this
MARKDOWN_MAX_BYTES = 4000  # WeCom takes 4,096 bytes of markdown; DingTalk more
# The robots answer 200 with an error code; these mean "too many messages, try later".
ROBOT_THROTTLED = {130101, 45009}


class AddressRefused(Exception):
    """The webhook's address may not be called (a scheme or an address the app does not call)."""


@dataclasses.dataclass(frozen=True)
class Outbound:
    """A request ready to send."""

    url: str
    body: bytes
    headers: dict[str, str]


@dataclasses.dataclass(frozen=True)
class Answer:
    """How a delivery attempt went: the receiver's status and an excerpt of its answer, or why it failed."""

    ok: bool
    retry: bool = False  # worth another attempt later (no answer, a 5xx, a 429, a throttled robot)
    status_code: int | None = None
    text: str = ""
    error: str = ""


def absolute_url(path: str) -> str:
    """A path inside the app as an address people can open from an e-mail or a chat (``SITE_URL``)."""
    if not path:
        return ""
    if path.startswith("/") and not path.startswith("//"):
        return settings.SITE_URL + path
    return path


def excerpt(text: str, limit: int = ANSWER_MAX_LENGTH) -> str:
    """At most ``limit`` characters of ``text``, storable (no NUL)."""
    text = text.replace("\x00", "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the formats ----------------------------------------------------------------------------------


def signature(secret: str, body: bytes) -> str:
    """The generic webhook's ``X-Qudao-Signature``: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signed-secret mode: base64 of HMAC-SHA256 of ``"{timestamp}\\n{secret}"`` keyed by the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _fit(text: str, limit_bytes: int) -> str:
    encoded = text.encode()
    if len(encoded) <= limit_bytes:
        return text
    return encoded[: limit_bytes - 3].decode(errors="ignore") + "…"


def _markdown(*, title: str, body: str, url: str) -> str:
    """The message as the robots' markdown: a title line, the body, a link to open it in the app."""
    lines = [title, "", body.strip()] if body.strip() else [title]
    link = absolute_url(url)
    if link:
        lines += ["", f"[{_('Open in Qudao')}]({link})"]
    return "\n".join(lines)


def build_request(*, webhook, delivery, tenant_slug: str, now: float | None = None) -> Outbound:
    """The request that delivers ``delivery`` to ``webhook``, in the webhook's format (signed)."""
    if webhook.kind == WebhookKind.DINGTALK:
        text = _markdown(title=f"#### {delivery.subject}", body=delivery.body, url=delivery.url)
        body = _json({"msgtype": "markdown", "markdown": {"title": delivery.subject, "text": _fit(text, 18000)}})
        url = webhook.url
        if webhook.secret:
            timestamp = int((now if now is not None else time.time()) * 1000)
            separator = "&" if urlsplit(url).query else "?"
            url = f"{url}{separator}timestamp={timestamp}&sign={quote_plus(dingtalk_sign(webhook.secret, timestamp))}"
        return Outbound(url=url, body=body, headers={})
    if webhook.kind == WebhookKind.WECOM:
        text = _markdown(title=f"**{delivery.subject}**", body=delivery.body, url=delivery.url)
        body = _json({"msgtype": "markdown", "markdown": {"content": _fit(text, MARKDOWN_MAX_BYTES)}})
        return Outbound(url=webhook.url, body=body, headers={})
    body = _json(
        {
            "event": delivery.event,
            "tenant": tenant_slug,
            "subject": delivery.subject,
            "body": delivery.body,
            "url": absolute_url(delivery.url),
            "payload": delivery.payload or {},
            "delivery_id": str(delivery.uuid),
            "created_at": delivery.created_at.isoformat(),
        }
    )
    headers = {"X-Qudao-Event": delivery.event, "X-Qudao-Delivery": str(delivery.uuid)}
    if webhook.secret:
        headers["X-Qudao-Signature"] = signature(webhook.secret, body)
    return Outbound(url=webhook.url, body=body, headers=headers)


# --- where it may go -------------------------------------------------------------------------------


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def url_problem(url: str, *, allow_private: bool | None = None) -> str | None:
    """Why ``url`` cannot be a webhook's address, read without any lookup; None when it can.

    http(s) only, a host, no user name or password in it; an address that is a private or local IP
    (or ``localhost``) only when private addresses are allowed. A name is checked when it is called.
    """
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES if allow_private is None else allow_private
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is no number or out of range)
    except ValueError:
        return _("This is not a valid address.")
    if parts.scheme not in ("http", "https"):
        return _("A webhook's address starts with https:// (or http://).")
    if not parts.hostname:
        return _("The address names no host.")
    if parts.username is not None or parts.password is not None:
        return _("Leave the user name and password out of the address.")
    if any(character.isspace() or ord(character) < 32 for character in url):
        return _("The address must not contain spaces or control characters.")
    if allow_private:
        return None
    host = parts.hostname.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return _("Webhooks may not call this machine.")
    try:
        if not _is_public(host):
            return _("Webhooks may not call private or local network addresses.")
    except ValueError:
        pass  # a name, not an address: checked when it is called
    return None


def _vetted_address(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to: the first ``host`` resolves to, each of them checked first."""
    addresses = [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    if not addresses:
        raise OSError(_("The host name has no address."))
    if not allow_private and not all(_is_public(address) for address in addresses):
        raise AddressRefused(_("Webhooks may not call private or local network addresses."))
    return addresses[0]


def _connection(scheme: str, host: str, port: int, address: str, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)

    def connect_to_the_vetted_address(_address, timeout=timeout, source_address=None):
        return socket.create_connection((address, port), timeout, source_address)

    # The Host header and TLS name stay the host's; the socket goes to the address that was checked.
    connection._create_connection = connect_to_the_vetted_address
    return connection


def post(outbound: Outbound, *, robot: bool = False, timeout: float | None = None) -> Answer:
    """Send ``outbound`` once and say how it went (never raises for the network's sake)."""
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS if timeout is None else timeout
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES
    problem = url_problem(outbound.url, allow_private=allow_private)
    if problem:
        return Answer(ok=False, error=problem)
    parts = urlsplit(outbound.url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        address = _vetted_address(parts.hostname, port, allow_private=allow_private)
    except AddressRefused as refused:
        return Answer(ok=False, error=str(refused))
    except (OSError, UnicodeError) as error:
        reason = _("The host name could not be resolved: %(error)s") % {"error": error}
        return Answer(ok=False, retry=True, error=excerpt(reason, 500))
    connection = _connection(parts.scheme, parts.hostname, port, address, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **outbound.headers}
    try:
        connection.request("POST", path, body=outbound.body, headers=headers)
        response = connection.getresponse()
        raw = response.read(MAX_ANSWER_BYTES)
    except (OSError, http.client.HTTPException) as error:
        reason = _("No answer: %(error)s") % {"error": str(error) or type(error).__name__}
        return Answer(ok=False, retry=True, error=excerpt(reason, 500))
    finally:
        connection.close()
    return _judge(response.status, raw.decode("utf-8", errors="replace"), robot=robot)


def _judge(status: int, text: str, *, robot: bool) -> Answer:
    """Whether the receiver took it: a 2xx (for a robot, with error code 0); a 5xx or 429 is worth retrying."""
    kept = excerpt(text)
    if 200 <= status < 300:
        code = _robot_error_code(text) if robot else 0
        if code:
            return Answer(
                ok=False,
                retry=code in ROBOT_THROTTLED,
                status_code=status,
                text=kept,
                error=_("The robot refused the message (error code %(code)s).") % {"code": code},
            )
        return Answer(ok=True, status_code=status, text=kept)
    retry = status >= 500 or status == 429
    return Answer(
        ok=False,
        retry=retry,
        status_code=status,
        text=kept,
        error=_("The receiver answered %(status)s.") % {"status": status},
    )


def _robot_error_code(text: str) -> int:
    """DingTalk's and WeCom's ``errcode`` (0: sent); an answer without one counts as sent."""
    try:
        data = json.loads(text)
    except ValueError:
        return 0
    code = data.get("errcode", 0) if isinstance(data, dict) else 0
    return code if isinstance(code, int) else 0
