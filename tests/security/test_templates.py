"""Every template keeps to the CSP: no inline script, no event-handler attributes, no inline style.

The CSP would block them in the browser; this finds them before anyone ships one. Comments
({# … #} and {% comment %}) are left out: they may talk about what they avoid.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
COMMENTS = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL)
TAG = re.compile(r"<[a-zA-Z][^<>]*>")

# What the CSP forbids, and how to find it in a template's text (comments removed).
RULES = {
    # a <script> runs only from a file (src=…); json_script's data blocks are not run
    "an inline <script>": lambda text: [
        tag for tag in re.findall(r"<script\b[^>]*>", text, re.IGNORECASE)
        if not re.search(r"\bsrc=", tag) and 'type="application/json"' not in tag
    ],
    "an on…= event-handler attribute": lambda text: [
        tag for tag in TAG.findall(text) if re.search(r"\son[a-z]+\s*=", tag, re.IGNORECASE)
    ],
    "an hx-on attribute (htmx evals it)": lambda text: re.findall(r"\b(?:data-)?hx-on\b[^=\s]*", text),
    "a style= attribute": lambda text: [
        tag for tag in TAG.findall(text) if re.search(r"\sstyle\s*=", tag, re.IGNORECASE)
    ],
    "a <style> element": lambda text: re.findall(r"<style\b[^>]*>", text, re.IGNORECASE),
    "a javascript: address": lambda text: re.findall(r"javascript:", text, re.IGNORECASE),
}  # fmt: skip


def templates() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*") if path.is_file())


def offences(text: str, rule: str) -> list[str]:
    return RULES[rule](COMMENTS.sub("", text))


def test_there_are_templates_to_scan():
    assert len(templates()) > 40
    assert TEMPLATES / "base.html" in templates()


@pytest.mark.parametrize("rule", RULES)
def test_no_template_holds(rule):
    found = {
        str(path.relative_to(TEMPLATES)): hits
        for path in templates()
        if (hits := offences(path.read_text(encoding="utf-8"), rule))
    }
    assert found == {}, f"{rule} in templates/: {found}"


@pytest.mark.parametrize(
    ("rule", "snippet"),
    [
        ("an inline <script>", "<script>alert(1)</script>"),
        ("an inline <script>", '<script type="module">go()</script>'),
        ("an on…= event-handler attribute", '<button type="submit" onclick="go()">'),
        ("an on…= event-handler attribute", "<select name=kind\n  onChange='this.form.submit()'>"),
        ("an hx-on attribute (htmx evals it)", '<form hx-on::after-request="this.reset()">'),
        ("a style= attribute", '<span style="width: 50%"></span>'),
        ("a <style> element", "<style>body { margin: 0 }</style>"),
        ("a javascript: address", '<a href="javascript:void(0)">'),
    ],
)
def test_the_scan_finds_what_it_forbids(rule, snippet):
    assert offences(snippet, rule) != []


@pytest.mark.parametrize(
    "snippet",
    [
        "<script src=\"{% static 'js/dashboard.js' %}\"></script>",
        '<script id="trend-data" type="application/json">{"labels": []}</script>',
        "<p>Partners online: 3; one=two</p>",
        '<meter class="bar" min="0" max="100" value="50.0" data-on="x">50%</meter>',
        "{# no <script>alert(1)</script> or style=… here #}",
        "{% comment %}<style>not real</style>{% endcomment %}",
    ],
)
def test_the_scan_lets_through_what_the_csp_allows(snippet):
    assert [rule for rule in RULES if offences(snippet, rule)] == []
