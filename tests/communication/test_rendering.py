"""The announcement sanitiser: Markdown formatting survives; no script, event handler or ``javascript:`` does."""

import pytest

from communication.rendering import render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.test/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '<p onclick="alert(1)">click</p>',
    '<a href="javascript:alert(1)">link</a>',
    '<a href="JaVaScRiPt:alert(1)">link</a>',
    '<a href="java&#x09;script:alert(1)">link</a>',
    "[link](javascript:alert(1))",
    "[link](  javascript:alert(1))",
    "[link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<iframe src="https://evil.test"></iframe>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<form action="https://evil.test"><input name=x></form>',
    "![x](javascript:alert(1))",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_script_event_handler_or_javascript_link_survives(payload):
    html = render_markdown(f"Hello\n\n{payload}\n\nBye").lower()

    for danger in ("<script", "onerror", "onload", "onclick", "javascript:", "vbscript:", "data:", "<iframe",
                   "<style", "style=", "<form", "<input", "<img", "<svg", "<math"):  # fmt: skip
        assert danger not in html, (payload, html)
    assert "hello" in html  # (an unclosed <style> may take the rest with it: dropped, never run)


def test_markdown_formatting_and_safe_links_survive():
    html = render_markdown(
        "# Title\n\n**bold** *it* [site](https://example.com) [mail](mailto:a@b.test)\n\n- one\n- two"
    )

    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">site</a>' in html
    assert 'href="mailto:a@b.test"' in html
    assert "<li>one</li>" in html


def test_text_that_looks_like_html_is_shown_escaped_or_dropped_never_run():
    html = render_markdown("`<script>alert(1)</script>`")

    assert "&lt;script&gt;" in html and "<script" not in html
