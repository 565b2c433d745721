"""Refuse, before any view, a request carrying text that nothing could store (SPEC §6: a 400, never a 500).

PostgreSQL refuses the NUL character, so a NUL in a query parameter, a form field or a header
(``Authorization: Token \\x00``, a session cookie) would end in a server error wherever the
value reaches a query. Lone surrogates cannot reach Django through a URL or a form (it decodes
those with replacement characters), but they are checked too: the check is the same one the
API's body parsers make (``qudao_api.parsers``).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.shortcuts import render
from django.utils.translation import gettext as _

from common.parsing import text_problem
from qudao_api.errors import is_api_request, json_error


def _inputs(request) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """``(kind, name, texts)`` for every header, cookie, query parameter and form field."""
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            yield "header", key.removeprefix("HTTP_").replace("_", "-").title(), (value,)
    for name, value in request.COOKIES.items():  # decoded: ``"\\000"`` in a cookie is a NUL here
        yield "cookie", name, (name, value)
    sources = [request.GET]
    if request.method == "POST":
        sources.append(request.POST)  # form and multipart fields; a JSON body is the parsers' part
    for source in sources:
        for key, values in source.lists():
            yield "field", key, (key, *values)


def unsafe_input(request) -> tuple[str, str] | None:
    """``(where, why)`` for the first header, cookie, query parameter or form field that cannot be stored."""
    for kind, name, texts in _inputs(request):
        problem = next(filter(None, map(text_problem, texts)), None)
        if problem:
            shown = "?" if text_problem(name) else name
            where = {
                "header": _("the %(name)s header"),
                "cookie": _("the cookie “%(name)s”"),
                "field": _("the field “%(name)s”"),
            }[kind] % {"name": shown}
            return where, problem
    return None


class InputGuardMiddleware:
    """A 400 for a request whose headers, query string or form fields hold a NUL or a lone surrogate.

    JSON ``{"message": …}`` on ``/api/`` paths, a plain page in the user's language elsewhere.
    Placed after ``LocaleMiddleware`` (the answer is translated) and before anything that reads
    the session or authenticates (which would query with the bad value).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = unsafe_input(request)
        if found is None:
            return self.get_response(request)
        where, problem = found
        message = _("The request cannot be read: %(where)s. %(problem)s") % {"where": where, "problem": problem}
        if is_api_request(request):
            return json_error(message, status=400, code="invalid_text")
        return render(request, "400.html", {"message": message}, status=400)
