"""Parse less of a page: its head and the one ``<div>`` of its body a profile names as its region.

A mirrored article page is mostly chrome: a bench page of 55 KB holds its article in 7 KB, and
its menus, sidebar widgets, tag cloud and footer are most of the elements lxml makes and the
cleaner walks. A profile may name the element that holds everything it reads from the body
(``region = "div.post"``); ``cut`` then finds that element's start and end in the page's UTF-8
bytes and gives the bytes lxml parses instead of the whole page: everything up to and including the
``<body>`` tag, the region, and nothing else.

The cut must give the region the very subtree the whole page's parse gives it, so the scanner
follows the HTML tokenizer (libxml2 >= 2.14 tokenizes as HTML5 does: comments, bogus comments,
raw-text elements such as ``<script>`` and ``<textarea>``, attributes with quoted values) and
libxml2's tree rules for a ``<div>``: only ``</div>`` and the table end tags (``</td>``, ``</tr>``,
``</table>``...) close an open div (the other end tags rank below it and are ignored through it),
no start tag closes one, and ``<div/>`` is an empty div. A region holding a table tag, or
``<plaintext>``, or a ``<body>``/``<html>``/``<head>`` tag, or left open at the end of the page, is
not cut (None: the whole page is parsed), nor is a page whose discarded text holds what the
cleaner reads from the whole page (``<meta>``, ``<link>``, ``<title>``, ``<base>``, JSON-LD).
``tests/test_region.py`` compares the region parsed from the cut with the same element parsed
from the whole page, for every ``div`` with a class or an id of every test and corpus page and
of mutated bench pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Region", "parse_region", "cut", "check", "tokens", "SENTINEL_TAG"]

# whitespace as the HTML tokenizer knows it
_S = r"\t\n\f\r "


def _ci(words: str) -> str:
    """``a|bc`` as a pattern matching those words in any case, without re.I (which makes every
    character class of the scanner compare folded characters: several times slower), as a trie
    (a tag name that is none of them fails at its first or second letter)."""
    def trie(ws: list[str]) -> str:
        heads: dict[str, list[str]] = {}
        for w in ws:
            if w:
                heads.setdefault(w[0], []).append(w[1:])
        alts = [(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c)) + trie(rest)
                for c, rest in sorted(heads.items())]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in ws:
            body = ("(?:" + body + ")" if len(alts) == 1 else body) + "?"
        return body
    return trie(sorted(set(words.split("|"))))


# a start or end tag's attributes, as the tokenizer splits them (possessive: no backtracking)
_ATTRS = (rf"(?>[{_S}]+|/(?!>)|[^{_S}/>][^{_S}/>=]*"
          rf"(?>[{_S}]*=[{_S}]*(?>\"[^\"]*\"|'[^']*'|[^{_S}>]*))?)*+")
_RAW = "script|style|xmp|iframe|noembed|noframes|textarea|title"


def _raw(name: str) -> str:
    """A raw-text element (its text holds no tags) up to its end tag, or to the end of the text."""
    n = _ci(name)
    return rf"<{n}(?=[{_S}/>]){_ATTRS}/?>(?:[^<]++|<(?!/{n}[{_S}/>]))*+(?:</{n}{_ATTRS}>)?"


# elements of every article, in lower case (those a scanner stops at or reads as raw text are left out
# of its quick step)
_COMMON = "p|br|img|span|strong|em|i|b|u|s|h1|h2|h3|h4|h5|h6|sup|sub|small|section|figure|figcaption|time|pre|code"


def _scanner(names: str) -> re.Pattern:
    """Matches, at a position of the text, everything up to and including the next start or end
    tag named in ``names`` (lower case): groups "end" ("/" for an end tag), "name", "attrs",
    "selfclose". What it passes over is what the tokenizer consumes without making such a tag:
    text, a "<" that opens no tag, comments, bogus comments (<!...>, <?...>, </ followed by no
    letter), raw-text elements with their text, and every other start or end tag."""
    other = _ci(names + "|" + _RAW)
    # (each step takes the text before a "<" and what begins there: one step of the repetition,
    # not two, a tag and its text, ~10% faster than text and tags as steps of their own; where no
    # step can begin, the text is taken again by the final [^<]*+, as the repetition stops)
    # a tag's name and attributes when its names hold no quote or "=" (the same end as the general
    # form below, ~30% faster)
    plain = (rf"[^{_S}/>\"'=]*+(?:[{_S}/]++[^{_S}/>\"'=]++"
             rf"(?:[{_S}]*+=[{_S}]*+(?:\"[^\"]*+\"|'[^']*+'|[^{_S}>\"'][^{_S}>]*+))?)*+[{_S}/]*+>")
    # letters no name of ``other`` begins with (<a>, <li>, <ul>, most tags of a page): a tag
    # beginning with one is none of them, without the look-ahead that tells it
    words = (names + "|" + _RAW).split("|")
    free = "".join(c + c.upper() for c in "abcdefghijklmnopqrstuvwxyz"
                   if not any(w.startswith(c) for w in words))
    # before them, the most common tags of all, when their name begins with such a letter: lower
    # case letters and digits, and each attribute one space, a lower case name and a quoted value
    # (<a href="..." class="...">, <link rel='...'>, <li>, </ul>): fewer steps of sre than
    # ``plain`` (~20% less time to scan a bench page's body, ~30% its head), and where a tag is not
    # of that form, the step fails at once and the forms below take it. The tokenizer ends such a
    # tag where this ends it: its name ends at a space, "/" or ">"; an "=" straight after an
    # attribute's name begins its value, and a quote straight after that "=" a quoted value, ended
    # by the next same quote; after it, a space begins the next attribute, and spaces and slashes
    # are passed over up to the ">".
    attrs = rf"(?: [a-z][-a-z0-9_:.]*+=(?:\"[^\"]*+\"|'[^']*+'))*+[{_S}/]*+>"
    quick = rf"<[{free}][a-z0-9]*+{attrs}|</[{free}][a-z0-9]*+>|" if free else ""
    # and so the commonest elements of an article whose first letter a name of ``other`` begins
    # with (<p>, <br>, <img>, <span>: ~10% less time again in a region), by their names (a name
    # followed by more letters, <pre> or <plaintext>, is none of them: the step fails)
    common = "|".join(n for n in _COMMON.split("|") if n not in words and n[0] not in free)
    if common:
        quick += rf"<(?:{common}){attrs}|</(?:{common})>|"
    skip = (rf"(?:[^<]*+(?>" + quick
            + (rf"</?[{free}]{plain}|" if free else "")
            + rf"</?(?!(?:{other})[{_S}/>])[A-Za-z]{plain}"
            rf"|</?(?!(?:{other})[{_S}/>])[A-Za-z][^{_S}/>]*{_ATTRS}/?>"
            rf"|<!--(?>>|->|(?:[^-]++|-(?!-!?>))*+(?:--!?>)?)"
            rf"|<![^>]*+>?|<\?[^>]*+>?|</(?![A-Za-z])[^>]*+>?"
            + "".join("|" + _raw(n) for n in _RAW.split("|"))
            + r"|<(?![A-Za-z/!?])))*+[^<]*+")
    token = rf"<(?P<end>/?)(?P<name>{_ci(names)})(?=[{_S}/>])(?P<attrs>{_ATTRS})(?P<selfclose>/?)>"
    return re.compile((skip + token).encode("ascii"))


_TABLE = "table|caption|colgroup|col|tbody|thead|tfoot|tr|td|th"
_BODY = _scanner("body|plaintext")
_START = _scanner("div|plaintext")
_INSIDE = _scanner(f"div|plaintext|body|html|head|frameset|{_TABLE}")
_ATTR = re.compile(rf"([^{_S}/>][^{_S}/>=]*)(?:[{_S}]*=[{_S}]*(?:\"([^\"]*)\"|'([^']*)'|([^{_S}>]*)))?")
# what the cleaner reads from anywhere in a page (sitegen.extract.read_meta): text holding one of
# these is never left out
_PAGE_TAGS = re.compile(rf"<(?:{_ci('meta|link|title|base')})[{_S}/>]".encode("ascii"))
_JSON_LD = re.compile(rf"\+{_ci('json')}".encode("ascii"))

# Both searches over the discarded text (~32 KB of a bench page), at once and ~1.5x faster: sre's
# search for a pattern that begins with one literal ("<") calls its matcher at every "<" of the
# text. The text is first folded (bytes.translate): "<" and "+" to "<", every letter of the four
# tag names' first four letters and of "json", in either case, to \x01, every other byte to "x";
# wherever either pattern matches, the folded text holds "<" and four \x01 there, a literal that
# sre finds by its prefix scan without calling the matcher. Each such place (a few a page: <small,
# <table, <label...) is then tried with the patterns themselves.
_FOLD_LETTERS = "metalinktitlbasejson"
assert all(w[:4] in _FOLD_LETTERS for w in ("meta", "link", "title", "base")) and "json" in _FOLD_LETTERS
FOLD = bytes(ord("<") if b in b"<+" else 1 if b < 128 and chr(b).isalpha() and chr(b).lower() in _FOLD_LETTERS
             else ord("x") for b in range(256))
_FOLDED = re.compile(b"<\x01\x01\x01\x01")
_FOLD_TRIES = 16  # places tried before the patterns themselves search the rest (a page full of <small>)


def _reads(data: bytes, start: int, end: int, folded: bytes | None = None) -> bool:
    """``data[start:end]`` holds a match of ``_PAGE_TAGS`` or ``_JSON_LD`` (as their ``search``
    with ``pos`` and ``endpos`` finds it). ``folded``: the whole of ``data`` folded (see ``cut``),
    else its part is folded here."""
    if folded is None:
        folded, lo, hi, off = data[start:end].translate(FOLD), 0, end - start, start
    else:
        lo, hi, off = start, end, 0
    search = _FOLDED.search
    m = search(folded, lo, hi)
    tries = _FOLD_TRIES
    while m is not None:
        at = off + m.start()
        if _PAGE_TAGS.match(data, at, end) or _JSON_LD.match(data, at, end):
            return True
        tries -= 1
        if not tries:
            return (_PAGE_TAGS.search(data, at + 1, end) is not None
                    or _JSON_LD.search(data, at + 1, end) is not None)
        m = search(folded, m.start() + 1, hi)
    return False


# the element put after the region: the region was closed before it when it is the body's last
# element and the region its previous sibling
SENTINEL_TAG = "sitegen-region-end"
_SENTINEL = f"<{SENTINEL_TAG}></{SENTINEL_TAG}></body></html>".encode("ascii")


@dataclass(frozen=True, slots=True)
class Region:
    """A ``div`` with classes and/or an id: ``div.post``, ``div#main.article``."""
    selector: str
    classes: tuple[str, ...]
    id: str | None
    needles: tuple[bytes, ...] = ()  # the id and classes as UTF-8: a start tag without them is not it

    def matches(self, attrs: bytes) -> bool:
        """The start tag's attribute text (UTF-8) names this region's classes and id."""
        for n in self.needles:
            if n not in attrs:
                return False
        found = _attributes(attrs.decode("utf-8", "replace"))
        if self.id is not None and found.get("id") != self.id:
            return False
        if self.classes:
            toks = tokens(found.get("class") or "")
            return all(c in toks for c in self.classes)
        return True


