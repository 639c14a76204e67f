"""Allow-list sanitising of body HTML with nh3 (ammonia).

Source pages are untrusted: the stored body keeps only a small set of content tags and
attributes. No script/style/iframe/object/form, no event handlers, no style/class/id attributes,
only http(s)/mailto URLs (``javascript:``, ``data:``, ``vbscript:`` … are dropped), relative URLs
resolved against the page's original URL first, and every link gets
``rel="noopener noreferrer"``.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import urljoin, urlsplit

import nh3

ALLOWED_TAGS = frozenset(
    """p br hr h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote q cite figure figcaption img a
    strong b em i u s sub sup small code pre kbd samp var mark abbr del ins time
    table caption thead tbody tfoot tr th td""".split()
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"datetime"},
    "ins": {"datetime"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Tags whose whole content is dropped, not just the tag.
CLEAN_CONTENT_TAGS = frozenset(
    {"script", "style", "iframe", "object", "embed", "form", "textarea", "select", "noscript",
     "template", "svg", "math", "button", "frame", "frameset", "applet", "audio", "video", "canvas"}
)
_URL_ATTRS = {("a", "href"), ("img", "src"), ("blockquote", "cite"), ("q", "cite")}
_SAFE_SCHEMES = ("http", "https", "mailto")
_HTTP = ("http://", "https://")


# an http(s) URL whose host is plain (letters, digits, dots, hyphens: no user, port or brackets),
# followed by its path, query, fragment or nothing: most pages' URLs
_PLAIN_HTTP = re.compile(r"[hH][tT][tT][pP][sS]?://([-.a-zA-Z0-9]+)(?=[/?#]|\Z)")


def plain_http_host(url: str) -> str | None:
    """The host of an http(s) URL of the plain form above, as it is written (not lower-cased),
    else None. For such a URL, ``urlsplit(url)`` cannot raise, its scheme is "http" or "https"
    and its hostname is this host lower-cased (its netloc has no ``@``, ``:``, ``[`` or
    non-ASCII character): read without urlsplit's split and properties (~10x their cost)."""
    m = _PLAIN_HTTP.match(url)
    return m.group(1) if m is not None else None


def is_http_url(url: str | None) -> bool:
    """``urlsplit(url).scheme in ("http", "https")`` for a URL (False for none); raises
    ValueError where urlsplit does."""
    if not url:
        return False
    return plain_http_host(url) is not None or urlsplit(url).scheme in ("http", "https")


def _resolver(base_url: str | None):
    base_ok = is_http_url(base_url)

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if (tag, attr) in _URL_ATTRS:
            v = value.strip()
            if not v.isprintable():  # (printable: no control characters to remove)
                v = "".join(ch for ch in v if ch >= " " and ch != "\x7f")
            if not v or v.startswith("#"):
                return v or None
            if v.startswith(_HTTP) and v.isascii() and "[" not in v and "]" not in v:
                # (most links) urlsplit's scheme is http(s): nothing to resolve; and urlsplit
                # would raise for nothing (a lone bracket, or a non-ASCII host under NFKC)
                return v
            scheme = urlsplit(v).scheme.lower() if ":" in v[:12] else ""
            if scheme and scheme not in _SAFE_SCHEMES:
                return None
            if base_ok and not scheme:
                try:
                    v = urljoin(base_url, v)
                except ValueError:
                    return None
            return v
        if attr in ("width", "height", "colspan", "rowspan", "start", "value"):
            return value if value.strip().isdigit() and len(value) < 8 else None
        return value

    return attribute_filter


# One nh3 Cleaner per process (building one per call was a third of the call): its attribute
# filter resolves URLs against the base URL of the call running in this thread (nh3 calls the
# filter in the calling thread).
_current = threading.local()
_cleaner: list = []


def _filter(tag: str, attr: str, value: str) -> str | None:
    return _current.filter(tag, attr, value)


def _make_cleaner():
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def sanitize(html: str, base_url: str | None = None) -> str:
    """Clean ``html`` (a body fragment) with the allow-list; resolve relative URLs against ``base_url``."""
    attribute_filter = _resolver(base_url)
    out = _plain(html, attribute_filter)
    return out if out is not None else _nh3(html, attribute_filter)


def _nh3(html: str, attribute_filter) -> str:
    if not _cleaner:
        _cleaner.append(_make_cleaner())
    outer = getattr(_current, "filter", None)
    _current.filter = attribute_filter
    try:
        return _cleaner[0].clean(html)
    finally:
        _current.filter = outer


# ---------------------------------------------------------------------------------------------
# What nh3 makes of a fragment in the narrow form BodyWriter writes, without nh3.
#
# nh3 parses the fragment with html5ever, keeps the allowed tags and attributes, and serialises
# what it parsed. For a fragment of allowed tags only, without attributes but for a link's href,
# properly nested so that the HTML tree builder builds exactly what is written (paragraphs and
# headings of phrasing content only, list items right in their lists, no element inside one of
# its own tag, nothing left open), text with no character the parser or the serialiser changes
# (no reference but &amp; &lt; &gt;, no bare >, no control character, CR, BOM or lone surrogate),
# nh3's output is what was written, with:
# - each link's href given to the same attribute filter, and kept only as an http(s) URL the url
#   crate parses for sure (a host of ASCII letter-digit-hyphen labels, the last beginning with a
#   letter, no punycode: ammonia drops a URL it cannot parse), then rel="noopener noreferrer";
# - U+00A0 written &nbsp; (html5ever's serialiser; the only change it makes to such text).
# Anything else (an image, a table, a link whose filtered URL is not of that form, ...) is nh3's.
# 400 bench bodies in-process: 39 -> 23 us a body (all of them take this way); whole bench pages
# in the clean 0.82 -> 0.76 ms. tests/test_sanitize_plain.py compares the two on generated
# fragments (in the form and just outside it) and on the test pages' bodies.

# (characters the fragment must not hold: C0 and C1 controls but tab and line feed, lone
# surrogates, the BOM, the two non-characters; printable text holds none of them)
_NOT_PLAIN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
# every "<" of the fragment begins one of these: a tag without attributes, or a link with an href
# (what it holds is read again below)
_PLAIN_TAG = re.compile(r'<(/?[a-z0-9]+)( href="[^"<>]*")?>')
_PLAIN_LINK = re.compile(r'<a href="([^"]*)">')
_LABEL = r"(?![xX][nN]--)[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?"
_LAST_LABEL = r"(?![xX][nN]--)[A-Za-z](?:[-A-Za-z0-9]*[A-Za-z0-9])?"
_PLAIN_URL = re.compile(r"https?://(?:%s\.)*%s(?:[/?#][-A-Za-z0-9._~:/?#@!$&()*+,;=%%]*)?" % (_LABEL, _LAST_LABEL))
_PHRASING = frozenset(("strong", "em", "code", "sub", "sup"))  # (and a link: <a href>)
_FLOW = frozenset(("p", "h2", "h3", "h4", "ul", "ol", "blockquote"))
_CLOSES = {"/" + t: t for t in (*_FLOW, "li", "a", *_PHRASING)}
_FLOW_PARENTS = frozenset((None, "blockquote", "li"))  # (None: the fragment itself)
_REL = ' rel="noopener noreferrer">'


class _NotPlain(Exception):
    pass


def _plain(html: str, attribute_filter) -> str | None:
    """What nh3 gives for ``html`` when it is of the form above, else None."""
    tags = _PLAIN_TAG.findall(html)
    if len(tags) != html.count("<") or len(tags) != html.count(">"):
        return None  # a "<" that begins something else, a ">" in text (written &gt;)
    if "&" in html:
        # references: &amp; &lt; &gt; in text, and those, &quot; and &#x27; in an href
        n = html.count("&")
        n -= html.count("&amp;") + html.count("&lt;") + html.count("&gt;")
        if n:
            n -= html.count("&quot;") + html.count("&#x27;")
            if n or sum(h.count("&quot;") + h.count("&#x27;") for _, h in tags) \
                    != html.count("&quot;") + html.count("&#x27;"):
                return None
    if not html.replace("\n", " ").replace("\t", " ").isprintable() and _NOT_PLAIN.search(html):
        return None
    stack: list = [None]
    for tag, href in tags:
        if href:  # (a link)
            if tag != "a" or "a" in stack:
                return None
            stack.append("a")
            continue
        top = stack[-1]
        opened = _CLOSES.get(tag)
        if opened is not None:
            if opened != top:
                return None
            stack.pop()
        elif tag == "br":
            continue
        elif tag in _PHRASING:
            if tag in stack:
                return None
            stack.append(tag)
        elif tag == "li":
            if top != "ul" and top != "ol":
                return None
            stack.append(tag)
        elif tag in _FLOW and top in _FLOW_PARENTS:
            stack.append(tag)
        else:
            return None  # (an <a> without an href among them: nh3 gives it a rel too)
    if len(stack) > 1:
        return None

    def link(m) -> str:
        v = m.group(1)
        if "&" in v:
            v = v.replace("&quot;", '"').replace("&#x27;", "'").replace("&lt;", "<").replace("&gt;", ">") \
                .replace("&amp;", "&")
        v = attribute_filter("a", "href", v)
        if v is None:
            return "<a" + _REL
        if _PLAIN_URL.fullmatch(v) is None:
            raise _NotPlain
        return '<a href="' + v.replace("&", "&amp;") + '"' + _REL

    if "<a " in html:
        try:
            html = _PLAIN_LINK.sub(link, html)
        except _NotPlain:
            return None
    return html.replace("\xa0", "&nbsp;") if "\xa0" in html else html
