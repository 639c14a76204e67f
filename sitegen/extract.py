"""The generic main-content extractor, and the page helpers the cleaner shares with profiles.

Pages are parsed with lxml's HTML parser (the same libxml2 tree ``BeautifulSoup(text, "lxml")``
builds, 10-15x faster; a 10,000-page mirror has to clean in well under a minute).

Main content (``find_content``): after removing what can never be content (scripts, styles, forms,
comments, hidden elements, nav/aside/footer), every element gets statistics in ONE bottom-up pass:
characters, characters inside links, sentence punctuation. Each paragraph-like unit (a ``<p>``, or
the inline text run directly inside a ``<div>``/``<td>``) scores by its non-link characters (CJK
characters count 1, Latin letters 1/3: Chinese has no spaces) plus a bonus per sentence
punctuation mark, and passes its score to its container (full), grandparent (1/2) and
great-grandparent (1/4). The best container, weighted by its link density and by class/id hints, is
the article; siblings that score well (split article bodies, a lead in its own field) join it.

Inside the article: link lists (related/promo stories), share bars, disclaimers, captions, credit,
byline and date lines are removed; ``来源：``/``作者：`` lines give ``source``/``author``.

Metadata, in order of preference (first that gives a value wins):
- title: ``og:title`` / ``twitter:title``, JSON-LD ``headline``, the article heading (``h1``/``h2``
  that matches ``<title>``), ``<title>`` minus the site-name suffix, a prominent line above the
  body; all entity-decoded, whitespace collapsed.
- date: JSON-LD ``datePublished``, ``article:published_time`` (and similar meta), ``<time datetime>``,
  a date line near the title / in the article header, the page's own URL (never another link's).
- tags: ``rel=tag`` links and links inside tag containers (``.tags``, ``.keywords``…) in the
  article scope, page order, de-duplicated; never ``<meta keywords>``.
- source / author: ``来源：``/``作者：``/``编辑：`` lines, bylines, ``meta[name=author]``.
- url: canonical, ``og:url``, the dataset ``<text id=URL>`` wrapper, a leading ``<!--URL-->`` comment.
"""

from __future__ import annotations

import html as htmllib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

# ---------------------------------------------------------------------------------------------
# Parsing

_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=False, remove_pis=True,
                               no_network=True, recover=True, default_doctype=False)
_CTRL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")


def parse_html(text: str):
    """Parse page text to an lxml root element (never None). Raises ValueError if unparseable."""
    text = _CTRL.sub("", text)
    data = text.encode("utf-8", errors="replace")
    if not data.strip():
        raise ValueError("empty document")
    root = lxml.html.document_fromstring(data, parser=_PARSER)
    if root is None:
        raise ValueError("no document element")
    return root


# ---------------------------------------------------------------------------------------------
# Text helpers

_WS = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_LATIN = re.compile(r"[A-Za-z0-9\u00c0-\u024f]")
_SENT_PUNCT = re.compile(r"[，。！？；：、,.!?;]")
_FULL_PUNCT = re.compile(r"[，。！？；]")


def norm_ws(s: str | None) -> str:
    return _WS.sub(" ", s or "").strip()


def weight_len(s: str) -> float:
    """Information length of text: CJK characters count 1, Latin letters/digits 1/3."""
    cjk = len(_CJK.findall(s))
    lat = len(_LATIN.findall(s))
    return cjk + lat / 3.0


def node_text(el) -> str:
    try:
        return norm_ws(el.text_content())
    except ValueError:
        return ""


def classid(el) -> str:
    return ((el.get("class") or "") + " " + (el.get("id") or "")).strip()


# ---------------------------------------------------------------------------------------------
# Metadata sources


@dataclass
class PageMeta:
    lang: str | None = None
    url: str | None = None
    url_from: str | None = None
    meta: dict = field(default_factory=dict)  # lower-cased name/property -> first content
    jsonld: list = field(default_factory=list)  # flattened JSON-LD objects
    title_tag: str = ""
    wrapper_title: str = ""
    site_name: str = ""


