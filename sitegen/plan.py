"""The render plan: which output files exist and the small context each one is rendered from.

Contexts hold plain data with every link already made relative to the page, so the theme
never builds URLs itself and the site works under any sub-path and from file://. Absolute URLs
(canonical, Open Graph, feeds, sitemap) are made only from ``base_url``, and left out without it.
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import fields
from itertools import compress
from operator import attrgetter, ne
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from . import feeds, links, urls
from .config import Config
from .render import Job
from .taxonomy import Entry, Page, Site, paginate

# Bump when links.rewrite changes what it makes: it is part of every article's memo key.
REWRITE_VERSION = 1

# An entry's fields as tuples, by C-level getters (much cheaper than the dataclass repr): what
# lists show of it (``_item``; with its tags' slugs, ``Plan._item_memo``) ...
_ITEM_FIELDS = ("title", "path", "date", "summary", "source", "tags")
_item_fields = attrgetter(*_ITEM_FIELDS)
# ... and the rest of its fields, which only its own page shows (an article's memo digests both)
_other_fields = attrgetter(*(f.name for f in fields(Entry) if f.name not in _ITEM_FIELDS))
_entry_id = attrgetter("id")
_id_path_url = attrgetter("id", "path", "url")


def plan_warnings(config: Config) -> list[str]:
    """Problems of the publishing setup worth one line in the build report."""
    return [] if config.base_url else [feeds.NO_BASE_URL]


def _site_ctx(config: Config) -> dict:
    return {"title": config.title, "description": config.description, "language": config.language,
            "base_url": config.base_url, "search": config.search, "feeds": bool(config.base_url)}


# --- links between the site's pages --------------------------------------------------------
# A list page links each item and each item's tags (~120 links a page, ~450,000 at 10,000
# articles), an article its tags and the navigation: ``urls.href`` for each split, compared and
# quoted both paths. ``_href`` gives the same strings from what is made once per target
# (``_target``) and once per page (``_origin``): when the page's folder and the target differ in
# their first segment, ``urls.href`` gives the way up to the root and the whole target, quoted;
# when they share the first and differ in the second, one level less and the target after its
# first segment. Anything else (a path that is not plain, a target in the page's own folder...)
# is ``urls.href``'s own answer. (tests/test_render_paths.py compares the two.)
_TARGETS: dict[str, tuple | None] = {}  # target path -> (first, second or None, quoted, quoted tail) or None
_SLOW = object()  # an origin that is not a plain path: every link of it is urls.href's


def _target(to: str) -> tuple | None:
    info = _TARGETS.get(to, _SLOW)
    if info is _SLOW:
        segs = to.split("/")
        if "" in segs or "." in segs or ".." in segs:
            info = None
        else:  # (from a page at the root, urls.href is the target quoted)
            tail = to.partition("/")[2]
            info = (segs[0], segs[1] if tail else None, urls.href("index.html", to),
                    urls.href("index.html", tail) if tail else None)
        if len(_TARGETS) >= 1 << 18:  # (a long session's removed pages: start again)
            _TARGETS.clear()
        _TARGETS[to] = info
    return info


def _origin(path: str) -> tuple:
    """What ``_href`` needs of the page at ``path``: (path, first folder or None, second folder
    or None, the way up to the root, one level less, {target: urls.href's link} of the others)."""
    segs = path.split("/")
    if "" in segs or "." in segs or ".." in segs:
        return (path, _SLOW, None, "", "", {})
    depth = len(segs) - 1
    return (path, segs[0] if depth else None, segs[1] if depth > 1 else None, "../" * depth,
            "../" * (depth - 1), {})


def _href(origin: tuple, to: str) -> str:
    """``urls.href(origin's path, to)``."""
    info = _TARGETS.get(to) or _target(to)
    path, first, second, up, up1, others = origin
    if info is not None and first is not _SLOW:
        if first != info[0]:
            return up + info[2]
        if second is not None and info[1] is not None and second != info[1]:
            return up1 + info[3]
    link = others.get(to)
    if link is None:  # (on a tag page, the link of each item to that very tag page)
        link = others[to] = urls.href(path, to)
    return link


def _common(path: str, kind: str, config: Config, origin: tuple | None = None) -> dict:
    o = origin or _origin(path)
    return {
        "site": _site_ctx(config),
        "root": urls.root_prefix(path),
        "page": {"path": path, "kind": kind, "canonical": urls.absolute(config.base_url, path)},
        "nav": {"home": _href(o, _HOME), "tags": _href(o, _TAGS_INDEX), "archive": _href(o, _ARCHIVE_INDEX),
                "search": _href(o, _SEARCH_PAGE), "feed": _href(o, urls.SITE_FEED)},
        "feed": None,
    }


_HOME, _TAGS_INDEX, _ARCHIVE_INDEX, _SEARCH_PAGE = (urls.home_page(1), urls.tags_index(), urls.archive_index(),
                                                    urls.search_page())


def _tag_links(path: str, tags, slugs: dict[str, str], origin: tuple | None = None) -> list[dict]:
    o = origin or _origin(path)
    return [{"name": t, "href": _href(o, urls.tag_page(slugs[t]))} for t in tags]


def _item(o: tuple, e: Entry, tag_paths: dict[str, str]) -> dict:
    """What a list at ``o`` (``_origin``) shows of ``e``; ``tag_paths``: tag -> its first page."""
    return {"title": e.title, "href": _href(o, e.path), "date": e.date, "summary": e.summary,
            "source": e.source, "tags": [{"name": t, "href": _href(o, tag_paths[t])} for t in e.tags]}


def _items(o: tuple, entries, tag_paths: dict[str, str]) -> list[dict]:
    """``[_item(o, e, tag_paths) for e in entries]``, with ``_href``'s two common answers written
    out (a list page's ~120 links: a call each was most of the time its context took)."""
    path, first, second, up, up1, others = o
    if first is _SLOW:
        return [_item(o, e, tag_paths) for e in entries]
    targets = _TARGETS
    out = []
    for e in entries:
        to = e.path
        info = targets.get(to) or _target(to)
        tags = []
        for t in e.tags:
            tp = tag_paths[t]
            ti = targets.get(tp) or _target(tp)
            if ti is not None and first != ti[0]:
                link = up + ti[2]
            elif ti is not None and second is not None and ti[1] is not None and second != ti[1]:
                link = up1 + ti[3]
            else:
                link = _href(o, tp)
            tags.append({"name": t, "href": link})
        out.append({"title": e.title, "href": up + info[2] if info is not None and first != info[0] else _href(o, to),
                    "date": e.date, "summary": e.summary, "source": e.source, "tags": tags})
    return out


def _list_ctx(page: Page, tag_paths: dict[str, str], o: tuple) -> dict:
    """The list of ``page`` at ``o`` (its ``_origin``)."""
    return {
        "items": _items(o, page.items, tag_paths),
        "number": page.number, "total": page.total,
        "prev": _href(o, page.prev_path) if page.prev_path else None,
        "next": _href(o, page.next_path) if page.next_path else None,
    }


def _article_ctx(e: Entry, newer: Entry | None, older: Entry | None, config: Config, slugs,
                 link_map: dict[str, str]) -> dict:
    o = _origin(e.path)
    ctx = _common(e.path, "article", config, o)
    canonical = ctx["page"]["canonical"]
    ctx["article"] = {
        "title": e.title, "date": e.date, "source": e.source, "author": e.author, "url": e.url,
        "summary": e.summary, "language": e.language or config.language,
        "tags": _tag_links(e.path, e.tags, slugs, o),
        "published": feeds.rfc3339(e.date), "tag_names": list(e.tags),
    }
    ctx["jsonld"] = feeds.article_metadata(config, e, canonical)
    ctx["newer"] = {"title": newer.title, "href": _href(o, newer.path)} if newer else None
    ctx["older"] = {"title": older.title, "href": _href(o, older.path)} if older else None
    # Everything the body rewrite depends on, so the memo key changes exactly when its output would.
    ctx["body_rules"] = {"links": link_map, "images": config.images, "version": REWRITE_VERSION}
    return ctx


def _month_label(year: int, month: int) -> dict:
    return {"year": year, "month": month}


# The modules whose code turns the plan's inputs into contexts: their bytes are part of every
# cheap memo key (editing them re-renders, no version number to forget to bump).
_CONTEXT_MODULES = ("plan.py", "urls.py", "feeds.py", "links.py", "taxonomy.py", "render.py")
_code_fp: list[str] = []


def code_fingerprint() -> str:
    if not _code_fp:
        here = Path(__file__).resolve().parent
        h = hashlib.blake2b(digest_size=16)
        for name in _CONTEXT_MODULES:
            h.update(name.encode() + b"\0" + (here / name).read_bytes() + b"\0")
        _code_fp.append(h.hexdigest())
    return _code_fp[0]


def plan_fingerprint(config: Config, theme: str) -> str:
    """What every cheap memo key starts from: the code that makes contexts, the site's settings
    they show, the image rule and the theme (``Plan``'s ``theme``)."""
    return hashlib.blake2b(repr((code_fingerprint(), _site_ctx(config), config.images, REWRITE_VERSION, theme))
                           .encode(), digest_size=20).hexdigest()


def item_memo(e: Entry, slugs: dict[str, str]) -> bytes:
    """A digest of what a list shows of an entry (``_item``): its tags with their slugs."""
    return hashlib.blake2b(marshal.dumps((_item_fields(e), tuple(map(slugs.__getitem__, e.tags))), 2),
                           digest_size=16).digest()


def article_memo(fp: str, item: bytes, e: Entry, newer, older, targets: tuple) -> str:
    """An article page's memo key (``Plan``): the settings (``plan_fingerprint``), what lists show
    of it (``item``: its ``item_memo``), its other fields, its neighbours' titles and paths, and
    where its links lead (``targets``: the link index's target of each of its hrefs, in order)."""
    h = hashlib.blake2b(fp.encode() + b"\0article\0", digest_size=20)
    h.update(item)
    h.update(marshal.dumps((_other_fields(e), newer and (newer.title, newer.path), older and (older.title, older.path),
                            targets), 2))
    return h.hexdigest()


def article_job(i: int, e: Entry, memo: str) -> Job:
    """The job of the ``i``-th article of the site (``Plan.context`` makes its context)."""
    return Job(e.path, "article.html", None, e.id, e.body_key, memo, ("article", i))


def article_context(e: Entry, newer, older, config: Config, slugs: dict[str, str], index: "links.LinkIndex",
                    hrefs) -> dict:
    """The context of an article page; ``newer``/``older``: its neighbours (anything with a
    ``title`` and a ``path``); ``hrefs``: the link targets in its body."""
    return _article_ctx(e, newer, older, config, slugs, links.resolve(index, e.path, hrefs))


class PlanCache:
    """Memo digests and jobs kept between the builds of one process (``session.Session``), so an
    unchanged entry or page costs a comparison instead of a digest. Each value is stored with the
    objects it was made from and used only when they are those very objects (or, for article
    jobs, equal ones); everything is dropped when the settings' fingerprint, the tag slugs or the
    link index differ."""

    def __init__(self) -> None:
        self.index_inputs: tuple | None = None
        self.link_index = None
        self.clear(None, None, None)

    def clear(self, fp, slugs, index) -> None:
        self.fp, self.slugs, self.index = fp, slugs, index
        self.items: dict[int, tuple] = {}  # id(entry) -> (entry, item digest)
        self.sig: list[tuple] = []  # (entry, (newer, older), outbound links) of each article, in order
        self.jobs: list[Job] = []  # the article jobs made of them
        # (id(page), extra, spec) -> (page, its job): pages are reused by build_site while they
        # show the same entries; held here, so that no id is reused by another object meanwhile
        self.lists: dict[tuple, tuple] = {}
        self.months: dict[tuple[int, int], tuple] = {}  # (year, month) -> its pages, last build

    def check(self, fp: str, slugs: dict, index) -> None:
        if fp != self.fp or slugs != self.slugs or (index is not self.index and index != self.index):
            self.clear(fp, slugs, index)

    def link_index_for(self, entries, duplicates: dict, slugs: dict, url_keys: dict | None) -> "links.LinkIndex":
        """``LinkIndex.make`` of these inputs, or the last one when they are equal (it is only made
        of the entries' ids, paths and URLs, the duplicates, the tag slugs and the URL keys)."""
        inputs = (list(map(_id_path_url, entries)),
                  sorted((d.id, d.path, d.url, k.path) for d, k in duplicates.items()), dict(slugs),
                  dict(url_keys or {}))
        if inputs != self.index_inputs:
            self.index_inputs = inputs
            self.link_index = links.LinkIndex.make(entries, duplicates, slugs, url_keys)
        return self.link_index


class Plan:
    """Every output page of the site (iterate it for the ``Job``s).

    Article and list pages (nearly all of a site) carry a cheap memo key (``Job.memo``): a
    digest of exactly the values their context is made from (an entry's fields, its neighbours,
    its tags' slugs, where its links lead; a list page's items; the settings and the code that
    make contexts). Their context is only built, by ``context(job)``, for the pages that must be
    rendered. The few other pages carry their context and are keyed by it (``Renderer.key``).
    ``outbound``: source path -> link targets in its body; ``duplicates``: dropped duplicate
    entry -> the entry kept in its place. ``theme``: the renderer's ``theme_hash``; with it the
    memo keys are digested with the theme, and are the outputs' render keys as they are
    (``parallel.render_outputs``), with no second digest per page."""

    def __init__(self, site: Site, config: Config, *, outbound: dict[str, list[str]] | None = None,
                 duplicates: dict[Entry, Entry] | None = None, url_keys: dict[str, str] | None = None,
                 cache: PlanCache | None = None, theme: str = ""):
        self.site, self.config, self.theme = site, config, theme
        self.outbound = outbound or {}
        self.duplicates = duplicates or {}
        self.slugs = {t.name: t.slug for t in site.tags}
        self._tag_paths = {t.name: urls.tag_page(t.slug) for t in site.tags}  # (for list pages' items)
        if cache is not None:
            self.index = cache.link_index_for(site.entries, self.duplicates, self.slugs, url_keys)
        else:
            self.index = links.LinkIndex.make(site.entries, self.duplicates, self.slugs, url_keys)
        old_months = cache.months if cache is not None else {}
        self.months = [(year, month, len(entries),
                        paginate(list(entries), config.page_size,
                                 lambda n, y=year, m=month: urls.archive_page(y, m, n),
                                 old_months.get((year, month), ())))
                       for (year, month), entries in site.months]
        self._fp = plan_fingerprint(config, theme)
        self._fp_bytes = self._fp.encode()
        self.cache = cache
        if cache is not None:
            cache.check(self._fp, self.slugs, self.index)
            cache.months = {(y, m): pages for y, m, _, pages in self.months}
            old, cache.items = cache.items, {}
            for e in site.entries:
                c = old.get(id(e))
                cache.items[id(e)] = c if c is not None and c[0] is e else (e, self._item_memo(e))
            self._items = {c[0].id: c[1] for c in cache.items.values()}
        else:
            # entry id -> its item digest: made once per build, reused by every list page showing it
            self._items = {e.id: self._item_memo(e) for e in site.entries}

    # --- cheap memo keys ----------------------------------------------------------------
    def _memo(self, *parts, items: list[bytes] = ()) -> str:
        """A digest of the plan's settings, ``parts`` and ``items`` (fixed-size digests).
        ``parts`` are serialised by ``marshal`` (format 2: no back-references, so equal values
        give equal bytes), half the cost of their ``repr`` for a page of Chinese text."""
        h = hashlib.blake2b(self._fp_bytes, digest_size=20)
        h.update(marshal.dumps(parts, 2))
        if items:
            h.update(b"".join(items))
        return h.hexdigest()

    def _item_memo(self, e: Entry) -> bytes:
        return item_memo(e, self.slugs)

    def _links_of(self, e: Entry) -> tuple:
        """Where the article's links lead (None: outside the site), in the order of its hrefs
        (the hrefs themselves are a function of its body, whose key is one of its fields)."""
        return tuple(map(self.index.targets.__getitem__, self.outbound.get(e.id, ())))

    def _list_job(self, kind: str, page: Page, extra, spec: tuple) -> Job:
        """The job of a list page; with a cache, the last build's very job when the page is the
        same object (``build_site`` reuses unchanged pages) in the same place."""
        cache = self.cache
        if cache is None:
            return Job(page.path, "list.html", None, memo=self._list_memo(kind, page, extra), spec=spec)
        key = (id(page), extra, spec)
        hit = self._old_lists.get(key)
        if hit is None or hit[0] is not page:
            hit = (page, Job(page.path, "list.html", None, memo=self._list_memo(kind, page, extra), spec=spec))
        cache.lists[key] = hit
        return hit[1]

    def _list_memo(self, kind: str, page: Page, extra) -> str:
        return self._memo(kind, page.path, page.number, page.total, page.prev_path, page.next_path, extra,
                          len(page.items), items=self._item_digests(page.items))

    def _item_digests(self, entries) -> list[bytes]:
        items = self._items
        try:
            return [items[e.id] for e in entries]
        except KeyError:  # an entry that is not among the site's (not expected): made on the spot
            return [items[e.id] if e.id in items else self._item_memo(e) for e in entries]

    # --- contexts -------------------------------------------------------------------------
    def context(self, job: Job) -> dict:
        """The full context of a job (built now if the job only carries its memo key)."""
        if job.context is not None:
            return job.context
        kind, *args = job.spec
        config, site, slugs = self.config, self.site, self.slugs
        if kind == "article":
            e = site.entries[args[0]]
            newer, older = site.neighbours[e.id]
            return article_context(e, newer, older, config, slugs, self.index, self.outbound.get(e.id, ()))
        if kind == "home":
            page = site.home[args[0]]
            o = _origin(page.path)
            ctx = _common(page.path, "home", config, o)
            ctx["list"] = _list_ctx(page, self._tag_paths, o)
            if config.base_url:
                ctx["feed"] = urls.href(page.path, urls.SITE_FEED)
            return ctx
        if kind == "tag":
            tag = site.tags[args[0]]
            page = site.tag_pages[tag.name][args[1]]
            o = _origin(page.path)
            ctx = _common(page.path, "tag", config, o)
            ctx["tag"] = {"name": tag.name, "count": tag.count}
            ctx["list"] = _list_ctx(page, self._tag_paths, o)
            if config.base_url:
                ctx["feed"] = urls.href(page.path, urls.tag_feed(tag.slug))
            return ctx
        if kind == "month":
            year, month, count, pages = self.months[args[0]]
            page = pages[args[1]]
            o = _origin(page.path)
            ctx = _common(page.path, "month", config, o)
            ctx["month"] = {**_month_label(year, month), "count": count}
            ctx["list"] = _list_ctx(page, self._tag_paths, o)
            return ctx
        raise ValueError(f"unknown job kind {kind!r}")

    # --- the jobs -------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Job]:
        return self._jobs()

    def _jobs(self) -> Iterator[Job]:
        site, config = self.site, self.config
        duplicates = self.duplicates
        has_feeds = bool(config.base_url)
        sitemap_pages: list[tuple[str, str | None]] = []

        cache = self.cache
        self._old_lists = {}
        if cache is not None:
            self._old_lists, cache.lists = cache.lists, {}
        entries, neighbours, outbound = site.entries, site.neighbours, self.outbound
        ids = list(map(_entry_id, entries))
        # What an article's job is made of, besides the settings, slugs and link index that
        # PlanCache.check vouches for: its entry, its neighbours and its outbound links. A job is
        # reused when these are equal to those at the same position in the last build (identical
        # objects compare at once, and the comparison runs in C), so an edit costs a comparison
        # per article, not a digest.
        sig = list(zip(entries, map(neighbours.__getitem__, ids), map(outbound.get, ids)))
        prev_sig, prev_jobs = (cache.sig, cache.jobs) if cache is not None else ([], [])
        if len(prev_sig) == len(sig):
            jobs = list(prev_jobs)
            todo: Iterable[int] = compress(range(len(sig)), map(ne, sig, prev_sig))
        else:
            jobs = [None] * len(sig)  # type: ignore[list-item]
            todo = range(len(sig))
        fp, items, links_of = self._fp, self._items, self._links_of
        self.index.find_all(outbound.values())  # (kept with the index: a warm session's are found already)
        if cache is None:  # (each job as soon as it is made: the render may start on the first)
            for i, (e, (newer, older), _) in enumerate(sig):
                yield article_job(i, e, article_memo(fp, items[e.id], e, newer, older, links_of(e)))
        else:
            for i in todo:
                e, (newer, older), _ = sig[i]
                jobs[i] = article_job(i, e, article_memo(fp, items[e.id], e, newer, older, links_of(e)))
            cache.sig, cache.jobs = sig, jobs
            yield from jobs
        if has_feeds:  # (the sitemap is only made with a base_url)
            sitemap_pages.extend((e.path, e.date) for e in entries)

        for i, page in enumerate(site.home):
            sitemap_pages.append((page.path, None))
            yield self._list_job("home", page, None, ("home", i))

        for ti, tag in enumerate(site.tags):
            for pi, page in enumerate(site.tag_pages[tag.name]):
                sitemap_pages.append((page.path, None))
                yield self._list_job("tag", page, (tag.name, tag.count, tag.slug), ("tag", ti, pi))

        idx = urls.tags_index()
        ctx = _common(idx, "tags", config)
        ctx["tags"] = [{"name": t.name, "count": t.count, "href": urls.href(idx, urls.tag_page(t.slug))}
                       for t in site.tags]
        sitemap_pages.append((idx, None))
        yield Job(idx, "tags.html", ctx)

        # The monthly archive: an overview by year, and a paginated list per month.
        arch = urls.archive_index()
        ctx = _common(arch, "archive", config)
        years: dict[int, list[dict]] = {}
        for year, month, count, _ in self.months:
            years.setdefault(year, []).append({**_month_label(year, month), "count": count,
                                               "href": urls.href(arch, urls.archive_page(year, month))})
        ctx["years"] = [{"year": y, "months": ms} for y, ms in years.items()]
        sitemap_pages.append((arch, None))
        yield Job(arch, "archive.html", ctx)
        for mi, (year, month, count, pages) in enumerate(self.months):
            for pi, page in enumerate(pages):
                sitemap_pages.append((page.path, None))
                yield self._list_job("month", page, (year, month, count), ("month", mi, pi))

        # Duplicates: the dropped copy's own path becomes a small redirect page to the one kept.
        for dup, kept in sorted(duplicates.items(), key=lambda kv: kv[0].path):
            ctx = _common(dup.path, "redirect", config)
            ctx["redirect"] = {"href": urls.href(dup.path, kept.path), "title": kept.title}
            ctx["page"]["canonical"] = urls.absolute(config.base_url, kept.path)
            yield Job(dup.path, "redirect.html", ctx)

        if config.search:
            sp = urls.search_page()
            ctx = _common(sp, "search", config)
            ctx["search"] = {"bundle": urls.href(sp, urls.SEARCH_DIR + "/pagefind-ui.js"),
                             "css": urls.href(sp, urls.SEARCH_DIR + "/pagefind-ui.css"),
                             "loader": urls.href(sp, "static/search.js")}
            yield Job(sp, "search.html", ctx)

        # A host serves 404.html for any missing path at any depth, so its links cannot be relative:
        # they start from the site's base path (from base_url; "/" without one).
        ctx = _common("404.html", "404", config)
        base = urlsplit(config.base_url).path if config.base_url else "/"
        ctx["root"] = base
        ctx["nav"] = {"home": base + urls.home_page(1), "tags": base + urls.tags_index(),
                      "archive": base + urls.archive_index(), "search": base + urls.search_page(),
                      "feed": base + urls.SITE_FEED}
        yield Job("404.html", "404.html", ctx)

        yield Job(urls.ROBOTS, "robots.txt", {"sitemap": urls.absolute(config.base_url, urls.SITEMAP)})
        if not has_feeds:
            return
        yield Job(urls.SITE_FEED, "atom.xml",
                  feeds.feed_context(config, urls.SITE_FEED, config.title, site.entries, urls.home_page(1)))
        for tag in site.tags:
            yield Job(urls.tag_feed(tag.slug), "atom.xml",
                      feeds.feed_context(config, urls.tag_feed(tag.slug), f"{config.title}: {tag.name}",
                                         tag.entries, urls.tag_page(tag.slug)))
        for path, template, ctx in feeds.sitemap_contexts(config, sitemap_pages):
            yield Job(path, template, ctx)


def plan_jobs(site: Site, config: Config, *, outbound: dict[str, list[str]] | None = None,
              duplicates: dict[Entry, Entry] | None = None, url_keys: dict[str, str] | None = None,
              cache: PlanCache | None = None, theme: str = "") -> Plan:
    """The render plan of ``site``: iterate it for every output page's ``Job``. ``url_keys``:
    from ``Store.url_keys`` (made when the records were stored); ``cache``: kept between builds
    by a long-lived process; ``theme``: the renderer's ``theme_hash`` (see ``Plan``)."""
    return Plan(site, config, outbound=outbound, duplicates=duplicates, url_keys=url_keys, cache=cache,
                theme=theme)