_HTML_WS = str.maketrans("\t\n\f\r", "    ")


def tokens(value: str) -> list[str]:
    """Whitespace-separated tokens (class names, rel values) as HTML splits them."""
    if value.isprintable():  # the only whitespace in it is the space: str.split() splits the same
        return value.split()
    if "\t" in value or "\n" in value or "\r" in value or "\f" in value:
        value = value.translate(_HTML_WS)
    return [t for t in value.split(" ") if t]

_REGION = re.compile(r"div((?:[.#](?!\d)[\w\-]+)+)", re.I)


def parse_region(selector: str) -> Region | None:
    """``div`` followed by classes and/or one id (``div.post``, ``div#content.main``), else None."""
    m = _REGION.fullmatch(selector.strip())
    if not m:
        return None
    parts = re.findall(r"[.#][\w\-]+", m.group(1))
    ids = {p[1:] for p in parts if p[0] == "#"}
    if len(ids) > 1:
        return None
    classes, ident = tuple(p[1:] for p in parts if p[0] == "."), next(iter(ids), None)
    return Region(selector.strip(), classes, ident, tuple(x.encode() for x in classes + ((ident,) if ident else ())))


def _attributes(attrs: str) -> dict[str, str]:
    """A tag's attributes, names lower-cased, the first of a repeated name kept (as HTML does)."""
    out: dict[str, str] = {}
    for m in _ATTR.finditer(attrs):
        name = m.group(1).lower()
        if name not in out:
            v = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
            out[name] = v or ""
    return out