_WRAPPER = re.compile(r"""^\s*<text\s+id\s*=\s*"([^"]*)"(?:\s+title\s*=\s*"([^"]*)")?""", re.I)
_LEAD_COMMENT = re.compile(r"^\s*<!--\s*(https?://[^\s>]+?)\s*-->")


def _flatten_jsonld(obj, out: list, depth: int = 0) -> None:
    if depth > 6:
        return
    if isinstance(obj, list):
        for o in obj[:50]:
            _flatten_jsonld(o, out, depth + 1)
    elif isinstance(obj, dict):
        out.append(obj)
        if "@graph" in obj:
            _flatten_jsonld(obj["@graph"], out, depth + 1)
        for k in ("mainEntity", "mainEntityOfPage", "itemListElement"):
            v = obj.get(k)
            if isinstance(v, (dict, list)):
                _flatten_jsonld(v, out, depth + 1)


def read_meta(root, text: str) -> PageMeta:
    pm = PageMeta()
    lang = root.get("lang") or root.get("xml:lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang and re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*", lang.strip()):
        pm.lang = lang.strip().replace("_", "-")
    for m in root.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv") or "").strip().lower()
        content = m.get("content")
        if key and content is not None and key not in pm.meta:
            pm.meta[key] = norm_ws(content)
    for s in root.iter("script"):
        if (s.get("type") or "").strip().lower() == "application/ld+json" and s.text:
            raw = s.text.strip()
            try:
                data = json.loads(raw)
            except ValueError:
                try:
                    data = json.loads(re.sub(r"[\x00-\x1f]", " ", raw))
                except ValueError:
                    continue
            _flatten_jsonld(data, pm.jsonld)
    t = root.find(".//title")
    if t is not None:
        pm.title_tag = node_text(t)
    pm.site_name = pm.meta.get("og:site_name", "")

    canonical = None
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and link.get("href", "").strip():
            canonical = link.get("href").strip()
            break
    head = text[:4000]
    wm = _WRAPPER.match(head)
    if wm:
        pm.wrapper_title = htmllib.unescape(wm.group(2) or "")
    candidates = [
        (canonical, "canonical link"),
        (pm.meta.get("og:url"), "og:url"),
        (htmllib.unescape(wm.group(1)) if wm else None, "dataset <text id> wrapper"),
        (_LEAD_COMMENT.match(head).group(1) if _LEAD_COMMENT.match(head) else None, "leading <!--URL--> comment"),
    ]
    for u, why in candidates:
        u = (u or "").strip()
        if u.startswith("//"):
            u = "https:" + u
        if re.match(r"https?://[^/\s]+", u):
            pm.url, pm.url_from = u, why
            break
        if u.startswith("/") and not pm.url:
            # a relative canonical: resolve against a later absolute candidate if there is one
            for u2, why2 in candidates:
                if u2 and re.match(r"https?://", u2.strip()):
                    pm.url, pm.url_from = urljoin(u2.strip(), u), why
                    break
            if pm.url:
                break
    return pm


def jsonld_types(pm: PageMeta) -> set[str]:
    out = set()
    for o in pm.jsonld:
        t = o.get("@type")
        for x in (t if isinstance(t, list) else [t]):
            if isinstance(x, str):
                out.add(x.lower())
    return out


# ---------------------------------------------------------------------------------------------
# Dates

_DATE_PATTERNS = [
    re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)"),
]
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_EN_DATE = re.compile(r"\b(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+((?:19|20)\d{2})\b|"
                      r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2}),?\s+((?:19|20)\d{2})\b", re.I)


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        dt = datetime(y, m, d)
    except ValueError:
        return None
    if not 1990 <= y <= 2100:
        return None
    return dt.strftime("%Y-%m-%d")


