"""Links inside article bodies, and duplicate articles.

A stored body keeps the links of the page it was cleaned from: absolute URLs on the mirrored
site. At render time they are rewritten (``rewrite``): a link to another mirrored article (by its
original URL, ``Record.url``) becomes a relative link to the local copy, a link to one of the
site's tags becomes a relative link to the local tag page, every other link stays absolute and is
marked ``rel="noopener noreferrer"``; images follow the ``images`` setting.

The rewrite of one article depends only on its body and on the resolved map of *its own*
outbound links (``resolve``), which the plan puts into the page's render context: so the memo
key changes exactly when the rewritten page would, and adding an article re-renders only the
pages that link to it.

Duplicates (``dedupe``): the same article under two URLs, or as Simplified and Traditional twins,
is detected by its title, summary and date compared after Traditional-to-Simplified conversion
(OpenCC); one is kept, the others become redirect pages to it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter
from urllib.parse import unquote, urlsplit, urlunsplit

from . import urls
from .taxonomy import Entry

_A_HREF = re.compile(r"<a\s[^>]*?href=\"([^\"]*)\"", re.I)
_TAG_SEGMENTS = ("tag", "tags")
# An absolute http(s) URL whose host urlsplit would read as it stands (no spaces, user, port).
_PLAIN_HOST = re.compile(r"https?://([^\s/?#@:\[\]\\]+)(?=[/?#]|\Z)", re.I)


def outbound_links(body_html: str) -> list[str]:
    """The distinct link targets of a (sanitised) body, in order. Cheap: stored with the record."""
    seen: dict[str, None] = {}
    for m in _A_HREF.finditer(body_html or ""):
        seen.setdefault(html.unescape(m.group(1)), None)
    return list(seen)


def normalise_url(url: str) -> str | None:
    """A comparable form of an absolute http(s) URL: scheme-less, host lower-cased, no fragment,
    no default index file or trailing slash, percent-decoded path."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.lower().removeprefix("www.")
    path = unquote(parts.path)
    for index in ("/index.html", "/index.htm"):
        if path.endswith(index):
            path = path[: -len(index) + 1]
    path = path.rstrip("/") or "/"
    return urlunsplit(("", host, path, parts.query, ""))


@dataclass(frozen=True)
class LinkIndex:
    """Where links that point inside the mirror go: original URL -> output path, tag -> slug."""

    by_url: dict[str, str]
    by_source: dict[str, str]  # source path without extension -> output path
    tag_slugs: dict[str, str]
    hosts: frozenset[str]  # hosts of the mirrored site(s), for tag and same-path links
    # href -> target (``target``), found on first use: the same hrefs recur across a mirror's
    # articles (keyword links, navigation), and a rebuild plans every article's links
    targets: dict = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "targets", _Targets(self._find))

    @classmethod
    def make(cls, entries, duplicates: dict[str, Entry], tag_slugs: dict[str, str],
             url_keys: dict[str, str] | None = None) -> "LinkIndex":
        """``duplicates``: dropped entry -> the entry kept in its place; ``url_keys``: entry id ->
        ``normalise_url`` of its URL when already known (``Store.url_keys``)."""
        url_keys = url_keys or {}
        by_url: dict[str, str] = {}
        by_source: dict[str, str] = {}
        hosts: set[str] = set()
        pairs = [(e, e) for e in entries] + list(duplicates.items())
        for e, kept in sorted(pairs, key=lambda p: (p[0] is not p[1], p[0].path)):
            by_source.setdefault(e.id.rsplit(".", 1)[0], kept.path)
            if e.url and (key := url_keys[e.id] if e.id in url_keys else normalise_url(e.url)):
                by_url.setdefault(key, kept.path)
                hosts.add(key.split("/", 3)[2])
        return cls(by_url, by_source, dict(tag_slugs), frozenset(hosts))

    def target(self, href: str) -> str | None:
        """Output path a link points to inside the site, or None if it leads elsewhere."""
        return self.targets[href]

    def find_all(self, hrefs_lists) -> None:
        """Find the targets of every href of ``hrefs_lists`` (lists of hrefs) at once, before
        they are asked for one by one: the common case, a link to a host outside the mirror, is
        answered here without a call per href (a rebuild plans every article's links)."""
        targets, hosts, match = self.targets, self.hosts, _PLAIN_HOST.match
        for hrefs in hrefs_lists:
            for href in hrefs:
                if href not in targets:
                    m = match(href)  # (what _find does first)
                    if m and (host := m.group(1).lower().removeprefix("www.")) and host not in hosts:
                        targets[href] = None
                    else:
                        targets[href] = self._find_inside(href)

    def _find(self, href: str) -> str | None:
        m = _PLAIN_HOST.match(href)
        if m and (host := m.group(1).lower().removeprefix("www.")) and host not in self.hosts:
            return None  # what normalise_url would find: a host outside the mirror (the common case)
        return self._find_inside(href)

    def _find_inside(self, href: str) -> str | None:
        """``_find`` of an href that is not plainly on a host outside the mirror."""
        if href.startswith("/") and not href.startswith("//"):
            path = unquote(urlsplit(href).path)  # root-relative: a path on the mirrored site
            host = None
        else:
            key = normalise_url(href)
            if key is None:
                return None
            if key in self.by_url:
                return self.by_url[key]
            _, host, path, *_ = urlsplit("http:" + key)
        if host is None or host in self.hosts:
            stem = path.strip("/").rsplit(".", 1)[0] if path.endswith((".html", ".htm")) else None
            if stem and stem in self.by_source:
                return self.by_source[stem]
            segs = [s for s in path.split("/") if s]
            for i, seg in enumerate(segs[:-1]):
                if seg in _TAG_SEGMENTS and segs[i + 1] in self.tag_slugs:
                    return urls.tag_page(self.tag_slugs[segs[i + 1]])
        return None


