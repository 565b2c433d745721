"""A paginator whose count stays cheap on a table of millions of rows (issue 13: pages at 10,000 partners).

``COUNT(*)`` over five million sales reads them all, on every page of the list. Up to ``EXACT_UP_TO``
rows the count is exact (a count over a ``LIMIT``, which stops early); beyond it the count is the
planner's estimate of the filtered query, marked ``count_is_estimate`` so that the page says "about"
and offers no "last page" (an ``OFFSET`` of millions would be as slow as the count). The pages
themselves are always read with ``LIMIT``/``OFFSET``.
"""

from __future__ import annotations

import json

from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

EXACT_UP_TO = 10_000


class CappedCountPaginator(Paginator):
    count_is_estimate = False

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return super().count
        queryset = self.object_list
        exact = queryset.order_by()[: EXACT_UP_TO + 1].count()
        if exact <= EXACT_UP_TO:
            return exact
        self.count_is_estimate = True
        return max(planner_estimate(queryset), EXACT_UP_TO + 1)

    # Past the cap the count is a guess, so it decides neither which pages exist nor whether a page has a
    # next one: a page is read with one row more than it shows, and a page beyond the guess that still
    # has rows is served (an API client following ``next`` reaches every row, whatever the estimate).

    def validate_number(self, number):
        if not (self.count and self.count_is_estimate):  # counted first: the count says whether it is a guess
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().validate_number(number)  # PageNotAnInteger, with Django's message
        if number < 1:
            return super().validate_number(number)  # EmptyPage, with Django's message
        return number

    def page(self, number):
        number = self.validate_number(number)
        if not self.count_is_estimate:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = self.rows(bottom, bottom + self.per_page + 1)
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        page = OpenEndedPage(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def rows(self, bottom: int, top: int) -> list:
        return list(self.object_list[bottom:top])


class OpenEndedPage(Page):
    """A page of a list whose count is an estimate: whether a next page exists is what was read."""

    more = False

    def has_next(self) -> bool:
        return self.more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1


def planner_estimate(queryset: QuerySet) -> int:
    """The number of rows PostgreSQL's planner expects ``queryset`` to return (no row is read)."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class PageByIdMixin:
    """Reads a page in two steps inside one query: the page's ids first, from a sort that carries only
    the ids and the sort keys, then those rows with everything the list joins (``select_related``).

    A list of alerts or recommendations joins partners, tiers and users to every row; sorting all the
    joined rows to keep fifty of them costs more than the page. The page is the same rows in the same
    order (the outer query keeps the list's ordering, which must be total: end it with a unique key)."""

    def page(self, number):
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        if getattr(self, "count_is_estimate", False):  # counted just now: past the cap
            return super().page(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)

    def rows(self, bottom: int, top: int) -> list:
        return list(self.object_list.filter(pk__in=self.object_list.values("pk")[bottom:top]))


class PageByIdPaginator(PageByIdMixin, Paginator):
    pass


class CappedPageByIdPaginator(PageByIdMixin, CappedCountPaginator):
    pass