def parse_date(s: str | None, compact: bool = True) -> str | None:
    """The first plausible calendar date in ``s`` as YYYY-MM-DD."""
    if not s:
        return None
    s = s.strip()
    if re.fullmatch(r"\d{9,10}(?:\.\d+)?|\d{12,13}", s):  # epoch seconds / milliseconds
        v = float(s)
        if v > 1e11:
            v /= 1000
        try:
            return datetime.fromtimestamp(v, tz=timezone.utc).strftime("%Y-%m-%d")
        except (ValueError, OverflowError, OSError):
            return None
    for i, rx in enumerate(_DATE_PATTERNS):
        if i == 1 and not compact:
            break
        for m in rx.finditer(s):
            d = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if d:
                return d
    m = _EN_DATE.search(s)
    if m:
        if m.group(1):
            return _valid(int(m.group(3)), _MONTHS[m.group(2).lower()[:3]], int(m.group(1)))
        return _valid(int(m.group(6)), _MONTHS[m.group(4).lower()[:3]], int(m.group(5)))
    return None


def date_from_url(url: str | None) -> str | None:
    """A date in the URL's path (``/2019/11/22/``, ``/20240606/``, ``2019-11-25``, ``201603190029``)."""
    if not url:
        return None
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return None
    m = re.search(r"(?<!\d)((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?!\d)", path)
    if m:
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.search(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?:\d{0,6})(?!\d)", path)
    if m:
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.search(r"(?<!\d)((?:19|20)\d{2})[/_-](\d{1,2})[/_-]", path)
    return None


_DATE_META = ("article:published_time", "og:article:published_time", "article:published",
              "datepublished", "publishdate", "publish_date", "pubdate", "publishtime", "publish-date",
              "dc.date.issued", "dc.date", "dcterms.created", "sailthru.date", "parsely-pub-date",
              "og:published_time", "article.published", "date", "release_date", "created")


def meta_date(pm: PageMeta) -> tuple[str | None, str]:
    for o in pm.jsonld:
        v = o.get("datePublished") or o.get("dateCreated")
        if isinstance(v, str):
            d = parse_date(v)
            if d:
                return d, "JSON-LD datePublished"
    for k in _DATE_META:
        v = pm.meta.get(k)
        if v:
            d = parse_date(v)
            if d:
                return d, f"<meta {k}>"
    return None, ""


# ---------------------------------------------------------------------------------------------
# Cleaning the tree

_REMOVE_TAGS = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
                "form", "input", "button", "select", "textarea", "option", "label", "canvas", "video",
                "audio", "map", "link", "meta", "head", "frame", "frameset", "applet", "dialog", "nav"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|em|pt)?\s*(?:;|$)", re.I)
_HIDDEN_CLASS = {"hidden", "hide", "d-none", "display-none", "displaynone", "invisible", "sr-only",
                 "visually-hidden", "visuallyhidden", "screen-reader-text", "is-hidden", "u-hidden"}


def is_hidden(el) -> bool:
    if el.get("hidden") is not None:
        return True
    st = el.get("style")
    if st and _HIDDEN_STYLE.search(st):
        return True
    cls = el.get("class")
    if cls and _HIDDEN_CLASS.intersection(cls.lower().split()):
        return True
    if (el.get("aria-hidden") or "").lower() == "true" and el.tag in ("span", "div", "p", "i", "em", "font"):
        # decorative or duplicate text for screen readers only; keep if it is the only text
        return len(node_text(el)) < 40
    return False