def body_tag_end(data: bytes) -> int | None:
    """The position just after the page's ``<body ...>`` start tag, or None (no body tag, or
    ``<plaintext>`` before it)."""
    m = _BODY.match(data, 0)
    if m is None or m.group("end") or m.group("name").lower() != b"body":
        return None
    return m.end()


def find(data: bytes, start: int, region: Region) -> tuple[int, int] | None:
    """(start, end) of the first ``div`` matching ``region`` after ``start`` (its start tag to its
    end tag included), or None when it is not there or cannot be cut exactly."""
    pos = start
    match = _START.match
    while True:
        m = match(data, pos)
        if m is None:
            return None
        pos = m.end()
        # (the four groups at once: one call, not one for each)
        end, name, attrs, selfclose = m.groups()
        if end or name.lower() != b"div":
            if name.lower() == b"plaintext":
                return None
            continue
        if selfclose or not region.matches(attrs):
            continue
        begin = m.start("end") - 1  # the "<" of the region's start tag
        break
    depth = 1
    match = _INSIDE.match
    while True:
        m = match(data, pos)
        if m is None:
            return None  # the region is never closed, or the scanner lost its way: no cut
        pos = m.end()
        end, name, attrs, selfclose = m.groups()
        if name.lower() != b"div":
            return None  # a table tag (it may close the region), <plaintext>, <body>...
        if end:
            depth -= 1
            if depth == 0:
                return begin, pos
        elif not selfclose:
            depth += 1


