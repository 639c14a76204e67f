"""The URL scheme: every output path and every link between pages is made here.

Output paths are POSIX paths relative to the output folder (``tags/美国/index.html``). Links
between generated pages are always relative (so a site works at a domain root, under any
sub-path and from ``file://``) and point at files, never at bare directories.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

# Characters that are unsafe or awkward in a path segment on some filesystem or in a URL.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\?#%*:|"<>\[\]^`{}]+')
_SPACES = re.compile(r"\s+")
_MAX_SEGMENT_BYTES = 200

TAGS_DIR = "tags"
# Top-level names owned by generated pages; an article may not take them.
RESERVED = frozenset({"index.html", "404.html", "page", "tags", "static", "archive", "feed.xml",
                      "sitemap.xml", "robots.txt", "pagefind", "search"})


# A relative path that normpath leaves as it is: segments that are neither empty nor start
# with a dot (so no '.', '..' or '//'), no leading or trailing '/'.
_NORMAL = re.compile(r"[^/.][^/]*(?:/[^/.][^/]*)*")


class UnsafePath(ValueError):
    pass


def safe_relpath(path: str) -> str:
    """Normalise a relative output path and refuse anything that could leave the output folder."""
    if "\x00" in path or "\\" in path:
        raise UnsafePath(f"unsafe path {path!r}")
    if _NORMAL.fullmatch(path):  # already normal (nearly every path): what normpath would give back
        return path
    norm = posixpath.normpath(path)
    if norm.startswith("/") or norm == ".." or norm.startswith("../") or norm in (".", ""):
        raise UnsafePath(f"path escapes the output folder: {path!r}")
    return norm


def slugify_segment(text: str) -> str:
    """A filesystem- and URL-safe path segment that keeps the text itself (Chinese stays Chinese).

    Unsafe characters become ``-``; an empty, dot-only or over-long result falls back to (or is
    suffixed with) a short hash, so different inputs cannot collapse onto ``.``/``..``.
    """
    norm = unicodedata.normalize("NFC", text).strip()
    slug = _UNSAFE.sub("-", norm)
    slug = _SPACES.sub("-", slug).strip("-")
    digest = hashlib.sha1(norm.encode("utf-8")).hexdigest()[:8]
    if not slug.strip("."):
        return f"t-{digest}"
    if slug.startswith("."):
        slug = "_" + slug
    if len(slug.encode("utf-8")) > _MAX_SEGMENT_BYTES:
        slug = slug.encode("utf-8")[:_MAX_SEGMENT_BYTES].decode("utf-8", "ignore") + "-" + digest
    return slug


def tag_slugs(tags: list[str]) -> dict[str, str]:
    """Map each tag to a unique slug; tags whose slugs collide (also case-insensitively, for
    case-insensitive filesystems) get a hash suffix, the first in sorted order keeping the plain slug."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for tag in sorted(tags):
        slug = slugify_segment(tag)
        if slug.casefold() in taken:
            slug = f"{slug}-{hashlib.sha1(tag.encode('utf-8')).hexdigest()[:8]}"
        taken.add(slug.casefold())
        out[tag] = slug
    return out


def paged(prefix: str, number: int) -> str:
    """``prefix`` is a directory ('' for the root); page 1 is its index.html, page n is page/n/."""
    base = f"{prefix}/" if prefix else ""
    return f"{base}index.html" if number == 1 else f"{base}page/{number}/index.html"


def home_page(number: int) -> str:
    return paged("", number)


def tag_page(slug: str, number: int = 1) -> str:
    return paged(f"{TAGS_DIR}/{slug}", number)


def tags_index() -> str:
    return f"{TAGS_DIR}/index.html"


def tag_feed(slug: str) -> str:
    return f"{TAGS_DIR}/{slug}/feed.xml"


def archive_page(year: int, month: int, number: int = 1) -> str:
    return paged(f"archive/{year:04d}/{month:02d}", number)


def archive_index() -> str:
    return "archive/index.html"


def search_page() -> str:
    return "search/index.html"


SITE_FEED = "feed.xml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
SEARCH_DIR = "pagefind"


def sitemap_part(number: int) -> str:
    """One part of a sitemap split past 50,000 URLs (sitemap.xml is then the index)."""
    return f"sitemap-{number}.xml"


def article_path(source_path: str, date: str | None, permalink: str) -> str:
    """Output path of an article from its source path (relative to content/) and the permalink
    pattern. The default ``{path}.html`` keeps a mirrored page's own path."""
    dot, slash = source_path.rfind("."), source_path.rfind("/")
    if dot > slash + 1 and source_path[slash + 1] != ".":  # what splitext gives, without its scan
        stem_path = source_path[:dot]
    else:
        stem_path = posixpath.splitext(source_path)[0]
    if permalink == "{path}.html":  # the default
        out = stem_path + ".html"
    else:
        year, month, day = (date[:4], date[5:7], date[8:10]) if date and len(date) >= 10 else ("undated", "", "")
        out = (permalink.replace("{path}", stem_path)
               .replace("{stem}", posixpath.basename(stem_path))
               .replace("{year}", year).replace("{month}", month or "00").replace("{day}", day or "00"))
    if out.endswith("/"):
        out += "index.html"
    out = safe_relpath(out)
    first = out.split("/", 1)[0]
    if first in RESERVED:
        raise UnsafePath(f"output path {out!r} is reserved for generated pages")
    return out


def href(from_path: str, to_path: str) -> str:
    """Relative, percent-encoded link from one output file to another."""
    if not (_plain(from_path) and _plain(to_path)):
        return _quote(posixpath.relpath(to_path, posixpath.dirname(from_path) or "."))
    # posixpath.relpath without its abspath/getcwd calls (a build makes ~10^6 links)
    start, to = from_path.split("/")[:-1], to_path.split("/")
    i, n = 0, min(len(start), len(to))
    while i < n and start[i] == to[i]:
        i += 1
    tail = "/".join(to[i:])
    up = "../" * (len(start) - i)
    return up + _quote(tail) if tail else (up.rstrip("/") or ".")


@lru_cache(maxsize=1 << 16)
def _quote(rel: str) -> str:
    return quote(rel, safe="/#?=&.-_~")


def _plain(path: str) -> bool:
    """A normalised relative path: no empty, '.' or '..' segment."""
    p = f"/{path}/"
    return bool(path) and "//" not in p and "/./" not in p and "/../" not in p


def root_prefix(from_path: str) -> str:
    """The relative prefix from a page to the site root: '' or '../../'."""
    depth = from_path.count("/")
    return "../" * depth


def absolute(base_url: str | None, path: str) -> str | None:
    """Absolute URL of an output path, or None without a base_url."""
    if not base_url:
        return None
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    return base_url + quote(path, safe="/#?=&.-_~")