def drop(el) -> None:
    """Remove ``el`` but keep its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def unwrap(el) -> None:
    """Replace ``el`` by its content."""
    parent = el.getparent()
    if parent is None:
        return
    try:
        el.drop_tag()
    except (AttributeError, ValueError):
        drop(el)


def strip_page(root, explain: list[str] | None = None) -> None:
    """Remove what is never content: scripts, styles, forms, comments, hidden elements, nav."""
    removed: dict[str, int] = {}
    hidden = 0
    kill = []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            kill.append(el)  # comments, processing instructions
            continue
        if tag in _REMOVE_TAGS:
            kill.append(el)
            removed[tag] = removed.get(tag, 0) + 1
        elif tag not in ("html", "body") and is_hidden(el):
            kill.append(el)
            hidden += 1
    for el in kill:
        if el.getparent() is not None:
            drop(el)
    if explain is not None:
        if removed:
            explain.append("removed " + ", ".join(f"{n} <{t}>" for t, n in sorted(removed.items())))
        if hidden:
            explain.append(f"removed {hidden} hidden element(s) (display:none / visibility:hidden / hidden)")


# ---------------------------------------------------------------------------------------------
# Main-content detection

_BLOCK_TAGS = frozenset("""p div section article main header footer aside ul ol li dl dt dd table tbody
    thead tfoot tr td th blockquote pre h1 h2 h3 h4 h5 h6 figure figcaption center form fieldset
    address hr body html caption details summary""".split())
_PARA_TAGS = frozenset("p pre blockquote li h2 h3 h4 h5 h6 dd td".split())

_NEG = re.compile(
    r"(?:^|[-_\s\d])(?:comments?|reply|replies|footer|foot|sidebar|side|aside|nav|navi|navbar|menu|"
    r"breadcrumbs?|crumbs?|related|relate|recommend\w*|rec|share|sharing|social|sns|ads?|advert\w*|"
    r"banner|sponsor\w*|promo\w*|popup|modal|cookie|subscribe|newsletter|login|signup|toolbar|tools?|"
    r"widget|hot|hotnews|rank\w*|copyright|disclaimer|statement|pagination|pager|paging|more|"
    r"print|feedback|qrcode|weixin|wechat|weibo|app|download|topbar|header|masthead|logo|search|"
    r"corner|extra|gotop|backtop|right|left|col-right|bottom|links|friend|tag-?cloud|list|"
    r"caption|credit|byline|author|meta|info|source|time|date|tags|keywords|topics?)(?=$|[-_\s\d])",
    re.I,
)
_POS = re.compile(
    r"(?:^|[-_\s])(?:article\w*|content\w*|entry\w*|post\w*|text|body|main|story|detail\w*|"
    r"news\w*|cont|artic\w*|zw|txt|rich_media\w*|instapaper_body|prose)(?=$|[-_\s\d])",
    re.I,
)


@dataclass
class Stats:
    chars: float = 0.0  # weighted characters
    link: float = 0.0  # weighted characters inside <a>
    punct: int = 0
    score: float = 0.0  # accumulated content score
    paras: int = 0


def _class_weight(el) -> float:
    ci = classid(el)
    if not ci:
        return 1.0
    w = 1.0
    if _POS.search(ci):
        w *= 1.3
    if _NEG.search(ci):
        w *= 0.6
    return w


def analyze(root) -> tuple[dict, list]:
    """One bottom-up pass: Stats for every element. Returns (stats by element, elements kept alive)."""
    els = [e for e in root.iter() if isinstance(e.tag, str)]
    st: dict = {e: Stats() for e in els}
    own: dict = {}
    for e in reversed(els):  # descendants before ancestors
        s = st[e]
        t = e.text
        if t and not t.isspace():
            wl = weight_len(t)
            s.chars += wl
            s.punct += len(_SENT_PUNCT.findall(t))
            if e.tag == "a":
                s.link += wl
        block_chars = block_link = 0.0
        block_punct = 0
        for c in e:
            if not isinstance(c.tag, str):
                continue
            cs = st[c]
            s.chars += cs.chars
            s.link += cs.link
            s.punct += cs.punct
            if c.tag in _BLOCK_TAGS or c.tag == "br" and False:
                block_chars += cs.chars
                block_link += cs.link
                block_punct += cs.punct
            tl = c.tail
            if tl and not tl.isspace():
                wl = weight_len(tl)
                s.chars += wl
                s.punct += len(_SENT_PUNCT.findall(tl))
        if e.tag == "a":
            s.link = s.chars
        if e.tag in _BLOCK_TAGS or e.tag in ("font", "span"):
            oc = s.chars - block_chars
            ol = s.link - block_link
            op = s.punct - block_punct
            if oc >= 1 and e.tag not in ("span", "font") or (e.tag in ("span", "font") and oc >= 30 and e.getparent() is not None and e.getparent().tag in ("td", "body")):
                own[e] = (oc, ol, op)
    # paragraph units pass their score up
    for e, (oc, ol, op) in own.items():
        if oc < 8:
            continue
        ld = ol / oc if oc else 0
        if ld > 0.5:
            continue
        score = (oc - ol) * (1 - ld) + 4 * min(op, oc / 5)
        node = e.getparent() if e.tag in _PARA_TAGS and e.tag != "td" else e
        share = 1.0
        for _ in range(3):
            if node is None or node not in st:
                break
            st[node].score += score * share
            st[node].paras += 1
            node = node.getparent()
            share /= 2
    return st, els


def find_content(root, explain: list[str] | None = None):
    """The element holding the article body, and the list of elements forming it (the best
    candidate and well-scoring siblings), or (None, [])."""
    st, _keep = analyze(root)
    best, best_score = None, 0.0
    for e, s in st.items():
        if s.score <= 0 or e.tag in ("html", "a", "span", "font", "li", "ul", "ol", "p"):
            continue
        ld = s.link / s.chars if s.chars else 1
        final = s.score * (1 - ld) * _class_weight(e)
        if final > best_score:
            best, best_score = e, final
    if best is None:
        return None, [], st
    # If the best candidate is one of several similar siblings (body split in blocks), take them.
    parts = [best]
    parent = best.getparent()
    if parent is not None and best.tag != "body":
        thresh = max(10.0, best_score * 0.2)
        parts = []
        for sib in parent:
            if not isinstance(sib.tag, str):
                continue
            if sib is best:
                parts.append(sib)
                continue
            s = st.get(sib)
            if s is None or s.chars < 1:
                continue
            ld = s.link / s.chars if s.chars else 1
            sc = s.score * (1 - ld) * _class_weight(sib)
            if sc >= thresh and ld < 0.3:
                parts.append(sib)
            elif sib.tag == "p" and s.chars >= 30 and ld < 0.2 and s.punct >= 2:
                parts.append(sib)
    if explain is not None:
        desc = describe(best)
        explain.append(f"generic extractor: main content = {desc} (score {best_score:.0f})"
                       + (f" + {len(parts) - 1} sibling block(s)" if len(parts) > 1 else ""))
    return best, parts, st


def describe(el) -> str:
    s = el.tag
    if el.get("id"):
        s += "#" + el.get("id").strip()[:40]
    if el.get("class"):
        s += "".join("." + c for c in el.get("class").split()[:3])
    return "<" + s + ">"


# ---------------------------------------------------------------------------------------------
# Body serialisation: the kept subtree -> clean block HTML

_INLINE_KEEP = {"a": "a", "strong": "strong", "b": "strong", "em": "em", "i": "em", "sub": "sub",
                "sup": "sup", "code": "code", "u": None, "s": None, "q": None, "cite": None}
_HEADINGS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
_BR = "\x00BR\x00"
_INDENT = re.compile(r"^[\u3000\u00a0 \t]{2,}|^\u3000")


def esc(s: str) -> str:
    return htmllib.escape(s, quote=False)


def _attr(s: str) -> str:
    return htmllib.escape(s, quote=True)


class BodyWriter:
    """Turns a cleaned subtree into a flat sequence of clean blocks (p, h2-h4, ul/ol, blockquote,
    figure, table, pre). Divs become paragraph boundaries; ``<br><br>`` splits paragraphs;
    hard-wrapped lines are joined."""

    def __init__(self, base_url: str | None = None):
        self.base = base_url
        self.out: list[str] = []
        self.buf: list[str] = []
        self.texts: list[str] = []  # plain text of each block, for the summary

    # -- paragraphs ----------------------------------------------------------------------------
    def flush(self) -> None:
        if not self.buf:
            return
        raw = "".join(self.buf)
        self.buf = []
        for para in _split_lines(raw):
            plain = norm_ws(re.sub(r"<[^>]+>", "", para))
            if not plain and "<img" not in para:
                continue
            self.out.append(f"<p>{para.strip()}</p>")
            if plain:
                self.texts.append(htmllib.unescape(plain))

    def block(self, html: str, text: str) -> None:
        self.flush()
        self.out.append(html)
        if text:
            self.texts.append(text)

    # -- walking -------------------------------------------------------------------------------
    def walk_children(self, el) -> None:
        if el.text:
            self.buf.append(esc(el.text))
        for c in el:
            self.node(c)
            if c.tail:
                self.buf.append(esc(c.tail))

    def node(self, el) -> None:
        tag = el.tag
        if not isinstance(tag, str):
            return
        if tag == "br":
            self.buf.append(_BR)
        elif tag == "img":
            src = el.get("src") or el.get("data-src") or el.get("data-original") or el.get("data-lazy-src") or ""
            if src and not src.startswith("data:"):
                alt = el.get("alt") or el.get("title") or ""
                self.buf.append(f'<img src="{_attr(src)}" alt="{_attr(norm_ws(alt))}">')
        elif tag in _HEADINGS:
            text = node_text(el)
            if text:
                h = _HEADINGS[tag]
                self.block(f"<{h}>{self.inline_html(el)}</{h}>", text)
        elif tag in ("ul", "ol"):
            items = []
            texts = []
            for li in el:
                if not isinstance(li.tag, str):
                    continue
                t = node_text(li)
                if not t and not li.findall(".//img"):
                    continue
                items.append(f"<li>{self.inline_html(li)}</li>")
                texts.append(t)
            if items:
                self.block(f"<{tag}>{''.join(items)}</{tag}>", "\n".join(texts))
        elif tag == "blockquote":
            sub = BodyWriter(self.base)
            sub.walk_children(el)
            sub.flush()
            if sub.out:
                self.block("<blockquote>" + "".join(sub.out) + "</blockquote>", "\n".join(sub.texts))
        elif tag == "pre":
            t = el.text_content()
            if t.strip():
                self.block(f"<pre>{esc(t.strip(chr(10)))}</pre>", norm_ws(t))
        elif tag == "figure":
            imgs = el.findall(".//img")
            cap_el = el.find(".//figcaption")
            cap = node_text(cap_el) if cap_el is not None else ""
            parts = []
            for img in imgs[:4]:
                src = img.get("src") or img.get("data-src") or img.get("data-original") or ""
                if src and not src.startswith("data:"):
                    alt = norm_ws(img.get("alt") or "") or cap
                    title = f' title="{_attr(cap)}"' if cap else ""
                    parts.append(f'<img src="{_attr(src)}" alt="{_attr(alt)}"{title}>')
            if parts:
                # captions are kept as the image's alt/title text, not as body text
                self.block("<figure>" + "".join(parts) + "</figure>", "")
            else:
                rest = [c for c in el if c is not cap_el]
                for c in rest:
                    self.node(c)
        elif tag == "table" and _is_data_table(el):
            rows = []
            texts = []
            for tr in el.iter("tr"):
                cells = []
                for td in tr:
                    if td.tag in ("td", "th"):
                        cells.append(f"<{td.tag}>{self.inline_html(td)}</{td.tag}>")
                        texts.append(node_text(td))
                if cells:
                    rows.append("<tr>" + "".join(cells) + "</tr>")
            if rows:
                self.block("<table>" + "".join(rows) + "</table>", "\n".join(t for t in texts if t))
        elif tag in _BLOCK_TAGS or tag in ("td", "th", "tr"):
            self.flush()
            self.walk_children(el)
            self.flush()
        elif tag in _INLINE_KEEP and _INLINE_KEEP[tag]:
            name = _INLINE_KEEP[tag]
            if name == "a":
                href = el.get("href") or ""
                if href and not href.startswith("#") and not href.lower().startswith("javascript"):
                    self.buf.append(f'<a href="{_attr(href)}">')
                    self.walk_children(el)
                    self.buf.append("</a>")
                else:
                    self.walk_children(el)
            else:
                self.buf.append(f"<{name}>")
                self.walk_children(el)
                self.buf.append(f"</{name}>")
        else:
            self.walk_children(el)

    def inline_html(self, el) -> str:
        sub = BodyWriter(self.base)
        sub.walk_children(el)
        raw = "".join(sub.buf)
        # nested blocks inside an inline context: keep their text, separated by breaks
        for b in sub.out:
            raw += "<br>" + re.sub(r"</?(?:p|ul|ol|li|blockquote|figure|h\d)>", " ", b)
        return norm_ws(raw.replace(_BR, "<br>")).strip()

    def html(self) -> str:
        self.flush()
        return "\n".join(self.out)


def _is_data_table(table) -> bool:
    """A table of data (keep as a table) rather than a layout table (walk into it)."""
    if table.find(".//table") is not None:
        return False
    rows = table.findall(".//tr")
    if len(rows) < 2:
        return False
    for td in table.iter("td", "th"):
        if td.find(".//p") is not None or td.find(".//div") is not None:
            return False
        if len(node_text(td)) > 200:
            return False
    return True


def _split_lines(raw: str) -> list[str]:
    """Split an inline run at <br> markers into paragraphs: a blank line (two breaks) or an
    indented line starts a new paragraph; hard-wrapped lines (similar lengths) are joined."""
    if _BR not in raw:
        return [_strip_indent(raw)]
    lines = raw.split(_BR)
    paras: list[list[str]] = [[]]
    for line in lines:
        if not line.strip():
            if paras[-1]:
                paras.append([])
            continue
        if paras[-1] and _INDENT.match(line.replace("&nbsp;", "\u00a0")):
            paras.append([])
        paras[-1].append(line)
    out = []
    for group in paras:
        if not group:
            continue
        if len(group) == 1:
            out.append(_strip_indent(group[0]))
            continue
        lens = [len(norm_ws(re.sub(r"<[^>]+>", "", g))) for g in group]
        body = sorted(lens[:-1])
        med = body[len(body) // 2]
        wrapped = med >= 12 and sum(1 for L in lens[:-1] if abs(L - med) <= max(3, med * 0.2)) >= 0.7 * len(body)
        if wrapped:
            joined = ""
            for g in group:
                g = g.strip()
                if joined and re.search(r"[A-Za-z0-9,.;:!?]$", joined) and re.match(r"[A-Za-z0-9(]", g):
                    joined += " "
                joined += g
            out.append(_strip_indent(joined))
        else:
            # lines that are not hard-wrapped are paragraphs of their own
            out.extend(_strip_indent(g) for g in group)
    return out


def _strip_indent(s: str) -> str:
    return re.sub(r"^(?:\s|&nbsp;|\u00a0|\u3000)+", "", s)


# ---------------------------------------------------------------------------------------------
# Page kinds

_FORUM_URL = re.compile(r"(?:^|[./])(?:bbs|forum|forums|tieba|club|discuz)[./]|dispbbs|viewthread|showtopic|"
                        r"showthread|thread-\d|forum\.php|/t/\d|topic\.php|read\.php\?tid|viewtopic|"
                        r"forumdisplay|/f/\d|index_\d+_\d+\.shtml", re.I)
_SEARCH_URL = re.compile(r"/search\b|/so/|[?&](?:q|query|keyword|kw|wd|s)=|/tag/|/tags/|/topics?/", re.I)
_FORUM_WORDS = re.compile(r"楼主|发表于|回复|引用|沙发|板凳|帖子|主题|精华|积分|只看该作者|楼\b|#\d+楼|Powered by Discuz|"
                          r"dvbbs|phpwind|看帖|发帖|跟帖")


@dataclass
class Kind:
    kind: str
    reason: str


def classify(root, pm: PageMeta, content, st: dict) -> Kind | None:
    """A Kind when the page is not an article, else None. ``content`` is the chosen main element."""
    types = jsonld_types(pm)
    og_type = pm.meta.get("og:type", "").lower()
    articleish = bool(types & {"newsarticle", "article", "blogposting", "reportagenewsarticle",
                               "opinionnewsarticle", "analysisnewsarticle", "backgroundnewsarticle",
                               "socialmediaposting"}) or og_type == "article" \
        or "article:published_time" in pm.meta
    if "event" in types or any(t.endswith("event") for t in types) or og_type.startswith("event") \
            or og_type.endswith("event"):
        return Kind("event", f"event page (schema.org/og:type {og_type or ','.join(sorted(types))})")
    if not articleish and ({"discussionforumposting", "forum"} & types):
        return Kind("forum", "forum thread (schema.org DiscussionForumPosting)")
    url = pm.url or ""
    if types & {"collectionpage", "searchresultspage", "itemlist"} and not articleish:
        kind = "search" if "searchresultspage" in types else "index"
        return Kind(kind, f"{kind} page (schema.org {', '.join(sorted(types & {'collectionpage', 'searchresultspage', 'itemlist'}))})")
    if og_type in ("website", "profile", "video.other", "product") and not articleish:
        weak_article = True
    else:
        weak_article = not articleish

    body = root.find("body")
    scope = body if body is not None else root
    page_text_sample = node_text(scope)[:200000]
    forum_hits = len(_FORUM_WORDS.findall(page_text_sample))
    forum_url = bool(_FORUM_URL.search(url))
    generator = pm.meta.get("generator", "").lower()
    forum_gen = any(g in generator for g in ("discuz", "phpwind", "dvbbs", "vbulletin", "phpbb", "xenforo"))
    title = pm.title_tag
    if not articleish and (forum_gen or (forum_url and forum_hits >= 5) or forum_hits >= 25
                           or re.search(r"Powered by (?:Discuz|phpwind|Dvbbs|vBulletin|phpBB)", page_text_sample + title, re.I)
                           or re.search(r"[-_ ](?:论坛|社区|贴吧|BBS)\b", title, re.I) and forum_hits >= 3):
        return Kind("forum", f"forum page ({'generator ' + generator if forum_gen else str(forum_hits) + ' forum markers'}"
                    f"{', forum URL' if forum_url else ''})")

    if content is None:
        return Kind("index", "no article body found (no block of running text)")

    # A list of teasers: the content is many short link-led items rather than running text.
    s = st.get(content)
    teaser = _teaser_profile(content)
    if not articleish or weak_article:
        if re.search(r"搜索结果|search results|相关资讯|搜索", title, re.I) and teaser["items"] >= 5:
            return Kind("search", f"search results page ({teaser['items']} result teasers)")
        if _SEARCH_URL.search(url) and teaser["items"] >= 6 and teaser["ratio"] > 0.25:
            return Kind("search" if re.search(r"/search|/so/|[?&](?:q|query|s|wd|kw)=", url) else "index",
                        f"list page ({teaser['items']} teaser items, URL {urlsplit(url).path})")
    if teaser["items"] >= 6 and teaser["ratio"] > 0.45 and not articleish:
        return Kind("index", f"index/list page ({teaser['items']} teaser items, "
                             f"{teaser['ratio']:.0%} of the text in teasers)")
    if teaser["items"] >= 10 and teaser["ratio"] > 0.6:
        return Kind("index", f"index/list page ({teaser['items']} teaser items)")
    if s is not None and s.chars < 40 and not articleish:
        return Kind("index", "too little running text for an article")
    return None


def _teaser_profile(content) -> dict:
    """How much of the content consists of teaser items: blocks led by a headline link to another
    page followed by a short text."""
    items = 0
    teaser_chars = 0.0
    total = weight_len(node_text(content)) or 1.0
    seen = set()
    for a in content.iter("a"):
        href = a.get("href") or ""
        t = node_text(a)
        if len(t) < 8 or not href or href.startswith("#") or href in seen:
            continue
        # the link is the headline of its block
        block = a.getparent()
        while block is not None and block.tag not in ("li", "div", "article", "section", "dl", "tr", "p") :
            block = block.getparent()
        if block is None:
            continue
        bt = node_text(block)
        if len(bt) > 400:
            continue
        if len(t) >= 0.25 * len(bt) or block.tag in ("li", "article", "dl"):
            seen.add(href)
            items += 1
            teaser_chars += weight_len(bt)
    return {"items": items, "ratio": min(1.0, teaser_chars / total)}
