"""The content record: one frozen, typed value per article, and the result of cleaning a page."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields


ARTICLE = "article"
ERROR = "error"

# Elements whose text forms a paragraph of its own in body_text.
_BLOCKS = frozenset(
    "p h1 h2 h3 h4 h5 h6 li blockquote figcaption pre dt dd td th caption div section article "
    "figure ul ol dl table tr tbody thead tfoot header footer aside address hr".split()
)
# A space between two CJK characters (or CJK punctuation) is an artefact of joining paragraphs.
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# a space between two CJK characters: the space found first (re searches for a literal it begins
# with; a pattern that begins with a look-behind is tried at every character), then the two
# characters before the end of the match (the CJK one and the space) and the one after it
_CJK_GAP = re.compile(f" (?<=[{_CJK}] )(?=[{_CJK}])")


@dataclass(slots=True, unsafe_hash=True)  # immutable by convention: see taxonomy.Entry
class Record:
    """A cleaned article. ``date`` is ISO 8601 (``YYYY-MM-DD`` or a full timestamp) or None."""

    title: str
    body_html: str
    source_path: str  # path of the source file relative to content/, with "/" separators
    source_hash: str  # sha256 of the source bytes
    date: str | None = None
    tags: tuple[str, ...] = ()
    source: str | None = None  # credited outlet, e.g. 大纪元
    url: str | None = None  # original URL (canonical / og:url) when known
    author: str | None = None
    language: str | None = None
    summary: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.source_path

    @property
    def body_text(self) -> str:
        return html_to_text(self.body_html)

    def to_dict(self) -> dict:
        # what dataclasses.asdict gives for these flat fields, without its deep copy (~14x faster;
        # the store makes one per cleaned page)
        d = {name: getattr(self, name) for name in _RECORD_FIELDS}
        d["tags"] = list(self.tags)
        d["warnings"] = list(self.warnings)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Record":
        names = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        kw["tags"] = tuple(kw.get("tags") or ())
        kw["warnings"] = tuple(kw.get("warnings") or ())
        return cls(**kw)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)


_RECORD_FIELDS = tuple(f.name for f in fields(Record))


@dataclass(frozen=True)
class CleanResult:
    """What cleaning one source page gave: an article record, a skip (kind + reason) or an error."""

    path: str
    kind: str  # "article", or the kind of page skipped ("index", "forum", "event", ...), or "error"
    reason: str | None = None
    record: Record | None = None
    warnings: tuple[str, ...] = ()
    explain: tuple[str, ...] = field(default=(), compare=False)

    def to_json(self) -> dict:
        """The public ``sitegen clean --json`` object (a contract: extend, never rename)."""
        r = self.record
        return {
            "path": self.path,
            "kind": self.kind,
            "reason": self.reason,
            "title": r.title if r else None,
            "date": r.date if r else None,
            "tags": list(r.tags) if r else [],
            "source": r.source if r else None,
            "author": r.author if r else None,
            "url": r.url if r else None,
            "body_html": r.body_html if r else "",
            "body_text": r.body_text if r else "",
            "warnings": list(self.warnings),
        }


class _Enough(Exception):
    """Raised inside ``_paragraphs`` once the caller has the text it needs."""


def html_to_text(body_html: str) -> str:
    """Plain text of an HTML fragment: one paragraph per block element, joined by a blank line,
    whitespace inside a paragraph collapsed; image captions (<figcaption>) are not part of the
    text, as in the corpus's hand-checked records. (lxml: this runs for every record.)"""
    return "\n\n".join(_paragraphs(body_html))


def summary_of_html(body_html: str, limit: int = 120) -> str:
    """``summarize(html_to_text(body_html), limit)``, without walking past the paragraphs the
    summary is made of (a summary needs the first one or two of a page's fifteen)."""
    def enough(paras: list[str], chars: int) -> bool:
        return chars > limit and len(_summary_text("\n\n".join(paras))) > limit + 1

    return summarize("\n\n".join(_paragraphs(body_html, enough)), limit)


