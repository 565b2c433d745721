from rest_framework import pagination

from common.pagination import CappedCountPaginator, CappedPageByIdPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    # Past common.pagination.EXACT_UP_TO rows, "count" is the planner's estimate (no COUNT(*) of millions).
    django_paginator_class = CappedCountPaginator


class PageByIdPagination(PageNumberPagination):
    """For lists that join much to each row: the page's ids first, then their rows (one query)."""

    django_paginator_class = CappedPageByIdPaginator
