"""Tags, ordering, pagination and neighbours: pure functions of all records' metadata.

Recomputed in full on every build (it is cheap); incremental taxonomies are where other
generators keep breaking (a new tag, a removed page).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from . import urls


@dataclass(frozen=True)
class Entry:
    """An article's metadata as the site needs it (no body: bodies are streamed at render time)."""

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


@dataclass(frozen=True)
class Page:
    """One page of a paginated list."""

    number: int
    total: int
    items: tuple[Entry, ...]
    path: str
    prev_path: str | None
    next_path: str | None


@dataclass(frozen=True)
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
    by_path = sorted(entries, key=lambda e: e.path)
    dated = sorted((e for e in by_path if e.date), key=lambda e: e.date, reverse=True)
    # sorted() is stable, but reverse=True keeps equal keys in their original (path) order too.
    undated = [e for e in by_path if not e.date]
    return dated + undated


def paginate(items: list[Entry], size: int, path_of) -> tuple[Page, ...]:
    total = max(1, ceil(len(items) / size))
    pages = []
    for n in range(1, total + 1):
        pages.append(Page(
            number=n, total=total, items=tuple(items[(n - 1) * size: n * size]), path=path_of(n),
            prev_path=path_of(n - 1) if n > 1 else None,
            next_path=path_of(n + 1) if n < total else None,
        ))
    return tuple(pages)


def build_site(entries, page_size: int) -> Site:
    ordered = sort_entries(entries)
    by_tag: dict[str, list[Entry]] = {}
    for e in ordered:
        for t in e.tags:
            by_tag.setdefault(t, []).append(e)
    slugs = urls.tag_slugs(list(by_tag))
    tags = tuple(sorted((Tag(t, slugs[t], tuple(es)) for t, es in by_tag.items()),
                        key=lambda t: (-t.count, t.name)))
    tag_pages = {t.name: paginate(list(t.entries), page_size, lambda n, s=t.slug: urls.tag_page(s, n))
                 for t in tags}
    home = paginate(ordered, page_size, urls.home_page)
    neighbours = {}
    for i, e in enumerate(ordered):
        newer = ordered[i - 1] if i > 0 else None
        older = ordered[i + 1] if i + 1 < len(ordered) else None
        neighbours[e.id] = (newer, older)
    months: dict[tuple[int, int], list[Entry]] = {}
    for e in ordered:
        if e.date and len(e.date) >= 7 and e.date[:4].isdigit() and e.date[5:7].isdigit():
            months.setdefault((int(e.date[:4]), int(e.date[5:7])), []).append(e)
    return Site(
        entries=tuple(ordered), tags=tags, home=home, tag_pages=tag_pages, neighbours=neighbours,
        months=tuple(sorted(((k, tuple(v)) for k, v in months.items()), reverse=True)),
    )
