"""The far ends of notifications, for real and on this machine: an SMTP server and an HTTP receiver.

Nothing here reaches the internet: both listen on 127.0.0.1 on a free port, and webhooks are
allowed to call private addresses only in the tests that ask for ``receiver``.
"""

from __future__ import annotations

import dataclasses
import http.server
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.test import Client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- SMTP ------------------------------------------------------------------------------------------


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


def _smtp_mailer(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free local port; Django's mailer sends to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = _smtp_mailer(controller.port)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_down(settings):
    """The mailer points at a local port where no mail server listens: every e-mail fails at once."""
    settings.MAILERS = _smtp_mailer(free_port())


# --- HTTP ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Received:
    path: str
    headers: object  # an email.message.Message: case-insensitive .get()
    body: bytes


class Receiver:
    """A webhook receiver: records each request and answers with the next programmed answer (else 200)."""

    def __init__(self, port: int):
        self.port = port
        self.requests: list[Received] = []
        self.answers: list[tuple[int, str]] = []

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, *answers: tuple[int, str]) -> None:
        self.answers.extend(answers)


def _handler_for(receiver: Receiver):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # http.server calls it by this name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.requests.append(Received(path=self.path, headers=self.headers, body=body))
            status, text = receiver.answers.pop(0) if receiver.answers else (200, '{"errcode":0,"errmsg":"ok"}')
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver(settings):
    """A real HTTP server on a free local port, in a thread; webhooks may call it (a private address)."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 3
    port = free_port()
    found = Receiver(port)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _handler_for(found))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def nobody_listening(settings) -> str:
    """An address on this machine where nothing answers (the connection is refused at once)."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    return f"http://127.0.0.1:{free_port()}/hook"


# --- running what is queued ----------------------------------------------------------------------


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """``with delivered(): …``: the deliveries queued inside run (in-process, retries at once) at the end."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def page_client():
    def client_for(membership, language: str = "en") -> Client:
        client = Client()
        client.force_login(membership.user)
        client.cookies["django_language"] = language
        return client

    return client_for
