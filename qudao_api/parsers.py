"""Request bodies (JSON, forms, multipart), each refusing what no field could store or judge.

Set as the API's default parsers. Every string in a body, value or key, is checked for the NUL
character (PostgreSQL refuses it) and lone surrogates (``"\\ud800"`` decodes from JSON but has
no UTF-8 form, so psycopg cannot send it): one is a 400 naming where it is, e.g.
``rows[3].customer``. JSON numbers with a fraction or an exponent are read as ``Decimal``, so
that ``1e30`` reaches the money parser as the number it is, not as a float already rounded;
``NaN`` and ``Infinity``, which JSON does not have, are refused.
"""

from __future__ import annotations

import codecs
import json
from collections import deque
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

from common.parsing import text_problem

MAX_DEPTH = 32  # no body of this API nests deeper; a deeper one would only exhaust the stack later
Path = tuple[str | int, ...]


def shown_key(key: str) -> str:
    """A field name as it may be written back: escaped when it holds a NUL or a lone surrogate."""
    return json.dumps(key)[1:-1] if text_problem(key) else key


def path_text(path: Path) -> str:
    """``("rows", 3, "customer")`` → ``rows[3].customer`` (a bad key is shown escaped)."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{shown_key(part)}" if text else shown_key(part)
    return text


class UnsafeText(exceptions.ValidationError):
    """Text in a request that cannot be stored; ``path`` says where it is."""

    def __init__(self, path: Path, message: str):
        self.path = path
        super().__init__({path_text(path) or "body": [message]})


def _walk(value: Any) -> Iterator[tuple[Path, Any, bool]]:
    """Every string in ``value`` with its path (``True`` for a key), breadth first, without recursion."""
    queue: deque[tuple[Path, Any]] = deque([((), value)])
    while queue:
        path, item = queue.popleft()
        if len(path) > MAX_DEPTH:
            raise exceptions.ParseError(_("The body nests deeper than %(depth)d levels.") % {"depth": MAX_DEPTH})
        if isinstance(item, str):
            yield path, item, False
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str):
                    yield (*path, key), key, True
                queue.append(((*path, key), child))
        elif isinstance(item, list):
            queue.extend(((*path, index), child) for index, child in enumerate(item))


def check_text(value: Any) -> None:
    """Raise ``UnsafeText`` for the first string (or key) in ``value`` that cannot be stored."""
    for path, text, is_key in _walk(value):
        problem = text_problem(text)
        if problem:
            if is_key:
                problem = _("This field name is not valid text. %(problem)s") % {"problem": problem}
            raise UnsafeText(path, problem)


def check_query_dict(data: QueryDict) -> None:
    for key, values in data.lists():
        check_text({key: values if len(values) > 1 else values[0] if values else ""})


class _Constant(ValueError):
    pass


def _refuse_constant(name: str):
    raise _Constant(name)


class JSONParser(parsers.JSONParser):
    """JSON with numbers read as ``Decimal``, no ``NaN``/``Infinity``, and only storable text."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_float=Decimal, parse_constant=_refuse_constant)
        except _Constant as error:
            raise exceptions.ParseError(
                _("JSON has no %(constant)s: write a number, or null.") % {"constant": error}
            ) from None
        except (ValueError, RecursionError) as error:
            raise exceptions.ParseError(_("The body is not valid JSON (%(error)s).") % {"error": error}) from None
        check_text(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        check_query_dict(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        check_query_dict(parsed.data)
        return parsed
