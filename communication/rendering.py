"""Announcement text: Markdown rendered to HTML, then sanitised, so that nothing a publisher types can run.

Markdown lets raw HTML through, so the sanitiser (nh3) is the wall: only formatting tags survive,
with no attribute but a link's ``href``/``title``, and links only to ``http``, ``https`` and ``mailto``.
Scripts, styles and their content are dropped; event handlers and ``javascript:`` links too.
"""

from __future__ import annotations

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Safe HTML of Markdown ``text``: formatting only; every link opens outside with no referrer."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
