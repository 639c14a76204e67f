"""Tags, ordering, pagination and neighbours: pure functions of all records' metadata.

Recomputed in full on every build (it is cheap); incremental taxonomies are where other
generators keep breaking (a new tag, a removed page).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from math import ceil
from operator import attrgetter

from . import urls


@dataclass(slots=True, unsafe_hash=True)
class Entry:
    """An article's metadata as the site needs it (no body: bodies are streamed at render time).

    Immutable by convention, not ``frozen``: a frozen dataclass sets each field through
    ``object.__setattr__`` (~1 us more per object, and a rebuild at 10,000 pages makes ~60,000 of
    these value objects: records, entries, pages, jobs, sources, stored rows). Nothing assigns to
    a field after construction; instances are hashed by their fields (``unsafe_hash``), as frozen
    ones are, and slotted (less memory at 100,000 pages)."""

    id: str  # source path relative to content/
    path: str  # output path
    title: str
    date: str | None
    tags: tuple[str, ...]
    source: str | None
    url: str | None
    author: str | None
    language: str | None
    summary: str
    body_key: str  # changes whenever the stored body changes


@dataclass(slots=True, unsafe_hash=True)  # immutable by convention: see Entry
class Page:
    """One page of a paginated list."""

    number: int
    total: int
    items: tuple[Entry, ...]
    path: str
    prev_path: str | None
    next_path: str | None


@dataclass(slots=True, unsafe_hash=True)  # immutable by convention: see Entry
class Tag:
    name: str
    slug: str
    entries: tuple[Entry, ...]

    @property
    def count(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class Site:
    entries: tuple[Entry, ...]  # newest first, undated last
    tags: tuple[Tag, ...]  # by count desc, then name
    home: tuple[Page, ...]
    tag_pages: dict[str, tuple[Page, ...]]
    neighbours: dict[str, tuple[Entry | None, Entry | None]]  # id -> (newer, older)
    months: tuple[tuple[tuple[int, int], tuple[Entry, ...]], ...]  # ((year, month), entries), newest first


def sort_entries(entries) -> list[Entry]:
    """Newest first; undated entries after all dated ones; ties broken by output path."""
    by_path = sorted(entries, key=_path)
    dated = sorted([e for e in by_path if e.date], key=_date, reverse=True)
    # sorted() is stable, but reverse=True keeps equal keys in their original (path) order too.
    undated = [e for e in by_path if not e.date]
    return dated + undated


_path, _date = attrgetter("path"), attrgetter("date")


def paginate(items: list[Entry], size: int, path_of, previous: tuple[Page, ...] = ()) -> tuple[Page, ...]:
    """``previous``: the same list's pages in the last build (same ``path_of``): a page showing
    the same entries is reused as it is (a long-lived process then re-digests only changed pages)."""
    total = max(1, ceil(len(items) / size))
    pages = []
    for n in range(1, total + 1):
        chunk = tuple(items[(n - 1) * size: n * size])
        if n <= len(previous) and (old := previous[n - 1]).total == total and old.items == chunk:
            pages.append(old)
            continue
        pages.append(Page(
            number=n, total=total, items=chunk, path=path_of(n),
            prev_path=path_of(n - 1) if n > 1 else None,
            next_path=path_of(n + 1) if n < total else None,
        ))
    return tuple(pages)


def build_site(entries, page_size: int, previous: Site | None = None) -> Site:
    """``previous``: the last build's site in this process, whose unchanged pages are reused."""
    ordered = sort_entries(entries)
    by_tag: dict[str, list[Entry]] = defaultdict(list)
    for e in ordered:
        for t in e.tags:
            by_tag[t].append(e)
    slugs = urls.tag_slugs(list(by_tag))
    tags = tuple(sorted((Tag(t, slugs[t], tuple(es)) for t, es in by_tag.items()),
                        key=lambda t: (-t.count, t.name)))
    old_slugs = {t.name: t.slug for t in previous.tags} if previous is not None else {}
    tag_pages = {t.name: paginate(list(t.entries), page_size, lambda n, s=t.slug: urls.tag_page(s, n),
                                  previous.tag_pages.get(t.name, ()) if old_slugs.get(t.name) == t.slug else ())
                 for t in tags}
    home = paginate(ordered, page_size, urls.home_page, previous.home if previous is not None else ())
    # id -> (newer, older): the entries before and after it in the order
    neighbours = dict(zip((e.id for e in ordered), zip([None] + ordered[:-1], ordered[1:] + [None])))
    by_month: dict[str, list[Entry]] = {}
    for e in ordered:
        if e.date:
            ym = e.date[:7]
            if ym in by_month:
                by_month[ym].append(e)
            else:
                by_month[ym] = [e]
    months = {(int(ym[:4]), int(ym[5:7])): es for ym, es in by_month.items()
              if len(ym) == 7 and ym[:4].isdigit() and ym[5:7].isdigit()}
    return Site(
        entries=tuple(ordered), tags=tags, home=home, tag_pages=tag_pages, neighbours=neighbours,
        months=tuple(sorted(((k, tuple(v)) for k, v in months.items()), reverse=True)),
    )
