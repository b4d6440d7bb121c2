"""A typed flask-smorest Blueprint with the house pagination convention.

flask-smorest ships no type hints, so under mypy --strict its decorators would make every
view untyped; this subclass gives them `Callable[[F], F]` signatures and changes nothing else.

Pagination (every list endpoint): `?page=` (from 1 to MAX_PAGE) and `?page_size=` (default
50, at most 500; more is a 422). Responses carry `X-Pagination` (JSON: total, total_pages,
page, ...) and an RFC 8288 `Link` header (first/prev/next/last). Paginate in the service layer:

    @blp.route("/leads")
    @require_roles("marketing", "manager")
    @blp.response(200, LeadSchema(many=True))
    @blp.paginate()
    def list_leads(pagination_parameters: PaginationParameters) -> list[Lead]:
        leads, total = leads_service.page(offset=pagination_parameters.first_item,
                                          limit=pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return leads
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

import flask_smorest
from flask import request
from flask_smorest.pagination import PaginationParameters

from rainmaker_web.problems import ProblemError

F = TypeVar("F", bound=Callable[..., Any])
# The offset (page - 1) * page_size must fit the databases' 64-bit OFFSET; a bigger page
# would fail there as a 500. A billion pages is beyond any list we hold.
MAX_PAGE = 1_000_000_000

__all__ = ["MAX_PAGE", "Blueprint", "PaginationParameters", "pagination_links"]


def pagination_links(page: int, page_size: int, total: int) -> str:
    """RFC 8288 Link header value for the current request's URL and query."""
    last = max(1, -(-total // page_size))
    targets = {"first": 1, "last": last}
    if page > 1:
        targets["prev"] = min(page - 1, last)
    if page < last:
        targets["next"] = page + 1
    links = []
    for rel, number in targets.items():
        args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "page_size")]
        query = urlencode([*args, ("page", number), ("page_size", page_size)])
        links.append(f'<{request.base_url}?{query}>; rel="{rel}"')
    return ", ".join(links)


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]  # flask-smorest is untyped
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 50, "max_page_size": 500}

    def route(self, rule: str, **options: Any) -> Callable[[F], F]:
        return cast(Callable[[F], F], super().route(rule, **options))

    def arguments(self, schema: Any, **kwargs: Any) -> Callable[[F], F]:
        return cast(Callable[[F], F], super().arguments(schema, **kwargs))

    def response(self, status_code: int, schema: Any = None, **kwargs: Any) -> Callable[[F], F]:
        return cast(Callable[[F], F], super().response(status_code, schema, **kwargs))

    def alt_response(
        self, status_code: int, response: Any = None, **kwargs: Any
    ) -> Callable[[F], F]:
        return cast(Callable[[F], F], super().alt_response(status_code, response, **kwargs))

    def paginate(self, pager: Any = None, **kwargs: Any) -> Callable[[F], F]:
        smorest_paginate = super().paginate(pager, **kwargs)

        def decorate(func: F) -> F:
            @wraps(func)
            def bounded(*args: Any, **kw: Any) -> Any:
                params = kw.get("pagination_parameters")
                if params is not None and params.page > MAX_PAGE:
                    raise ProblemError(
                        422,
                        "Invalid input: see `errors`.",
                        errors={"query": {"page": [f"Must be less than or equal to {MAX_PAGE}."]}},
                    )
                return func(*args, **kw)

            return cast(F, smorest_paginate(bounded))

        return decorate

    @staticmethod
    def doc(**kwargs: Any) -> Callable[[F], F]:
        return cast(Callable[[F], F], flask_smorest.Blueprint.doc(**kwargs))

    def _set_pagination_metadata(
        self, page_params: PaginationParameters, result: Any, headers: Any
    ) -> tuple[Any, Any]:
        result, headers = super()._set_pagination_metadata(page_params, result, headers)
        headers["Link"] = pagination_links(
            page_params.page, page_params.page_size, page_params.item_count
        )
        return result, headers