class _Targets(dict):
    """A dict that finds a missing key's value (lookups of known ones stay in C)."""

    def __init__(self, find) -> None:
        super().__init__()
        self.find = find

    def __missing__(self, href: str) -> str | None:
        found = self[href] = self.find(href)
        return found


def resolve(index: LinkIndex, from_path: str, hrefs) -> dict[str, str]:
    """The article's own link map: each outbound href that points inside the site -> its
    relative link from ``from_path``. Small, JSON-able: it goes into the render context."""
    out: dict[str, str] = {}
    for h in hrefs:
        path = index.target(h)
        if path is not None:
            frag = urlsplit(h).fragment
            out[h] = urls.href(from_path, path) + (f"#{frag}" if frag else "")
    return out


def rewrite(body_html: str, link_map: dict[str, str], images: str = "keep") -> str:
    """Rewrite a stored body for its page: local links relative, external ones absolute with
    ``rel="noopener noreferrer"``; images kept (lazy, no referrer), turned into links, or dropped.

    Stored bodies are sanitised (nh3), so their markup is regular: they take a streaming path
    (``_rewrite_tokens``, ~20x faster) that gives what BeautifulSoup gives; anything outside
    the grammar it knows takes the BeautifulSoup path itself (``_rewrite_soup``)."""
    out = _rewrite_tokens(body_html or "", link_map, images)
    return out if out is not None else _rewrite_soup(body_html, link_map, images)


# --- the streaming rewrite ----------------------------------------------------------------------
# One token: a start tag (lower-case name, double-quoted attributes with no < or >), an end tag,
# or text. A body that is not a sequence of these, properly nested, takes the BeautifulSoup path.
_TOKEN = re.compile(r'<(?:([a-z][a-z0-9]*)((?:[ \t\n]+[a-z][a-z0-9_.:-]*="[^"<>]*")*)[ \t\n]*|/([a-z][a-z0-9]*))>'
                    r"|([^<]+)")
_ATTR = re.compile(r'[ \t\n]+([a-z][a-z0-9_.:-]*)="([^"<>]*)"')
_VOID = frozenset({"br", "hr", "img"})
# What html.parser and BeautifulSoup treat specially (void or raw-text elements, list-valued
# attributes, whitespace-preserving blocks): left to BeautifulSoup.
_SPECIAL = frozenset({"area", "base", "basefont", "bgsound", "col", "command", "embed", "frame", "image",
                      "input", "isindex", "keygen", "link", "menuitem", "meta", "nextid", "param",
                      "source", "spacer", "track", "wbr", "script", "style", "pre", "textarea",
                      "plaintext", "xmp", "iframe", "noembed", "noframes", "noscript", "title",
                      "template", "svg", "math", "html", "head", "body"})
_LIST_ATTRS = frozenset({"class", "accesskey", "dropzone", "rev", "headers", "accept-charset", "archive",
                         "sizes", "sandbox", "for"})
