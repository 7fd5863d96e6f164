"""Pages that do not grow (issue 17 point 4): every list of the product is cut into pages and
can be searched, through one helper and one template (`templates/includes/pagination.html`).

- `page_of(request, rows)` — Django's Paginator: `?page=` (anything not a number → first page,
  past the end → last page, as `Paginator.get_page` does), `?per_page=` bounded to
  [`MIN_PAGE_SIZE`, `MAX_PAGE_SIZE`]. One COUNT and one LIMIT/OFFSET query, whatever the size.
- `searched(request, rows, fields)` — `?q=` (trimmed, at most `MAX_QUERY_LENGTH` characters)
  matched with `icontains` on each of `fields`, OR-ed, ignoring accents as well as case
  ("helene" finds "Hélène": saas.core.search). The rows are already the tenant's (a
  programme schema's tables, or a public selector that scopes them), so a search can only narrow
  what the page would show anyway. `icontains` scans: acceptable at the 50–500 rows of a
  programme's lists and the ~1,000 programmes of the console (measured in bench/lists.py); a
  trigram index would be the next step past that.

The template keeps every other GET parameter (filters, `q`) in its links with `{% querystring %}`.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

PAGE_SIZE = 50
MIN_PAGE_SIZE = 10
MAX_PAGE_SIZE = 200
MAX_QUERY_LENGTH = 100


class Sliceable(Protocol):
    """What `page_slice` reads: a queryset, or a paged prepared query bound to its values
    (saas.core.prepared.Bound)."""

    def __getitem__(self, where: slice, /) -> Any: ...


def search_query(request: HttpRequest) -> str:
    """The `q` of the request, trimmed and bounded."""
    return request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]


def searched(request: HttpRequest, rows: QuerySet[Any], fields: tuple[str, ...]) -> QuerySet[Any]:
    """`rows` narrowed to those whose `fields` contain every word of `?q=` (ignoring case and
    accents)."""
    words = search_query(request).split()[:5]
    for word in words:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__unaccent__icontains": word})
        rows = rows.filter(condition)
    return rows


def _page_size(request: HttpRequest, default: int) -> int:
    asked = request.GET.get("per_page", "")
    if not asked.isdigit():
        return default
    return max(MIN_PAGE_SIZE, min(MAX_PAGE_SIZE, int(asked)))


@dataclass(frozen=True)
class Link:
    number: int | str  # a page number, or Paginator.ELLIPSIS for a gap
    href: str
    is_current: bool = False

    @property
    def is_gap(self) -> bool:
        return self.href == ""


@dataclass(frozen=True)
class Listing:
    """What the pagination and search templates need: the page, its rows, the search and the
    links (every other GET parameter kept)."""

    rows: list[Any]
    page: Page[Any] | None  # None for `page_slice` (no count)
    query: str
    kept: list[tuple[str, str]]  # the other GET parameters (filters), for the search form
    links: list[Link]
    previous_href: str
    next_href: str

    @property
    def total(self) -> int | None:
        """How many rows match, over every page (None for `page_slice`, which never counts)."""
        return None if self.page is None else self.page.paginator.count


def _href(request: HttpRequest, param: str, number: int) -> str:
    query = request.GET.copy()
    query[param] = str(number)
    return "?" + query.urlencode()


def page_slice(
    request: HttpRequest, rows: Sliceable, *, per_page: int = PAGE_SIZE, param: str = "page"
) -> Listing:
    """A page of `rows` without counting them: one query (`per_page + 1` rows, to know whether
    a next page exists), the same whether the list is empty or not — for a person's own lists,
    where "previous / next" is enough. A page past the end is a 404."""
    asked = request.GET.get(param, "")
    number = int(asked) if asked.isdigit() and 0 < int(asked) < 100_000 else 1
    offset = (number - 1) * per_page
    found = list(rows[offset : offset + per_page + 1])
    if number > 1 and not found:
        raise Http404
    return Listing(
        rows=found[:per_page],
        page=None,
        query=search_query(request),
        kept=[],
        links=[],
        previous_href=_href(request, param, number - 1) if number > 1 else "",
        next_href=_href(request, param, number + 1) if len(found) > per_page else "",
    )


def page_of(
    request: HttpRequest,
    rows: QuerySet[Any] | list[Any],
    *,
    per_page: int = PAGE_SIZE,
    param: str = "page",
) -> Listing:
    """The page of `rows` asked for by `?<param>=` (see the module docstring). A page that
    shows two lists gives each its own `param`."""
    paginator = Paginator(rows, _page_size(request, per_page), allow_empty_first_page=True)
    page = paginator.get_page(request.GET.get(param))
    page.object_list = list(page.object_list)  # evaluated once, here

    def href(number: int) -> str:
        return _href(request, param, number)

    links = [
        Link(number, href(number), number == page.number)
        if isinstance(number, int)
        else Link(str(number), "")  # the ellipsis of a gap
        for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    kept = [
        (name, value)
        for name, values in request.GET.lists()
        if name not in ("q", param)
        for value in values
    ]
    return Listing(
        rows=list(page.object_list),
        page=page,
        query=search_query(request),
        kept=kept,
        links=links if paginator.num_pages > 1 else [],
        previous_href=href(page.number - 1) if page.has_previous() else "",
        next_href=href(page.number + 1) if page.has_next() else "",
    )


@dataclass(frozen=True)
class KeysetListing:
    """A page of an append-only list, newest first, reached by "older" links (`?avant=<id>`):
    no COUNT and no OFFSET, so the cost of a page does not grow with the table (audit logs)."""

    rows: list[Any]
    older_href: str
    newest_href: str  # back to the newest rows, when not on them


def keyset_page(
    request: HttpRequest, rows: QuerySet[Any], *, per_page: int = PAGE_SIZE, param: str = "avant"
) -> KeysetListing:
    """The `per_page` rows of `rows` with an id below `?<param>=` (all when absent), by
    descending id, and the links to the next older page and back to the newest."""
    asked = request.GET.get(param, "")
    before = int(asked) if asked.isdigit() and len(asked) <= 18 else None
    rows = rows.order_by("-pk")
    if before is not None:
        rows = rows.filter(pk__lt=before)
    found = list(rows[: per_page + 1])
    has_older, found = len(found) > per_page, found[:per_page]
    query = request.GET.copy()
    older_href = ""
    if has_older:
        query[param] = str(found[-1].pk)
        older_href = "?" + query.urlencode()
    query.pop(param, None)
    newest_href = ("?" + query.urlencode()) if before is not None else ""
    return KeysetListing(rows=found, older_href=older_href, newest_href=newest_href)
