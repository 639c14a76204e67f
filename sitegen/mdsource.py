"""Markdown source pages: authored or hand-corrected records, with YAML front matter between
``---`` lines as in Jekyll and Hugo, rendered with Python-Markdown."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import markdown
import yaml

# libyaml's parser when PyYAML was built with it (the same safe constructors, ~10x faster).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_md: list[markdown.Markdown] = []


def _to_html(text: str) -> str:
    """Python-Markdown with one converter per process, reset between documents (making one
    costs about as much as converting a page)."""
    if not _md:
        _md.append(markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html"))
    md = _md[0]
    try:
        return md.reset().convert(text)
    except BaseException:
        _md.clear()  # never reuse a converter left half-way through a document
        raise

from .record import CleanResult, Record, html_to_text, summarize

_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
KNOWN_KEYS = {"title", "date", "tags", "source", "url", "author", "language", "lang", "draft", "summary"}


def _iso(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})(.*)$", text)
    if not m:
        raise ValueError(f"date {text!r} is not ISO 8601 (YYYY-MM-DD)")
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    dt.date(y, mo, d)  # validates
    rest = m[4].strip()
    return f"{y:04d}-{mo:02d}-{d:02d}" + (("T" + rest.lstrip("T ")) if rest else "")


def _tags(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = re.split(r"[,，、]", value)
    if not isinstance(value, list):
        raise ValueError("tags must be a list or a comma-separated string")
    seen: dict[str, None] = {}
    for t in value:
        t = str(t).strip()
        if t:
            seen.setdefault(t, None)
    return tuple(seen)


def read_markdown(data: bytes, *, rel_path: str, language: str = "zh-CN") -> CleanResult:
    """Markdown page -> CleanResult. Never raises for a page problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return CleanResult(rel_path, "error", f"Markdown must be UTF-8 ({e.reason} at byte {e.start})")
    meta: dict = {}
    m = _FRONT.match(text)
    if m:
        try:
            meta = yaml.load(m.group(1), Loader=_YAML_LOADER) or {}
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" (front matter line {mark.line + 2})" if mark else ""
            return CleanResult(rel_path, "error", f"invalid YAML front matter{where}: {getattr(e, 'problem', e)}")
        if not isinstance(meta, dict):
            return CleanResult(rel_path, "error", "front matter must be a mapping of keys to values")
        text = text[m.end():]
    warnings = [f"unknown front matter key {k!r}" for k in sorted(map(str, meta)) if k not in KNOWN_KEYS]
    if meta.get("draft") is True:
        return CleanResult(rel_path, "draft", "draft: true in front matter", warnings=tuple(warnings))
    try:
        date = _iso(meta.get("date"))
        tags = _tags(meta.get("tags"))
    except ValueError as e:
        return CleanResult(rel_path, "error", str(e))
    html = _to_html(text)
    from .sanitize import sanitize  # the same allow-list as cleaned pages

    url = meta.get("url")
    body = sanitize(html, base_url=str(url) if url else None)
    title = str(meta.get("title") or "").strip()
    if not title:
        h = re.search(r"^#\s+(.+)$", text, re.M)
        title = h.group(1).strip() if h else rel_path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        warnings.append("no title in front matter; used " + ("the first heading" if h else "the file name"))
    body_text = html_to_text(body)
    record = Record(
        title=title, body_html=body, source_path=rel_path,
        source_hash=hashlib.sha256(data).hexdigest(), date=date, tags=tags,
        source=(str(meta["source"]).strip() or None) if meta.get("source") else None,
        url=str(url) if url else None,
        author=str(meta["author"]) if meta.get("author") else None,
        language=str(meta.get("language") or meta.get("lang") or language),
        summary=str(meta.get("summary") or summarize(body_text)), warnings=tuple(warnings),
    )
    return CleanResult(rel_path, "article", None, record, tuple(warnings),
                       ("reader: Markdown with YAML front matter",))