_NH3_ENTITIES = re.compile(r"&(?:amp|lt|gt|nbsp|quot);")  # what a sanitised body's text holds
_XML_ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_NEEDS_ESC = re.compile(r"[&<>]")


def _esc(text: str) -> str:
    """BeautifulSoup's "minimal" formatter: & < > as entities."""
    return _NEEDS_ESC.sub(lambda m: _XML_ESC[m.group()], text) if ("&" in text or "<" in text or ">" in text) else text


def _unesc(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def _start_tag(name: str, attrs: dict[str, str], void: bool) -> str:
    parts = [name]
    for k, v in sorted(attrs.items()):  # BeautifulSoup's formatter sorts attributes
        v = _esc(v)
        if '"' in v:
            v = "'" + v + "'" if "'" not in v else '"' + v.replace('"', "&quot;") + '"'
        else:
            v = '"' + v + '"'
        parts.append(f"{k}={v}")
    return "<" + " ".join(parts) + ("/>" if void else ">")


# The common body needs no token-by-token loop: when its markup is in the grammar (one C-level
# match), its tags are properly nested (a loop over their names only) and none of its texts is
# changed by the rewrite, only its a, img, br and hr tags, its tags with attributes and </a> can
# differ from what the loop makes, and ``re.sub`` visits just those. Anything else is left to
# the loop (``_rewrite_stream``), which stays the reference: tests/test_render_fast.py compares them.
# The markup the fast path takes: tags as the loop's grammar has them (with no tab or form feed
# in them), and texts the loop gives back as they are: without "&" (unescaped and escaped again),
# ">" (escaped), a tab, form feed or carriage return, nor blank but for a lone " " or "\n"
# (folded).
_GRAMMAR = re.compile(r'(?:<(?:[a-z][a-z0-9]*(?:[ \n]+[a-z][a-z0-9_.:-]*="[^"<>\r]*")*[ \n]*|/[a-z][a-z0-9]*)>'
                      r"|(?![ \n]{2,}(?:<|\Z))[^<>&\r\t\x0c]++)*+")
_TAG_NAME = re.compile(r"<(/?[a-z][a-z0-9]*)")
# The tags the loop may change: 1-2 an a or img, 3-4 any other with attributes (or blanks),
# 5 a br or hr without (made void: "<br/>"), 6 an end tag of an a (dropped when it is unwrapped).
_CHANGED_TAG = re.compile(r"<(?:(a|img)(?=[ \t\n>])([^>]*)|([a-z][a-z0-9]*)([ \t\n][^>]*)|(br|hr)|/(a))>")


# A link out of the mirror as a sanitised body has it, which the rewrite gives back as it is: an
# http(s) URL of printable ASCII with nothing to escape or unescape (no " & < >) and nothing
# urlsplit refuses (no [ ] \\), then the rel the rewrite sets, attributes in sorted order.
_PLAIN_EXTERNAL_A = re.compile(r' href="(https?://[!#-%\'-;=?-Z^_a-~]*)" rel="noopener noreferrer"')
_SCHEMES: dict[str, str] = {}  # URL -> urlsplit(URL).scheme (the same links recur across bodies)


def _scheme(url: str) -> str:
    scheme = _SCHEMES.get(url)
    if scheme is None:
        scheme = urlsplit(url).scheme  # (a ValueError is raised as urlsplit raises it: never kept)
        if len(_SCHEMES) >= 1 << 16:
            _SCHEMES.clear()
        _SCHEMES[url] = scheme
    return scheme


def _link(attrs: dict[str, str], link_map: dict[str, str]) -> bool:
    """A link's attributes as the rewrite makes them (in place): a link to a page of the mirror
    goes to its output, a link out gets rel="noopener noreferrer"; True when the link is unwrapped
    (a relative link to a page that is not in the mirror: its text only)."""
    href = attrs.get("href")
    if href is None:
        return False
    if href in link_map:
        attrs["href"] = link_map[href]
        attrs.pop("rel", None)
    elif _scheme(href) in ("http", "https"):
        attrs["rel"] = "noopener noreferrer"
    elif not href.startswith(("#", "mailto:")):
        return True
    return False


def _image(attrs: dict[str, str], images: str) -> str:
    """What the rewrite writes for an image with these attributes (the site's ``images`` rule)."""
    src = attrs.get("src")
    if images == "drop" or not src or _scheme(src) not in ("http", "https"):
        return ""
    if images == "link":
        label = attrs.get("alt") or attrs.get("title") or _image_name(src)
        return (_start_tag("a", {"href": src, "rel": "noopener noreferrer", "class": "image-link"}, False)
                + _esc(label) + "</a>")
    attrs["loading"] = "lazy"
    attrs["referrerpolicy"] = "no-referrer"
    attrs["decoding"] = "async"
    return _start_tag("img", attrs, True)


class _Decline(Exception):
    """The fast path leaves this body to the loop."""


def _rewrite_fast(body: str, link_map: dict[str, str], images: str) -> str | None:
    """``_rewrite_stream``'s result, or None when it is left to it."""
    if _GRAMMAR.fullmatch(body) is None:
        return None
    stack: list[str] = []
    push, pop = stack.append, stack.pop
    for name in _TAG_NAME.findall(body):
        if name[0] == "/":
            if not stack or pop() != name[1:]:
                return None  # (a void or special element is never open)
        elif name in _SPECIAL:
            return None
        elif name not in _VOID:
            push(name)
    if stack:
        return None
    unwrapped: list[bool] = []  # the open a elements: unwrapped or not

    def tag(m: re.Match) -> str:
        special, raw, name, raw_other, void, end_a = m.groups()
        if end_a is not None:
            return "" if unwrapped.pop() else "</a>"
        if void is not None:
            return f"<{void}/>"
        if special is None:
            special, raw = name, raw_other
        elif special == "a":
            plain = _PLAIN_EXTERNAL_A.fullmatch(raw)
            if plain is not None and plain.group(1) not in link_map:
                unwrapped.append(False)
                return m.group()  # (what _start_tag makes of it: the same tag)
        attrs: dict[str, str] = {}
        for k, v in _ATTR.findall(raw):
            if k in _LIST_ATTRS or (k == "rel" and special != "a") or k in attrs:
                raise _Decline
            attrs[k] = _unesc(v)
        if special == "a":
            if "rel" in attrs and " ".join(attrs["rel"].split()) != attrs["rel"]:
                raise _Decline
            unwrap = _link(attrs, link_map)
            unwrapped.append(unwrap)
            return "" if unwrap else _start_tag("a", attrs, False)
        if special == "img":
            return _image(attrs, images)
        return _start_tag(special, attrs, special in _VOID)

    try:
        return _CHANGED_TAG.sub(tag, body)
    except _Decline:
        return None


def _rewrite_tokens(body: str, link_map: dict[str, str], images: str) -> str | None:
    """The streaming rewrite: ``_rewrite_fast`` when it takes the body, else ``_rewrite_stream``."""
    out = _rewrite_fast(body, link_map, images)
    return out if out is not None else _rewrite_stream(body, link_map, images)


def _rewrite_stream(body: str, link_map: dict[str, str], images: str) -> str | None:
    if "\r" in body:
        return None
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # open elements: (name, unwrapped)
    pos, end = 0, len(body)
    while pos < end:
        m = _TOKEN.match(body, pos)
        if m is None:
            return None
        pos = m.end()
        name, raw_attrs, closing, text = m.groups()
        if text is not None:
            if "&" not in text and ">" not in text and text[0] not in " \n\t\x0c":
                out.append(text)  # most text: nothing to unescape, fold or escape
                continue
            if "&" in text and "&" in _NH3_ENTITIES.sub("", text):
                return None  # other references: html.parser has quirks (e.g. at the very end)
            text = _unesc(text)
            if not text.strip(" \n\t\x0c"):  # BeautifulSoup folds a blank string to one space or newline
                text = "\n" if "\n" in text else " "
            out.append(_esc(text))
            continue
        if closing is not None:
            if closing in _VOID or closing in _SPECIAL or not stack or stack[-1][0] != closing:
                return None
            if not stack.pop()[1]:
                out.append(f"</{closing}>")
            continue
        if name in _SPECIAL:
            return None
        if not raw_attrs and name != "a" and name != "img":  # most tags: <p>, <strong>, <li>...
            if name in _VOID:
                out.append(f"<{name}/>")
            else:
                out.append(f"<{name}>")
                stack.append((name, False))
            continue
        attrs: dict[str, str] = {}
        for k, v in _ATTR.findall(raw_attrs):
            if k in _LIST_ATTRS or (k == "rel" and name not in ("a", "area", "link")) or k in attrs:
                return None
            attrs[k] = _unesc(v)
        if name == "a":
            if "rel" in attrs and " ".join(attrs["rel"].split()) != attrs["rel"]:
                return None  # a list-valued attribute BeautifulSoup would re-space
            unwrap = _link(attrs, link_map)
            stack.append(("a", unwrap))
            if not unwrap:
                out.append(_start_tag("a", attrs, False))
            continue
        if name == "img":
            out.append(_image(attrs, images))
            continue
        out.append(_start_tag(name, attrs, name in _VOID))
        if name not in _VOID:
            stack.append((name, False))
    if stack:
        return None
    return "".join(out)


def _rewrite_soup(body_html: str, link_map: dict[str, str], images: str = "keep") -> str:
    """``rewrite`` with BeautifulSoup: the reference the streaming path must equal."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body_html or "", "html.parser")
    for a in soup.find_all("a"):
        href = a.get("href")
        if href is None:
            continue
        if href in link_map:
            a["href"] = link_map[href]
            if "rel" in a.attrs:
                del a["rel"]
        elif urlsplit(href).scheme in ("http", "https"):
            a["rel"] = "noopener noreferrer"
        elif not href.startswith(("#", "mailto:")):
            a.unwrap()  # a relative link to a page that is not in the mirror: keep the text only
    for img in soup.find_all("img"):
        src = img.get("src")
        if images == "drop" or not src or urlsplit(src).scheme not in ("http", "https"):
            img.decompose()  # dropped, or a relative src no base URL could resolve: it leads nowhere
        elif images == "link":
            link = soup.new_tag("a", href=src, rel="noopener noreferrer")
            link["class"] = "image-link"
            link.string = img.get("alt") or img.get("title") or _image_name(src)
            img.replace_with(link)
        else:
            img["loading"] = "lazy"
            img["referrerpolicy"] = "no-referrer"
            img["decoding"] = "async"
    return str(soup)


def _image_name(src: str) -> str:
    name = unquote(urlsplit(src).path.rsplit("/", 1)[-1])
    return f"[图片 {name}]" if name else "[图片]"


# --- duplicates -------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


_PUNCT = re.compile(r"[\s\W_]+", re.U)


def fingerprint(e: Entry) -> tuple[str, str, str] | None:
    """What two copies of one article share: title and opening text (Traditional folded to
    Simplified, punctuation and spacing ignored) and the day. None when there is too little to tell."""
    return fingerprint_of(e.title, e.summary, e.date)


def fingerprint_of(title: str, summary: str | None, date: str | None) -> tuple[str, str, str] | None:
    """``fingerprint`` of an entry with this title, summary and date (the store keeps it with
    the record, so a build need not convert every title and summary again)."""
    conv = _t2s().convert
    title = _PUNCT.sub("", conv(title))
    summary = _PUNCT.sub("", conv(summary or ""))
    if not title or len(summary) < 20:
        return None
    return title, summary, (date or "")[:10]


_path_of = attrgetter("path")


def dedupe(entries, language: str, fingerprints: dict | None = None) -> tuple[list[Entry], dict[Entry, Entry]]:
    """Split entries into the kept ones and {duplicate: kept}. The copy kept is the one in the
    site's script (Simplified for zh-CN, Traditional for zh-TW), then the one with the shortest,
    then the first output path: deterministic whatever the input order. ``fingerprints``: entry
    id -> its ``fingerprint`` when already known (the others are computed)."""
    want_trad = language.lower() in ("zh-tw", "zh-hk", "zh-hant", "zh-mo")
    conv = _t2s().convert
    known = fingerprints or {}
    groups: dict[tuple, list[Entry]] = {}
    singles: list[Entry] = []
    for e in entries:
        fp = known[e.id] if e.id in known else fingerprint(e)
        if fp is None:
            singles.append(e)
        else:
            groups.setdefault(fp, []).append(e)
    kept: list[Entry] = list(singles)
    dups: dict[Entry, Entry] = {}
    for members in groups.values():
        if len(members) == 1:
            kept.append(members[0])
            continue

        def rank(e: Entry):
            is_simplified = conv(e.title + e.summary) == e.title + e.summary
            return (is_simplified == want_trad, len(e.path), e.path)

        members = sorted(members, key=rank)
        kept.append(members[0])
        for other in members[1:]:
            dups[other] = members[0]
    return sorted(kept, key=_path_of), dups
