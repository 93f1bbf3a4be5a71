"""The dashboard: roster, account detail, posts table, post detail, demographics (JSON or CSV)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from chalice import Response

from chalicelib.api.dashboard_schemas import ACCOUNT, DEMOGRAPHICS, POST, POSTS_PAGE, ROSTER
from chalicelib.api.representations import CSV, FORMAT_QUERY, conditional_json, csv_download, wants_csv
from chalicelib.api.routing import ApiBlueprint
from chalicelib.bootstrap import services
from chalicelib.domain.dashboard import DEFAULT_RANGE, RANGES, PostSort, SortOrder
from chalicelib.domain.identity import Caller
from chalicelib.domain.permissions import Action

routes = ApiBlueprint(__name__, tag="dashboard")

DEFAULT_POSTS_PAGE: Final = 25
ACCOUNT_ERRORS: Final = (404,)


def _today() -> Any:
    return datetime.now(UTC).date()


@routes.route(
    "/api/dashboard/roster",
    "GET",
    summary="Every visible account, grouped by the creator who connected it, with headline numbers",
    response=ROSTER,
    action=Action.CONNECTIONS_READ,
    query={"format": FORMAT_QUERY},
    alternative_content_types=(CSV,),
    conditional=True,
    description="The ETag covers everything but `generated_at`. `?format=csv`: one row per account.",
)
def dashboard_roster(caller: Caller, query: dict[str, Any]) -> Response:
    view = services().dashboard.roster(caller)
    if wants_csv(query):
        return csv_download(view.csv_rows(), "roster", caller.workspace_id, _today())
    return conditional_json(routes.current_request, view.as_json(), volatile=("generated_at",))


@routes.route(
    "/api/dashboard/accounts/{connection_id}",
    "GET",
    summary="One account: summary, followers over a range, posting cadence and top posts",
    response=ACCOUNT,
    action=Action.CONNECTIONS_READ,
    errors=ACCOUNT_ERRORS,
    query={"range": {"enum": list(RANGES)}, "format": FORMAT_QUERY},
    alternative_content_types=(CSV,),
    conditional=True,
    description="`range` defaults to 90d. `?format=csv`: the follower series (date,followers).",
)
def dashboard_account(caller: Caller, connection_id: str, query: dict[str, Any]) -> Response:
    view = services().dashboard.account(caller, connection_id, query.get("range", DEFAULT_RANGE))
    if wants_csv(query):
        return csv_download(view.csv_rows(), "followers", connection_id, _today())
    return conditional_json(routes.current_request, view.as_json())


@routes.route(
    "/api/dashboard/accounts/{connection_id}/posts",
    "GET",
    summary="An account's posts, sorted and paged",
    response=POSTS_PAGE,
    action=Action.CONNECTIONS_READ,
    errors=ACCOUNT_ERRORS,
    query={
        "sort": {"enum": [sort.value for sort in PostSort]},
        "order": {"enum": [order.value for order in SortOrder]},
        "limit": {"type": "integer", "minimum": 1, "maximum": 100},
        "cursor": {"type": "string", "minLength": 1, "maxLength": 1024},
        "format": FORMAT_QUERY,
    },
    alternative_content_types=(CSV,),
    conditional=True,
    description="Defaults: sort=created_at, order=desc, limit=25. `?format=csv`: every post, "
    "in the requested order, without paging.",
)
def dashboard_posts(caller: Caller, connection_id: str, query: dict[str, Any]) -> Response:
    csv = wants_csv(query)
    page = services().dashboard.posts(
        caller,
        connection_id,
        sort=PostSort(query.get("sort", PostSort.CREATED_AT.value)),
        order=SortOrder(query.get("order", SortOrder.DESC.value)),
        limit=None if csv else query.get("limit", DEFAULT_POSTS_PAGE),
        cursor=None if csv else query.get("cursor"),
    )
    if csv:
        return csv_download(page.csv_rows(), "posts", connection_id, _today())
    return conditional_json(routes.current_request, page.as_json())


@routes.route(
    "/api/dashboard/accounts/{connection_id}/posts/{post_id}",
    "GET",
    summary="One post: its latest counters, views at fixed ages and counters over time",
    response=POST,
    action=Action.CONNECTIONS_READ,
    errors=ACCOUNT_ERRORS,
    query={"format": FORMAT_QUERY},
    alternative_content_types=(CSV,),
    conditional=True,
    description="`?format=csv`: the history rows.",
)
def dashboard_post(caller: Caller, connection_id: str, post_id: str, query: dict[str, Any]) -> Response:
    view = services().dashboard.post(caller, connection_id, post_id)
    if wants_csv(query):
        return csv_download(view.csv_rows(), "post", connection_id, _today())
    return conditional_json(routes.current_request, view.as_json())


@routes.route(
    "/api/dashboard/accounts/{connection_id}/demographics",
    "GET",
    summary="An account's audience (genders, ages, top countries), or why there is none",
    response=DEMOGRAPHICS,
    action=Action.CONNECTIONS_READ,
    errors=ACCOUNT_ERRORS,
    query={"format": FORMAT_QUERY},
    alternative_content_types=(CSV,),
    conditional=True,
    description="`?format=csv`: dimension,key,share rows.",
)
def dashboard_demographics(caller: Caller, connection_id: str, query: dict[str, Any]) -> Response:
    view = services().dashboard.demographics(caller, connection_id)
    if wants_csv(query):
        return csv_download(view.csv_rows(), "demographics", connection_id, _today())
    return conditional_json(routes.current_request, view.as_json())