def cut(data: bytes, region: Region, folded: bytes | None = None) -> tuple[bytes, int, int] | None:
    """What to parse instead of the page ``data`` (UTF-8): the page up to its ``<body>`` tag, the
    region, and a sentinel element after it (``check`` then removes it); with the region's
    (start, end) in ``data``. None when the page cannot be cut exactly. (Bytes, not text: a
    slice of a text holding CJK is copied and scanned for its widest character, and the parser
    wants bytes anyway.) ``folded``: ``data.translate(FOLD)``, or ``data`` translated by a table
    that maps the same bytes to "<" and to \\x01 as FOLD (``Decoded.folded``: decode folds the
    page as it looks for control bytes), which the discarded text's searches then need not make
    (~12 us of a bench page)."""
    if folded is not None and len(folded) != len(data):
        raise ValueError("folded is not the page folded")
    body = body_tag_end(data)
    if body is None:
        return None
    span = find(data, body, region)
    if span is None:
        return None
    s, e = span
    if _reads(data, body, s, folded) or _reads(data, e, len(data), folded):
        return None
    return b"".join((data[:body], data[s:e], _SENTINEL)), s, e


def check(root, region: Region):
    """The region element of a tree parsed from ``cut``'s text, its sentinel removed; None when
    the parser did not close the region where the scanner did (the tree is then not used)."""
    body = root.find("body")
    if body is None or len(body) < 2:
        return None
    last = body[-1]
    if last.tag != SENTINEL_TAG or last.text or last.tail or len(last):
        return None
    el = last.getprevious()
    while el is not None and not isinstance(el.tag, str):
        el = el.getprevious()
    if el is None or el.tag != "div":
        return None
    toks = tokens(el.get("class") or "")
    if any(c not in toks for c in region.classes) or (region.id is not None and el.get("id") != region.id):
        return None
    body.remove(last)
    return el
