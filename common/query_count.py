"""Count the SQL queries each request makes, for the benchmarks (``BENCH_QUERY_COUNT=1``; never in production).

The count (every connection: the runtime role's and the owner's) goes out in an ``X-Query-Count``
header, so that a benchmark driving a real server can print queries per request beside the time.
"""

from __future__ import annotations

import contextlib

from django.db import connections


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counting(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with contextlib.ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counting))
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
