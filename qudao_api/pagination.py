from rest_framework import pagination

from common.pagination import CappedCountPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    # Past common.pagination.EXACT_UP_TO rows, "count" is the planner's estimate (no COUNT(*) of millions).
    django_paginator_class = CappedCountPaginator
