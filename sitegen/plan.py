"""The render plan: which output files exist and the small context each one is rendered from.

Contexts hold plain data with every link already made relative to the page, so the theme
never builds URLs itself and the site works under any sub-path and from file://.
"""

from __future__ import annotations

from typing import Iterator
from urllib.parse import urlsplit

from . import urls
from .config import Config
from .render import Job
from .taxonomy import Entry, Page, Site


def _site_ctx(config: Config) -> dict:
    return {"title": config.title, "description": config.description, "language": config.language,
            "base_url": config.base_url}


def _common(path: str, kind: str, config: Config) -> dict:
    return {
        "site": _site_ctx(config),
        "root": urls.root_prefix(path),
        "page": {"path": path, "kind": kind, "canonical": urls.absolute(config.base_url, path)},
        "nav": {"home": urls.href(path, urls.home_page(1)), "tags": urls.href(path, urls.tags_index())},
    }


def _tag_links(path: str, tags, slugs: dict[str, str]) -> list[dict]:
    return [{"name": t, "href": urls.href(path, urls.tag_page(slugs[t]))} for t in tags]


def _item(path: str, e: Entry, slugs: dict[str, str]) -> dict:
    return {"title": e.title, "href": urls.href(path, e.path), "date": e.date, "summary": e.summary,
            "source": e.source, "tags": _tag_links(path, e.tags, slugs)}


def _list_ctx(page: Page, slugs: dict[str, str]) -> dict:
    return {
        "items": [_item(page.path, e, slugs) for e in page.items],
        "number": page.number, "total": page.total,
        "prev": urls.href(page.path, page.prev_path) if page.prev_path else None,
        "next": urls.href(page.path, page.next_path) if page.next_path else None,
    }


def plan_jobs(site: Site, config: Config) -> Iterator[Job]:
    slugs = {t.name: t.slug for t in site.tags}
    for e in site.entries:
        newer, older = site.neighbours[e.id]
        ctx = _common(e.path, "article", config)
        ctx["article"] = {
            "title": e.title, "date": e.date, "source": e.source, "author": e.author, "url": e.url,
            "summary": e.summary, "language": e.language or config.language,
            "tags": _tag_links(e.path, e.tags, slugs),
        }
        ctx["newer"] = {"title": newer.title, "href": urls.href(e.path, newer.path)} if newer else None
        ctx["older"] = {"title": older.title, "href": urls.href(e.path, older.path)} if older else None
        yield Job(e.path, "article.html", ctx, body_id=e.id, body_key=e.body_key)
    for page in site.home:
        ctx = _common(page.path, "home", config)
        ctx["list"] = _list_ctx(page, slugs)
        yield Job(page.path, "list.html", ctx)
    for tag in site.tags:
        for page in site.tag_pages[tag.name]:
            ctx = _common(page.path, "tag", config)
            ctx["tag"] = {"name": tag.name, "count": tag.count}
            ctx["list"] = _list_ctx(page, slugs)
            yield Job(page.path, "list.html", ctx)
    idx = urls.tags_index()
    ctx = _common(idx, "tags", config)
    ctx["tags"] = [{"name": t.name, "count": t.count, "href": urls.href(idx, urls.tag_page(t.slug))}
                   for t in site.tags]
    yield Job(idx, "tags.html", ctx)
    # A host serves 404.html for any missing path at any depth, so its links cannot be relative:
    # they start from the site's base path (from base_url; "/" without one).
    ctx = _common("404.html", "404", config)
    base = urlsplit(config.base_url).path if config.base_url else "/"
    ctx["root"] = base
    ctx["nav"] = {"home": base + "index.html", "tags": base + urls.tags_index()}
    yield Job("404.html", "404.html", ctx)