# A body of paragraphs of text and links, nothing else, no character reference, no attribute
# value with a character that needs one (what a plain Markdown record's body is): its text is
# found without parsing it (``_simple_paragraphs``).
_TEXT = r"[^<&\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]*"
_SIMPLE_BODY = re.compile(rf'(?:<p>{_TEXT}(?:<a(?: [a-z]+="[^"<>&\x00-\x1f]*")*>{_TEXT}</a>{_TEXT})*</p>\n?)+\Z')
_SIMPLE_TAG = re.compile(r"<[^>]*>")


def _simple_paragraphs(body_html: str, enough=None) -> list[str] | None:
    """``_paragraphs`` of a simple body (``_SIMPLE_BODY``), else None: each <p>'s text, tags
    removed, white space folded, as the walk of the parsed body would give it (the parse was
    ~0.05 ms of a record's ~0.1 ms summary)."""
    if _SIMPLE_BODY.match(body_html) is None:
        return None
    paras: list[str] = []
    chars = 0
    find = body_html.find
    start = find("<p>")
    while start >= 0:
        end = find("</p>", start)
        inner = body_html[start + 3:end]
        text = " ".join((_SIMPLE_TAG.sub("", inner) if "<" in inner else inner).split())
        if text:
            paras.append(text)
            chars += len(text)
            if enough is not None and enough(paras, chars):
                break
        start = find("<p>", end)
    return paras


def _paragraphs(body_html: str, enough=None) -> list[str]:
    """The paragraphs of ``html_to_text``; with ``enough(paragraphs, characters)``, only the
    first ones, up to the one after which it says True."""
    if not body_html or not body_html.strip():
        return []
    simple = _simple_paragraphs(body_html, enough)
    if simple is not None:
        return simple
    import lxml.html  # (here: a no-change build reads records but never parses one)

    root = lxml.html.document_fromstring("<html><body>" + body_html + "</body></html>")
    body = root.find("body")
    paras: list[str] = []
    buf: list[str] = []
    chars = 0

    def flush() -> None:
        nonlocal chars
        text = " ".join("".join(buf).split())
        if text:
            paras.append(text)
            chars += len(text)
        buf.clear()
        if text and enough is not None and enough(paras, chars):
            raise _Enough

    def walk(node) -> None:
        if node.text and isinstance(node.tag, str):
            buf.append(node.text)
        for child in node:
            if not isinstance(child.tag, str):  # comments, processing instructions
                if child.tail:
                    buf.append(child.tail)
                continue
            name = child.tag.lower()
            if name in ("script", "style", "template", "figcaption"):
                pass  # captions are shown with their figure but are not paragraphs of the text
            elif name == "br":
                buf.append("\n")
            elif name in _BLOCKS:
                flush()
                walk(child)
                flush()
            else:
                walk(child)
            if child.tail:
                buf.append(child.tail)

    try:
        if body is not None:
            walk(body)
        flush()
    except _Enough:
        pass
    return paras


def _summary_text(text: str) -> str:
    return _CJK_GAP.sub("", " ".join(text.split()))


def summarize(text: str, limit: int = 120) -> str:
    """A short plain-text summary: the first paragraph(s), cut at ``limit`` characters."""
    # Whitespace folding and the CJK gap are local: the summary text of a prefix of ``text`` is a
    # prefix of the whole one's, but for its last character. So when a prefix gives more than
    # limit + 1 characters, the summary is made from it (not from a whole page's text).
    head = 4 * limit + 64
    if len(text) > head:
        short = _summary_text(text[:head])
        if len(short) > limit + 1:
            return short[:limit].rstrip() + "…"
    text = _summary_text(text)
    if len(text) <= limit:
        return text
    return text[:limit].rstrip() + "…"
