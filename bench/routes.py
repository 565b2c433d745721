"""The pages benchmark's routes: the links of the navigation and the API's list endpoints.

Apart from ``bench.common`` (which migrates on import), so that the query-count tests can use them
without a database.
"""

from __future__ import annotations

import html.parser


class Links(html.parser.HTMLParser):
    """The ``href`` of every link inside ``<nav class="sidenav">``."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "sidenav" in (attrs.get("class") or ""):
            self.depth = 1
        elif tag == "nav" and self.depth:
            self.depth += 1
        elif tag == "a" and self.depth and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "nav" and self.depth:
            self.depth -= 1


def nav_links(page: str) -> list[str]:
    parser = Links()
    parser.feed(page)
    return list(dict.fromkeys(parser.links))


def api_list_paths(slug: str) -> list[str]:
    """Every list route of the API's router (``GET /api/v1/t/<slug>/<prefix>/``)."""
    from qudao_api.urls import router

    paths = []
    for prefix, viewset, _basename in router.registry:
        if hasattr(viewset, "list"):
            paths.append(f"/api/v1/t/{slug}/{prefix}/")
    return list(dict.fromkeys(paths))
