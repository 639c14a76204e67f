"""What feed readers and crawlers need: Atom feeds, sitemaps, robots.txt, article metadata.

Plain data for the theme's ``atom.xml``, ``sitemap.xml`` and ``robots.txt`` templates (so a site
can override them like any page). Every URL here is absolute, made from ``base_url``: without one
these outputs are left out (with one warning in the build report) rather than wrong.

Deterministic: a time only ever comes from the articles' own dates; where none exists,
``SOURCE_DATE_EPOCH`` (or, without it, the Unix epoch): never the clock.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone

from . import urls
from .taxonomy import Entry

SITEMAP_LIMIT = 50_000  # URLs per sitemap file (the protocol's limit)
NO_BASE_URL = ("base_url is not set: Atom feeds, sitemap.xml, canonical links and absolute "
               "Open Graph URLs are left out (set base_url in sitegen.toml to publish them)")

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def fallback_time() -> str:
    """The time to show where no article date applies: SOURCE_DATE_EPOCH, else the epoch."""
    try:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    except ValueError:
        epoch = 0
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339(date: str | None) -> str | None:
    """An RFC 3339 timestamp (what Atom wants) from a record's ISO date; date-only and naive
    times are taken as UTC."""
    if not date:
        return None
    if _DAY.match(date):
        return f"{date}T00:00:00Z"
    try:
        dt = datetime.fromisoformat(date.replace("Z", "+00:00"))
    except ValueError:
        return f"{date[:10]}T00:00:00Z" if _DAY.match(date[:10]) else None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.isoformat().replace("+00:00", "Z")


def feed_context(config, path: str, title: str, entries, page_path: str) -> dict:
    """Context of one Atom feed at ``path`` over ``entries`` (newest first); ``page_path`` is
    the HTML page the feed mirrors (home or tag page)."""
    base = config.base_url
    items = []
    for e in list(entries)[: config.feed_size]:
        when = rfc3339(e.date)
        items.append({
            "title": e.title, "url": urls.absolute(base, e.path), "summary": e.summary,
            "published": when, "updated": when or fallback_time(),
            "author": e.author or e.source or config.title, "tags": list(e.tags),
        })
    dated = [i["published"] for i in items if i["published"]]
    return {
        "feed": {
            "title": title, "subtitle": config.description, "language": config.language,
            "id": urls.absolute(base, page_path), "self": urls.absolute(base, path),
            "alternate": urls.absolute(base, page_path),
            "updated": max(dated) if dated else fallback_time(),
            "author": config.title,
        },
        "entries": items,
    }


def sitemap_contexts(config, pages: list[tuple[str, str | None]]) -> list[tuple[str, str, dict]]:
    """(output path, template, context) of the sitemap: one ``sitemap.xml``, or past
    SITEMAP_LIMIT URLs, parts ``sitemap-N.xml`` and ``sitemap.xml`` as their index.
    ``pages``: (output path, date or None) of every HTML page meant for search engines."""
    base = config.base_url
    rows = [{"loc": urls.absolute(base, p), "lastmod": (d or "")[:10] or None} for p, d in sorted(pages)]
    if len(rows) <= SITEMAP_LIMIT:
        return [(urls.SITEMAP, "sitemap.xml", {"urls": rows})]
    out = []
    parts = []
    for n, start in enumerate(range(0, len(rows), SITEMAP_LIMIT), 1):
        chunk = rows[start:start + SITEMAP_LIMIT]
        path = urls.sitemap_part(n)
        dates = [r["lastmod"] for r in chunk if r["lastmod"]]
        parts.append({"loc": urls.absolute(base, path), "lastmod": max(dates) if dates else None})
        out.append((path, "sitemap.xml", {"urls": chunk}))
    out.append((urls.SITEMAP, "sitemapindex.xml", {"sitemaps": parts}))
    return out


def article_metadata(config, e: Entry, canonical: str | None) -> dict:
    """JSON-LD ``NewsArticle`` for an article page (dumped by the theme with ``tojson``)."""
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": e.title,
        "inLanguage": e.language or config.language,
        "publisher": {"@type": "Organization", "name": e.source or config.title},
    }
    if e.summary:
        data["description"] = e.summary
    if e.date:
        data["datePublished"] = e.date
    if e.author:
        data["author"] = {"@type": "Person", "name": e.author}
    elif e.source:
        data["author"] = {"@type": "Organization", "name": e.source}
    if e.tags:
        data["keywords"] = list(e.tags)
    if canonical:
        data["url"] = canonical
        data["mainEntityOfPage"] = canonical
    if e.url:
        data["isBasedOn"] = e.url
    return data
