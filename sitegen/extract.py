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
Readers' comment sections (by class/id) go with the chrome before the content is chosen.
Kept on purpose: ``（完）`` end marks and agency datelines (【中央社台北22日電】, 新华社北京…电),
as the corpus keeps them; captioned images become ``<figure><img><figcaption>`` (``figure_captions``:
a ``<figcaption>``, a caption class, a 图注：/圖說：/图为… line, or a short centred line right after
the image), shown with the image but not body text (``record.html_to_text`` leaves figcaptions
out, the corpus convention), except in a photo gallery or a blog written in centred lines, where
the short lines are the text.

Page kinds (``classify`` + ``refine_empty``): event, forum (software/URL/title, or posts numbered
as floors 楼主/沙发/N楼 that do not come after the article), index/search (repeated teasers,
unless an article heading with text stands in its own column beside a marked sidebar),
redirect (meta refresh / script redirect and no text), shell (an empty app mount point; when the
page's JSON state holds an article HTML string, that is extracted instead), empty (no text).

Metadata, in order of preference (first that gives a value wins):
- title: ``og:title`` / ``twitter:title``, JSON-LD ``headline``, the article heading (``h1``/``h2``
  that matches ``<title>``), ``<title>`` minus the site-name suffix, a prominent line above the
  body; all entity-decoded, whitespace collapsed.
- date: JSON-LD ``datePublished``, ``article:published_time`` (and similar meta), ``<time datetime>``,
  a date line near the title / in the article header (a 发布时间/發佈時間 date before an 更新时间 one;
  never "today's date" 今天是…/农历; Taiwan 民國 years), the page's own URL (``/2019/11/22/``,
  ``/2019/1122/``, ``/20191122/``, ``t20191122_1.html``) or source path, an element classed as the
  publication date that is not in a related list, comment, top bar, sidebar or footer, the
  page's JSON state (never another link's URL).
- tags: ``rel=tag`` links and links inside tag containers (``.tags``, ``.keywords``…), else boxes
  labelled 标签：/关键词：/關鍵字：/Tags: in the article scope, page order, de-duplicated; never
  ``<meta keywords>``, categories (``rel=category``, 分类：) or navigation.
- source / author: ``来源：``/``稿源：``/``出处：``/``本文来源于``/``本文转载自`` lines, ``作者：``/``记者 X``/
  ``（记者 X 报道）`` lines and bylines, the agency of a dateline when the page is not the agency's
  own, ``meta[name=author]``.
- url: canonical, ``og:url``, the dataset ``<text id=URL>`` wrapper, a leading ``<!--URL-->`` comment.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

from sitegen.decode import CONTROL_BYTES
from sitegen.sanitize import is_http_url


class _LazyPattern:
    """A regular expression compiled on first use: importing the extractor compiles none of its
    ~75 patterns (~25 ms, most of an import; a page run through a site profile uses a few).
    After the first use its methods are the compiled pattern's own, bound in the instance."""

    _NAMES = ("search", "match", "fullmatch", "sub", "subn", "findall", "finditer", "split", "scanner",
              "pattern", "flags", "groups", "groupindex")

    def __init__(self, pattern, flags=0):
        self._source = (pattern, flags)

    def __getattr__(self, name):
        if name.startswith("__") or name == "_source":  # copy/pickle probing a bare instance
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        for n in self._NAMES:
            setattr(self, n, getattr(compiled, n))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"_lazy_re({self._source[0]!r}, {self._source[1]!r})"


_lazy_re = _LazyPattern

# The four non-ASCII characters that re.I matches to an ASCII letter (İ ı ſ K), and that letter.
_RE_I_ASCII = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}


def _has_re_i_fold(text: str) -> bool:
    return "\u0130" in text or "\u0131" in text or "\u017f" in text or "\u212a" in text


class _FoldedPattern(_LazyPattern):
    """A case-insensitive pattern of lower-case ASCII words (the class/id tests) that callers only
    ask whether it matches: ``found(text)`` runs it without re.I on the text folded as re.I folds
    letters (the four characters above to their letter, then lower case: the text keeps its
    length and its whitespace, digit and word characters, and gains no other ASCII). With re.I,
    re compares every word case-insensitively at every character: found is ~2x faster (~4x for
    a long alternation such as _NEG)."""

    def found(self, text: str) -> bool:
        plain = self.__dict__.get("_plain")
        if plain is None:
            pattern, flags = self._source
            # no upper-case letter outside an escape such as \S: lower-case text could not match it
            assert flags & re.I and pattern.isascii() and not re.search(r"[A-Z]", re.sub(r"\\.", "", pattern)), pattern
            plain = self._plain = re.compile(pattern, flags & ~re.I).search
        if not text.isascii() and _has_re_i_fold(text):
            text = text.translate(_RE_I_ASCII)  # (slow on non-ASCII text: only when needed)
        return plain(text.lower()) is not None


def _lazy_fold(pattern: str, flags: int = re.I) -> _FoldedPattern:
    return _FoldedPattern(pattern, flags)

# ---------------------------------------------------------------------------------------------
# Parsing

# collect_ids=False: libxml2 makes no table of id attributes (only XPath's id() reads it; the
# cleaner's selectors compare @id): ~8% of the parse of a bench page.
_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=False, remove_pis=True,
                               no_network=True, recover=True, default_doctype=False, collect_ids=False)
# lxml.html's own class lookup is a Python method called for every element proxy made (a
# page's walks make ~500): the same HtmlElement classes from lxml's C lookup instead (the form
# element subclasses, whose form-field API the cleaner never uses, are left out).
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity))
_CTRL = _lazy_re("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")


_CTRL_BYTES = CONTROL_BYTES


def parse_html(text: str, utf8: bytes | None = None, controls: bool | None = None):
    """Parse page text to an lxml root element (never None). Raises ValueError if unparseable.
    ``utf8``: ``text`` encoded as UTF-8, when the caller has it (``Decoded.utf8``); ``controls``:
    False when ``utf8`` is known to hold no control bytes (``Decoded.controls``)."""
    if utf8_as_is(text, utf8, controls):
        return parse_utf8(utf8)
    if utf8 is None:
        data = text.encode("utf-8", errors="replace")
        controls = None
    else:
        data = utf8
    # control characters and U+FFFE/U+FFFF are dropped (control bytes are checked on the bytes:
    # a regex over the whole text costs more than the parse of a clean page; the two
    # non-characters on the text: their UTF-8 lead byte is that of CJK full-width punctuation)
    if (controls is not False and len(data.translate(None, _CTRL_BYTES)) != len(data)) \
            or "\ufffe" in text or "\uffff" in text:
        data = _CTRL.sub("", text).encode("utf-8", errors="replace")
    return parse_utf8(data)


def utf8_as_is(text: str, utf8: bytes | None, controls: bool | None) -> bool:
    """The page's UTF-8 bytes (``Decoded.utf8``) are what the parser is given as they are: known
    to hold no control bytes, and its text neither U+FFFE nor U+FFFF (else both are taken out)."""
    return utf8 is not None and controls is False and "\ufffe" not in text and "\uffff" not in text


def parse_utf8(data: bytes):
    """Parse UTF-8 bytes known to hold no control characters (``parse_html`` took them out)."""
    if not data or data.isspace():
        raise ValueError("empty document")
    root = lxml.html.document_fromstring(data, parser=_PARSER)
    if root is None:
        raise ValueError("no document element")
    return root


# ---------------------------------------------------------------------------------------------
# Text helpers

_WS = _lazy_re(r"\s+")
_CJK = _lazy_re(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_LATIN = _lazy_re(r"[A-Za-z0-9\u00c0-\u024f]")
# runs of the same characters: counting them as the sum of the runs' lengths makes one string per
# run, not one per character
_CJK_RUN = _lazy_re(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+")
_LATIN_RUN = _lazy_re(r"[A-Za-z0-9\u00c0-\u024f]+")
_SENT_PUNCT = _lazy_re(r"[，。！？；：、,.!?;]")
_FULL_PUNCT = _lazy_re(r"[，。！？；]")


def norm_ws(s: str | None) -> str:
    # what _WS.sub(" ", s).strip() gives (re's \s and str.split()'s whitespace are the same
    # characters), at a third of its cost
    return " ".join((s or "").split())


def weight_len(s: str) -> float:
    """Information length of text: CJK characters count 1, Latin letters/digits 1/3."""
    cjk = sum(map(len, _CJK_RUN.findall(s)))
    lat = sum(map(len, _LATIN_RUN.findall(s)))
    return cjk + lat / 3.0


def node_text(el) -> str:
    if isinstance(el.tag, str):
        # text_content() is XPath's string(), libxml2's node content: the text serialiser gives
        # that content too, at a third of the cost (~0.7 -> ~0.26 us with norm_ws); a comment
        # or processing instruction goes the old way (text_content refuses it: "")
        try:
            return norm_ws(_tostring(el, method="text", encoding=str, with_tail=False))
        except ValueError:
            pass
    try:
        return norm_ws(el.text_content())
    except ValueError:
        return ""


_tostring = etree.tostring


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
    source_path: str | None = None  # the page's own file path (dates of pages without a URL)


_LANG = _lazy_re(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_ABS_URL = _lazy_re(r"https?://[^/\s]+")
_WRAPPER = _lazy_re(r"""^\s*<text\s+id\s*=\s*"([^"]*)"(?:\s+title\s*=\s*"([^"]*)")?""", re.I)
_LEAD_COMMENT = _lazy_re(r"^\s*<!--\s*(https?://[^\s>]+?)\s*-->")


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


def read_meta(root, text: str, by_tag: dict | None = None) -> PageMeta:
    """``by_tag``: the page's elements by tag in document order (``PageIndex.by_tag``), when the
    caller has them: the meta, script, title and link elements are read from it instead of four
    walks of the page."""
    pm = PageMeta()
    if by_tag is not None:
        metas, scripts, links = by_tag.get("meta", ()), by_tag.get("script", ()), by_tag.get("link", ())
        t = next((e for e in by_tag.get("title", ()) if e is not root), None)
    else:
        metas, scripts, links = root.iter("meta"), root.iter("script"), root.iter("link")
        t = root.find(".//title")
    lang = root.get("lang") or root.get("xml:lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang and _LANG.fullmatch(lang.strip()):
        pm.lang = lang.strip().replace("_", "-")
    for m in metas:
        key = (m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv") or "").strip().lower()
        content = m.get("content")
        if key and content is not None and key not in pm.meta:
            pm.meta[key] = norm_ws(content)
    for s in scripts:
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
    if t is not None:
        pm.title_tag = node_text(t)
    pm.site_name = pm.meta.get("og:site_name", "")

    canonical = None
    for link in links:
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and link.get("href", "").strip():
            canonical = link.get("href").strip()
            break
    head = text[:4000]
    wm = _WRAPPER.match(head)
    if wm:
        pm.wrapper_title = htmllib.unescape(wm.group(2) or "")
    lead = _LEAD_COMMENT.match(head)
    candidates = [
        (canonical, "canonical link"),
        (pm.meta.get("og:url"), "og:url"),
        (htmllib.unescape(wm.group(1)) if wm else None, "dataset <text id> wrapper"),
        (lead.group(1) if lead else None, "leading <!--URL--> comment"),
    ]
    for u, why in candidates:
        u = (u or "").strip()
        if u.startswith("//"):
            u = "https:" + u
        if _ABS_URL.match(u):
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
    _lazy_re(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)"),
    _lazy_re(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)"),
]
_EPOCH = _lazy_re(r"\d{9,10}(?:\.\d+)?|\d{12,13}")
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_EN_DATE = _lazy_re(r"\b(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+((?:19|20)\d{2})\b|"
                      r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+"
                      r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?((?:19|20)\d{2})\b", re.I)


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        datetime(y, m, d)
    except ValueError:
        return None
    if not 1990 <= y <= 2100:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"  # what strftime("%Y-%m-%d") gives, at a tenth of its cost


def parse_date(s: str | None, compact: bool = True) -> str | None:
    """The first plausible calendar date in ``s`` as YYYY-MM-DD."""
    if not s:
        return None
    s = s.strip()
    if _EPOCH.fullmatch(s):  # epoch seconds / milliseconds
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
    m = re.search(r"(?<!\d)((?:19|20)\d{2})[/_-](\d{2})(\d{2})(?=/)", path)  # DedeCMS /2019/1122/
    if m:
        d = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            return d
    m = re.search(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?:\d{0,6})(?!\d)", path)
    if m:
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.search(r"(?<!\d)((?:19|20)\d{2})[/_-](\d{1,2})[/_-]", path)
    return None


_PATH_YMD = _lazy_re(r"((?:19|20)\d{2})(\d{2})(\d{2})")


def date_from_path(path: str | None) -> str | None:
    """A date written as the page's own directory segments: ``…/20240101/100000.html`` or
    ``…/2024/01/01/x.html`` (a whole YYYYMMDD segment, or YYYY/MM/DD consecutive segments), the
    segment nearest the file first; the date must exist. Never other digits in the path."""
    if not path:
        return None
    segs = [x for x in str(path).replace("\\", "/").split("/") if x]
    dirs = segs[:-1]
    for i in range(len(dirs) - 1, -1, -1):
        m = _PATH_YMD.fullmatch(dirs[i])
        if m:
            d = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if d:
                return d
        if i >= 1 and re.fullmatch(r"(?:19|20)\d{2}", dirs[i - 1]) and re.fullmatch(r"\d{4}", dirs[i]):
            d = _valid(int(dirs[i - 1]), int(dirs[i][:2]), int(dirs[i][2:]))  # DedeCMS 2019/1122/
            if d:
                return d
        if i >= 2 and re.fullmatch(r"(?:19|20)\d{2}", dirs[i - 2]) and re.fullmatch(r"\d{1,2}", dirs[i - 1]) \
                and re.fullmatch(r"\d{1,2}", dirs[i]):
            d = _valid(int(dirs[i - 2]), int(dirs[i - 1]), int(dirs[i]))
            if d:
                return d
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
_HIDDEN_STYLE = _lazy_re(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|em|pt)?\s*(?:;|$)", re.I)
# The same without re.I, for lower-cased text: with re.I, re tries all three words at every
# character of a stylesheet; without it, it looks for their first letters only. The text is
# folded first as re.I folds these letters: the four non-ASCII characters that re.I matches to an
# ASCII letter (İ ı ſ K) become that letter (İ must: its lower case is two characters).
_HIDDEN_STYLE_LOWER = _lazy_re(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|em|pt)?\s*(?:;|$)")


def hidden_style(css: str) -> bool:
    """``_HIDDEN_STYLE.search(css)`` found something (``display:none``, ``visibility:hidden``,
    ``font-size:0``, in any case)."""
    if not css.isascii() and _has_re_i_fold(css):
        css = css.translate(_RE_I_ASCII)
    return _HIDDEN_STYLE_LOWER.search(css.lower()) is not None
_HIDDEN_CLASS = {"hidden", "hide", "d-none", "display-none", "displaynone", "invisible", "sr-only",
                 "visually-hidden", "visuallyhidden", "screen-reader-text", "is-hidden", "u-hidden",
                 "off-screen", "offscreen", "element-invisible", "element-hidden"}


_STYLE_RULE = _lazy_re(r"([^{}@]+)\{([^{}]*)\}")
_MEDIA_BLOCK = _lazy_re(r"@(?:media|supports)[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", re.I)
_INLINE_TAGS = frozenset("span font i em b strong small s u ins code sub sup a".split())


def style_hidden_classes(root) -> frozenset:
    """Classes a page's own <style> hides (``.x9{display:none}``, ``.wm{font-size:0}``): the
    anti-mirror watermark trick. Only single-class selectors outside @media blocks."""
    out = set()
    for st in root.iter("style"):
        css = st.text or ""
        if not hidden_style(css):
            continue
        if "/*" in css:
            css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
        if "@" in css:
            css = _MEDIA_BLOCK.sub("", css)
        for sel, decl in _STYLE_RULE.findall(css):
            if not hidden_style(decl):
                continue
            for one in sel.split(","):
                one = one.strip()
                m = re.fullmatch(r"(?:[a-z]+)?\.([A-Za-z_][\w-]*)", one)
                if m:
                    out.add(m.group(1).lower())
    return frozenset(out)


def is_hidden(el, css_hidden: frozenset = frozenset()) -> bool:
    if el.get("hidden") is not None:
        return True
    st = el.get("style")
    if st and hidden_style(st):
        return True
    cls = el.get("class")
    if cls and _HIDDEN_CLASS.intersection(cls.lower().split()):
        return True
    if cls and css_hidden and css_hidden.intersection(cls.lower().split()) and (
            el.tag in _INLINE_TAGS or len(node_text(el)) < 80):
        # hidden by the page's own stylesheet: inline watermark spans (a block only when short,
        # never a tab panel that scripts reveal)
        return True
    if (el.get("aria-hidden") or "").lower() == "true" and el.tag in ("span", "div", "p", "i", "em", "font"):
        # decorative or duplicate text for screen readers only; keep if it is the only text
        return len(node_text(el)) < 40
    return False


def _hidden_by(el, keys: list, cls: str | None, css_hidden: frozenset) -> bool:
    """is_hidden(el, css_hidden) but for its hidden attribute, given the element's attribute
    names and its class."""
    if "style" in keys:
        st = el.get("style")
        if st and hidden_style(st):
            return True
    if cls and _HIDDEN_CLASS.intersection(cls.lower().split()):
        return True
    if cls and css_hidden and css_hidden.intersection(cls.lower().split()) and (
            el.tag in _INLINE_TAGS or len(node_text(el)) < 80):
        return True
    if "aria-hidden" in keys and (el.get("aria-hidden") or "").lower() == "true" \
            and el.tag in ("span", "div", "p", "i", "em", "font"):
        return len(node_text(el)) < 40
    return False


_SHARE_WORDS = frozenset("""share shares sharing sharebar sharebox sharelinks sharethis sharedaddy
    shareaholic addtoany a2a bdshare bdsharebuttonbox jiathis""".split())
_SHARE_CLASS = _lazy_fold(r"(?:^|[\s_-])(?:%s)(?=$|[\s_-])" % "|".join(sorted(_SHARE_WORDS)), re.I)
# (after any white space: matched on the text as it is, not on a stripped copy)
_SHARE_HEAD = _lazy_re(r"\s*(?:分享|转发|轉發|share)", re.I)
_SHARE_TEXT = _lazy_re(r"^(?:分享(?:到|至|给|給|本文|此文|文章)?|转发到|轉發到|Share(?: this(?: article| story)?| on)?)\s*[：:]", re.I)


# the elements a share bar without a share class/id can be (found by its text)
_SHARE_TEXT_TAGS = frozenset(["div", "p", "ul", "ol", "section", "span", "aside", "li", "footer"])


def is_share_bar(el, ci: str | None = None) -> bool:
    """A share bar ("分享到：微博 微信…", social buttons): by class/id (``share-bar``,
    ``social-share``, ``a2a_kit``, ``bdsharebuttonbox``…) or by its text, and short either way."""
    tag = el.tag
    if tag in ("html", "body", "article", "main", "a"):
        return False
    if ci is None:
        ci = classid(el)
    by_class = bool(ci) and _SHARE_CLASS.found(ci)
    if not by_class:
        if tag not in _SHARE_TEXT_TAGS:
            return False
        # cheap test of the first characters (own text, else the first child's) before the whole text
        head = el.text
        if (not head or head.isspace()) and len(el):
            head = el[0].text
        if not head or not _SHARE_HEAD.match(head):
            return False
    t = node_text(el)
    if len(t) > 200:
        return False
    if by_class:
        # social buttons, not a paragraph of running text that merely sits in a "share" wrapper
        return not any(len(node_text(p)) > 80 for p in el.iter("p"))
    return bool(_SHARE_TEXT.match(t)) and len(t) <= 100 and (el.find(".//a") is not None or len(t) <= 40)


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


# (a name lxml's HTML parser cannot give an element: it lower-cases tag names, and lxml matches
# them exactly)
_UNWRAP_TAG = "SITEGEN-UNWRAP"


def unwrap(el) -> None:
    """Replace ``el`` by its content (lxml's ``drop_tag``; an element that is not an HTML element
    is dropped, with its content)."""
    parent = el.getparent()
    if parent is None:
        return
    if isinstance(el, lxml.html.HtmlElement):
        # what drop_tag does, in C: its text, children and tail go where they were, in order. lxml
        # strips elements by name: this one is renamed to a name no other element has and its
        # parent's subtree stripped of it (drop_tag reads and rewrites the text before it, most of
        # a paragraph for a keyword link: bench pages' unwraps ~7 -> ~0.8 us each). Adjacent text
        # nodes are read as one text (.text, .tail, text_content, itertext) as after drop_tag.
        tag = el.tag
        el.tag = _UNWRAP_TAG
        etree.strip_tags(parent, _UNWRAP_TAG)
        try:
            el.tag = tag  # (the element, out of the tree, keeps its name, as after drop_tag)
        except ValueError:
            pass  # (a name lxml would not set: none the parser gives, tried with ':a', 'a:b:c', 'a.'...)
        return
    try:
        el.drop_tag()
    except (AttributeError, ValueError):
        drop(el)


# Readers' comment sections (WordPress #comments/.comment-list, portal 网友评论 boxes, Disqus):
# a class/id token that names a comment list/area, or one comment item.
_COMMENT_TOKEN = _lazy_re(
    r"^(?:comments?(?:[-_]?(?:area|list|box|section|wrap|wrapper|container|block|items?|main|panel|"
    r"thread|body|content|mod|module|part|zone))?|commentlist|commentbox|comment_?list|respond|"
    r"comment-respond|comment-form|commentform|disqus_thread|pinglun\w*|cmt(?:[-_]?\w+)?|"
    r"reply-?list|replies|user-?comments?)$", re.I)


_COMMENT_HINT = _lazy_fold(r"omm|cmt|respond|pinglun|disqus|repl", re.I)


def is_comment_section(el, ci: str | None = None) -> bool:
    """A readers' comment section or comment item, by class/id; never an element holding the
    page's <h1> (an opinion piece in a ``.comment`` column is an article)."""
    if el.tag in ("html", "body", "main", "a", "span", "h1", "h2"):
        return False
    if ci is None:
        ci = classid(el)
    if not ci or not _COMMENT_HINT.found(ci):
        return False
    if not any(_COMMENT_TOKEN.match(tok) for tok in ci.split()):
        return False
    return el.find(".//h1") is None


def strip_page(root, explain: list[str] | None = None, texts: dict | None = None) -> None:
    """Remove what is never content: scripts, styles, forms, comments, hidden elements, nav,
    share bars, readers' comment sections. ``texts``: gets the text (``.text``) of the elements
    it read it of (paragraphs, for the share-bar test), as they are when it returns: BodyWriter
    takes them instead of reading each paragraph again."""
    removed: dict[str, int] = {}
    hidden = 0
    comments = 0
    kill = []
    shares: set = set()
    css_hidden = style_hidden_classes(root)
    share_head = _SHARE_HEAD.match
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            kill.append(el)  # comments, processing instructions
            continue
        if tag in _REMOVE_TAGS:
            kill.append(el)
            removed[tag] = removed.get(tag, 0) + 1
            continue
        if tag in ("html", "body"):
            ci = None
        else:
            # is_hidden and classid, reading only the attributes the element has (one call for
            # their names instead of six reads, most of them of absent attributes)
            keys = el.keys()
            if keys:
                cls = el.get("class") if "class" in keys else None
                if "hidden" in keys or _hidden_by(el, keys, cls, css_hidden):
                    kill.append(el)
                    hidden += 1
                    continue
                ci = ((cls or "") + " " + ((el.get("id") if "id" in keys else None) or "")).strip()
                if ci and is_comment_section(el, ci):
                    kill.append(el)
                    comments += 1
                    continue
            else:
                ci = ""
        if not ci:
            # without a class or id, only an element of _SHARE_TEXT_TAGS whose first characters
            # begin a share line can be a share bar (is_share_bar's first test, before its call)
            if tag not in _SHARE_TEXT_TAGS:
                continue
            head = el.text
            if texts is not None:
                texts[el] = head
            if (not head or head.isspace()) and len(el):
                head = el[0].text
            if not head or not share_head(head):
                continue
        if el is not root and is_share_bar(el, ci):
            p = el.getparent()
            while p is not None and p not in shares:
                p = p.getparent()
            if p is None:  # not inside a share bar already removed
                kill.append(el)
                shares.add(el)
    for el in kill:
        parent = el.getparent()
        if parent is not None:
            if texts:
                texts.pop(parent, None)  # (its text takes el's tail when el is its first child)
            drop(el)
    if explain is not None:
        if removed:
            explain.append("removed " + ", ".join(f"{n} <{t}>" for t, n in sorted(removed.items())))
        if hidden:
            explain.append(f"removed {hidden} hidden element(s) (display:none / visibility:hidden / hidden)")
        if shares:
            explain.append(f"removed {len(shares)} share bar(s)")
        if comments:
            explain.append(f"removed {comments} readers' comment section(s)/item(s)")


# ---------------------------------------------------------------------------------------------
# Main-content detection

_BLOCK_TAGS = frozenset("""p div section article main header footer aside ul ol li dl dt dd table tbody
    thead tfoot tr td th blockquote pre h1 h2 h3 h4 h5 h6 figure figcaption center form fieldset
    address hr body html caption details summary""".split())
_PARA_TAGS = frozenset("p pre blockquote li h2 h3 h4 h5 h6 dd td".split())

_NEG = _lazy_fold(
    r"(?:^|[-_\s\d])(?:comments?|reply|replies|footer|foot|sidebar|side|aside|nav|navi|navbar|menu|"
    r"breadcrumbs?|crumbs?|related|relate|recommend\w*|rec|share|sharing|social|sns|ads?|advert\w*|"
    r"banner|sponsor\w*|promo\w*|popup|modal|cookie|subscribe|newsletter|login|signup|toolbar|tools?|"
    r"widget|hot|hotnews|rank\w*|copyright|disclaimer|statement|pagination|pager|paging|more|"
    r"print|feedback|qrcode|weixin|wechat|weibo|app|download|topbar|header|masthead|logo|search|"
    r"corner|extra|gotop|backtop|right|left|col-right|bottom|links|friend|tag-?cloud|list|"
    r"caption|credit|byline|author|meta|info|source|time|date|tags|keywords|topics?)(?=$|[-_\s\d])",
    re.I,
)
_POS = _lazy_fold(
    r"(?:^|[-_\s])(?:article\w*|content\w*|entry\w*|post\w*|text|body|main|story|detail\w*|"
    r"news\w*|cont|artic\w*|zw|txt|rich_media\w*|instapaper_body|prose)(?=$|[-_\s\d])",
    re.I,
)


@dataclass(slots=True)
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
    if _POS.found(ci):
        w *= 1.3
    if _NEG.found(ci):
        w *= 0.6
    return w


def analyze(root) -> tuple[dict, list]:
    """One bottom-up pass: Stats for every element. Returns (stats by element, elements kept alive)."""
    els = list(root.iter(etree.Element))  # (elements only: no comments or processing instructions)
    st: dict = {e: Stats() for e in els}
    own: dict = {}
    puncts = _SENT_PUNCT.findall
    for e in reversed(els):  # descendants before ancestors
        s = st[e]
        tag = e.tag
        t = e.text
        if t and not t.isspace():
            wl = weight_len(t)
            s.chars += wl
            s.punct += len(puncts(t))
            if tag == "a":
                s.link += wl
        block_chars = block_link = 0.0
        block_punct = 0
        for c in e:
            ctag = c.tag
            if not isinstance(ctag, str):
                continue
            cs = st[c]
            s.chars += cs.chars
            s.link += cs.link
            s.punct += cs.punct
            if ctag in _BLOCK_TAGS:
                block_chars += cs.chars
                block_link += cs.link
                block_punct += cs.punct
            tl = c.tail
            if tl and not tl.isspace():
                wl = weight_len(tl)
                s.chars += wl
                s.punct += len(puncts(tl))
        if tag == "a":
            s.link = s.chars
        if tag in _BLOCK_TAGS or tag in ("font", "span"):
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


def _final_score(e, s: Stats) -> float:
    ld = s.link / s.chars if s.chars else 1
    return s.score * (1 - ld) * _class_weight(e)


def _good_text(s: Stats) -> bool:
    """Running text rather than chrome: enough characters, sentence punctuation, few links."""
    ld = s.link / s.chars if s.chars else 1
    return s.chars >= 40 and s.punct >= 3 and ld < 0.3


def find_content(root, explain: list[str] | None = None):
    """The element holding the article body, the list of elements forming it (the best candidate
    plus sibling blocks of running text, in document order), and the statistics."""
    st, els = analyze(root)
    best, best_score = None, 0.0
    for e, s in st.items():
        if s.score <= 0 or e.tag in ("html", "a", "span", "font", "li", "ul", "ol", "p", "b", "strong"):
            continue
        final = _final_score(e, s)
        if final > best_score:
            best, best_score = e, final
    if best is None:
        return None, [], st
    order = {e: i for i, e in enumerate(els)}
    parts = {best}
    # Sibling blocks of the best candidate (and of its parent): a split body, a lead paragraph
    # in its own field. They must be running text themselves, not lists of links or chrome.
    node = best
    for level in range(5):
        parent = node.getparent()
        if parent is None or node.tag == "body" or parent.tag in ("html", "body"):
            break
        pci = classid(parent)
        if level >= 2 and pci and _NEG.found(pci) and not _POS.found(pci):
            break
        thresh = max(10.0, best_score * 0.2)
        before = True
        for sib in parent:
            if sib is node:
                before = False
                continue
            if not isinstance(sib.tag, str):
                continue
            if level >= 2 and not before:
                break  # far from the body only a lead/standfirst before it is taken
            if _CAPTION.found(classid(sib) or "-") or sib.tag == "figure":
                continue
            if sib.find(".//img") is not None and st.get(sib) is not None and st[sib].chars <= 120:
                continue  # an image with its caption
            s = st.get(sib)
            if s is None or s.chars < 1:
                continue
            ci = classid(sib)
            neg = bool(ci and _NEG.found(ci)) and not _POS.found(ci)
            if neg:
                continue
            if level == 0 and _final_score(sib, s) >= thresh and s.link / s.chars < 0.3:
                parts.add(sib)
            elif _good_text(s) and s.chars >= 0.02 * st[best].chars and _mostly_paragraphs(sib, st):
                parts.add(sib)
        node = parent
    parts_list = sorted(parts, key=lambda e: order.get(e, 0))
    # drop parts nested in other parts
    parts_list = [p for p in parts_list if not any(q is not p and _is_ancestor(q, p) for q in parts_list)]
    if explain is not None:
        explain.append(f"generic extractor: main content = {describe(best)} (score {best_score:.0f})"
                       + (f" + {len(parts_list) - 1} block(s) beside it: "
                          + ", ".join(describe(p) for p in parts_list if p is not best) if len(parts_list) > 1 else ""))
    return best, parts_list, st


def _is_ancestor(a, b) -> bool:
    p = b.getparent()
    while p is not None:
        if p is a:
            return True
        p = p.getparent()
    return False


def _mostly_paragraphs(el, st) -> bool:
    """Most of el's text is in paragraph-like units with little link text (not a teaser list)."""
    total = st[el].chars or 1
    good = 0.0
    for p in el.iter("p", "blockquote", "pre"):
        s = st.get(p)
        if s and s.chars >= 20 and s.link / s.chars < 0.35:
            good += s.chars
    if el.tag == "p":
        return True
    return good >= 0.6 * total


def describe(el) -> str:
    s = el.tag
    if el.get("id"):
        s += "#" + el.get("id").strip()[:40]
    if el.get("class"):
        s += "".join("." + c for c in el.get("class").split()[:3])
    return "<" + s + ">"


# ---------------------------------------------------------------------------------------------
# Figures: an image and its caption, recognised by structure

# A caption line by its text: 图注：/圖說：/图片说明：/图：… labels, 图为…/上图：… sentences
_CAPTION_TEXT = _lazy_re(r"^[【\[（(]?\s*(?:图注|圖注|图说|圖說|图片说明|圖片說明|图片来源|圖片來源|图片|圖片|图|圖|资料图|資料圖|"
                           r"配图|配圖|摄影|攝影)\s*[：:︱|｜/／]|^(?:[（(]\s*)?(?:图为|圖為|(?:上|下|左|右)(?:图|圖)(?:为|為|[：:]))\S")
# a label that says only "this is the caption" (dropped from the figcaption's start)
_CAPTION_LABEL = _lazy_re(r"^\s*[【\[]?\s*(?:图注|圖注|图说|圖說|图片说明|圖片說明)\s*[】\]]?\s*[：:︱|｜]\s*")
_CENTRE_STYLE = _lazy_re(r"text-align\s*:\s*center", re.I)
_CENTRE_CLASS = _lazy_fold(r"(?:^|[-_\s])(?:center|centre|centered|aligncenter|tc|text-center|txt-center)(?=$|[-_\s])", re.I)
_SECTION_HEAD = _lazy_re(r"^(?:[一二三四五六七八九十]+[、．.]|第[一二三四五六七八九十百\d]+[章节節部分篇]|\d{1,2}[、．.])")
_HOLDER_TAGS = frozenset("p div span a center strong b font section em i".split())
_CAPTION_TAGS = frozenset("p div span font em i small center strong b figcaption".split())


def _centred(el) -> bool:
    if el.tag == "center" or (el.get("align") or "").lower() == "center":
        return True
    st = el.get("style")
    if st and _CENTRE_STYLE.search(st):
        return True
    cls = el.get("class")
    return bool(cls) and _CENTRE_CLASS.found(cls)


def _blank(s: str | None) -> bool:
    return not s or s.isspace()


def _img_holder(img, stop):
    """The largest element around ``img`` that holds nothing else (an ``<a>``, a ``<p>`` or
    ``<div>`` with only the image and line breaks), never ``stop`` or above it."""
    holder = img
    while True:
        parent = holder.getparent()
        if parent is None or parent is stop or parent.tag not in _HOLDER_TAGS or not _blank(parent.text):
            return holder
        for c in parent:
            if not _blank(c.tail) or (c is not holder and isinstance(c.tag, str) and c.tag != "br"):
                return holder
        holder = parent


def _next_element(node):
    """The next sibling element after ``node``, skipping line breaks, when only whitespace lies
    between them; else None."""
    if not _blank(node.tail):
        return None
    nxt = node.getnext()
    while nxt is not None and (not isinstance(nxt.tag, str) or nxt.tag == "br"):
        if not _blank(nxt.tail):
            return None
        nxt = nxt.getnext()
    return nxt


def caption_kind(el) -> str | None:
    """Whether ``el`` (just after an image) is that image's caption: "strong" for a
    ``<figcaption>``, a short element with a caption class (``.caption``, ``.pic-desc``,
    ``.img_desc``…) or a short line that starts like a caption (图注：, 圖說：, 图为…); "centred"
    for a short centred ``<p>``/``<span>`` line that the next element does not continue (a page
    written in centred lines is text, not captions); else None."""
    if not isinstance(el.tag, str) or el.tag not in _CAPTION_TAGS or el.find(".//img") is not None:
        return None
    t = node_text(el)
    if not t or len(t) > 200:
        return None
    if el.tag == "figcaption":
        return "strong"
    ci = classid(el)
    if ci and _CAPTION.found(ci):
        return "strong"
    if len(t) <= 150 and _CAPTION_TEXT.match(t):
        return "strong"
    if len(t) <= 60 and _centred(el) and not _SECTION_HEAD.match(t) and el.tag in ("p", "span", "center", "div", "font"):
        nxt = _next_element(el)
        if nxt is not None and _centred(nxt) and nxt.find(".//img") is None and node_text(nxt):
            return None
        return "centred"
    return None


def _rest_caption(img, holder, protected) -> tuple[object, str] | None:
    """``<p align=center><img><br>图为…</p>``: a paragraph that starts with the image and whose
    short rest is its caption. Returns (the paragraph, kind) or None."""
    parent = holder.getparent()
    if parent is None or parent in protected or parent.tag not in ("p", "div", "center") \
            or parent.getparent() is None or holder is not parent[0] or not _blank(parent.text):
        return None
    sibs = list(holder.itersiblings())
    if any(isinstance(c.tag, str) and (c.tag == "img" or c.find(".//img") is not None) for c in sibs):
        return None
    rest = norm_ws((holder.tail or "") + "".join(
        etree.tostring(c, method="text", encoding="unicode", with_tail=True) for c in sibs if isinstance(c.tag, str)))
    if not rest or len(rest) > 150:
        return None
    if _CAPTION_TEXT.match(rest):
        return parent, "strong"
    if _centred(parent) and len(rest) <= 60 and not _SECTION_HEAD.match(rest):
        return parent, "centred"
    return None


def figure_captions(scopes: list, explain: list[str] | None = None) -> int:
    """Rewrite captioned images inside ``scopes`` as ``<figure><img><figcaption>…``: the caption
    is the element right after the image (or after the element that holds only the image: an
    ``<a>``, a ``<p>``), or the short rest of a paragraph that starts with the image (see
    ``caption_kind`` and ``_rest_caption``). Images already in a ``<figure>`` are left to the
    writer. Centred lines are not captions when they carry much of the text (a photo blog written
    in centred lines). Returns the number of figures made."""
    protected = set(scopes)
    n = 0
    for scope in scopes:
        pairs = []  # (img, element replaced by the figure, caption element or None, kind)
        for img in scope.iter("img"):
            if any(a.tag == "figure" for a in img.iterancestors()):
                continue
            holder = _img_holder(img, scope)
            cap = _next_element(holder)
            kind = caption_kind(cap) if cap is not None and cap not in protected else None
            if kind:
                pairs.append((img, holder, cap, kind, holder))
            else:
                rc = _rest_caption(img, holder, protected)
                if rc:
                    pairs.append((img, rc[0], None, rc[1], holder))
        if not pairs:
            continue
        if any(k == "centred" for _, _, _, k, _i in pairs):
            total = len(node_text(scope))
            captions = sum(len(node_text(c if c is not None else h)) for _, h, c, k, _i in pairs if k == "centred")
            centred = sum(len(node_text(el)) for el in scope.iter("p", "center") if _centred(el))
            if captions > 0.3 * total or centred > 0.5 * total:
                pairs = [x for x in pairs if x[3] == "strong"]
        for img, holder, cap, _kind, inner in pairs:
            parent = holder.getparent()
            if parent is None or img.getparent() is None or (cap is not None and cap.getparent() is None):
                continue  # already moved into an earlier figure
            fig = etree.Element("figure")
            fig.tail = holder.tail
            figcap = etree.Element("figcaption")
            if cap is not None:
                figcap.text = cap.text
                for c in list(cap):
                    figcap.append(c)
                # line breaks between the image and its caption go with them
                while holder.getnext() is not None and holder.getnext() is not cap:
                    drop(holder.getnext())
                drop(cap)
            else:  # the rest of the paragraph after the image (or the link around it)
                figcap.text = inner.tail
                for c in list(inner.itersiblings()):
                    figcap.append(c)
                while len(figcap) and figcap[0].tag == "br" and _blank(figcap.text):
                    figcap.text = figcap[0].tail
                    figcap.remove(figcap[0])
            parent.replace(holder, fig)
            img.tail = None
            fig.append(img)
            fig.append(figcap)
            n += 1
    if n and explain is not None:
        explain.append(f"{n} captioned image(s) kept as <figure> with <figcaption>")
    return n


# ---------------------------------------------------------------------------------------------
# Body serialisation: the kept subtree -> clean block HTML

_INLINE_KEEP = {"a": "a", "strong": "strong", "b": "strong", "em": "em", "i": "em", "sub": "sub",
                "sup": "sup", "code": "code", "u": None, "s": None, "q": None, "cite": None}
_HEADINGS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
# BodyWriter.node: the tags that have a case of their own, and the blocks that are only paragraph
# boundaries (flushed before and after their content)
_SPECIAL = frozenset(["br", "img", "ul", "ol", "blockquote", "pre", "figure", "table", *_HEADINGS])
_PLAIN_BLOCKS = (_BLOCK_TAGS | {"td", "th", "tr"}) - _SPECIAL
_BR = "\x00BR\x00"
_UNREAD = object()  # (BodyWriter: no text known for the element)
# (the group of a scheme: BodyWriter reads it; a match means "has a scheme")
_SCHEME = _lazy_re(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_BLOCK_TAG = _lazy_re(r"</?(?:p|ul|ol|li|blockquote|figure|h\d|table|tr|td|th|pre)>")
_ENDS_SENTENCE = _lazy_re(r"[。！？!?”」』）)]\s*$")
_ENDS_LINE = _lazy_re(r"[。！？!?□」』”\"]\s*$")
_LATIN_END = _lazy_re(r"[A-Za-z0-9,.;:!?]$")
_LATIN_START = _lazy_re(r"[A-Za-z0-9(]")
_TAGS = _lazy_re(r"<[^>]+>")
_INDENT = _lazy_re(r"^[\u3000\u00a0 \t]{2,}|^\u3000")


def esc(s: str) -> str:
    # htmllib.escape(s, quote=False): its three replacements, without its call, and only when
    # there is something to replace (three "in" tests cost a fifth of three replacements that
    # find nothing in CJK text)
    if "&" in s or "<" in s or ">" in s:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s


def _attr(s: str) -> str:
    # htmllib.escape(s, quote=True), only when there is something to replace (as esc)
    if "&" in s or "<" in s or ">" in s or '"' in s or "'" in s:
        return htmllib.escape(s, quote=True)
    return s


class BodyWriter:
    """Turns a cleaned subtree into a flat sequence of clean blocks (p, h2-h4, ul/ol, blockquote,
    figure, table, pre). Divs become paragraph boundaries; ``<br><br>`` splits paragraphs;
    hard-wrapped lines are joined."""

    def __init__(self, base_url: str | None = None, _counts: list | None = None, texts: dict | None = None):
        """``texts``: the text of elements as it is (strip_page's), taken once instead of read
        again."""
        self.base = base_url
        self._texts = texts if texts is not None else {}
        self.blocks: list[list[str]] = []  # [html, plain text] per block
        self.buf: list[str] = []
        # relative URLs are resolved against the original URL (by the sanitiser); with no
        # original URL they cannot be: such images are dropped and such links unwrapped to text
        try:
            self.base_ok = is_http_url(base_url)
        except ValueError:
            self.base_ok = False
        self._counts = _counts if _counts is not None else [0, 0]  # [images dropped, links unwrapped]

    @property
    def unresolved(self) -> tuple[int, int]:
        return self._counts[0], self._counts[1]

    def _sub(self) -> "BodyWriter":
        return BodyWriter(self.base, self._counts)

    def _unresolvable(self, url: str) -> bool:
        """A relative URL (not a #fragment, not protocol-relative) with nothing to resolve it against."""
        if self.base_ok or not url or url.startswith(("#", "//")):
            return False
        return not _SCHEME.match(url)

    def _img_src(self, img) -> str:
        src = (img.get("src") or img.get("data-src") or img.get("data-original") or img.get("data-lazy-src") or "").strip()
        if not src or src.startswith("data:"):
            return ""
        if self._unresolvable(src):
            self._counts[0] += 1
            return ""
        return src

    # -- paragraphs ----------------------------------------------------------------------------
    def flush(self) -> None:
        buf = self.buf
        if not buf:
            return
        raw = "".join(buf)
        buf.clear()  # (in place: walk_children holds it)
        self._paragraphs(raw)

    def _paragraphs(self, raw: str) -> None:
        """The paragraph blocks of an inline run (what the buffer held)."""
        if raw.isspace():
            return  # the white space between blocks: no text, no tag, no line break
        for para in _split_lines(raw) if _BR in raw else (_strip_indent(raw),):  # (_split_lines' own test)
            plain = norm_ws(_TAGS.sub("", para) if "<" in para else para)
            if not plain and "<img" not in para:
                continue
            self.blocks.append([f"<p>{para.strip()}</p>", htmllib.unescape(plain) if "&" in plain else plain])

    def block(self, html: str, text: str) -> None:
        self.flush()
        self.blocks.append([html, text])

    @property
    def texts(self) -> list[str]:
        return [t for _, t in self.blocks if t]

    # -- walking -------------------------------------------------------------------------------
    def walk_children(self, el) -> None:
        append = self.buf.append  # (flush empties the list in place)
        node = self.node
        t = el.text
        if t:  # (esc, inlined)
            append(t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                   if "&" in t or "<" in t or ">" in t else t)
        for c in el:
            node(c)
            t = c.tail
            if t:
                append(t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                       if "&" in t or "<" in t or ">" in t else t)

    def node(self, el) -> None:
        tag = el.tag
        if not isinstance(tag, str):
            return
        # the common tags first: a block that is only a paragraph boundary, an inline tag, an
        # element walked through (the tags below _SPECIAL each have their own case)
        if tag in _PLAIN_BLOCKS:
            buf = self.buf
            if len(buf) == 1 and buf[0].isspace():
                buf.clear()  # (what flush does with the white space between two blocks)
            elif buf:
                self.flush()
            if len(el):
                self.walk_children(el)
            else:  # (a paragraph of text alone, most: walk_children's first step)
                t = self._texts.pop(el, _UNREAD)
                if t is _UNREAD:
                    t = el.text
                if t:  # (what flush does with it alone in the buffer)
                    self._paragraphs(t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                                     if "&" in t or "<" in t or ">" in t else t)
                return
            self.flush()
        elif tag in _INLINE_KEEP:
            self._inline(el, _INLINE_KEEP[tag])
        elif tag not in _SPECIAL:
            self.walk_children(el)
        elif tag == "br":
            self.buf.append(_BR)
        elif tag == "img":
            src = self._img_src(el)
            if src:
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
            sub = self._sub()
            sub.walk_children(el)
            sub.flush()
            if sub.blocks:
                self.block("<blockquote>" + "".join(h for h, _ in sub.blocks) + "</blockquote>", "\n".join(sub.texts))
        elif tag == "pre":
            t = el.text_content()
            if t.strip():
                self.block(f"<pre>{esc(t.strip(chr(10)))}</pre>", norm_ws(t))
        elif tag == "figure":
            imgs = el.findall(".//img")
            cap_el = el.find(".//figcaption")
            if cap_el is None:  # <figure><img><div class="caption">
                cap_el = next((c for c in el.iter() if c is not el and isinstance(c.tag, str)
                               and c.tag not in ("img", "a") and _CAPTION.found(classid(c) or "-")
                               and c.find(".//img") is None and node_text(c)), None)
            parts = []
            for img in imgs[:4]:
                src = self._img_src(img)
                if src:
                    alt = norm_ws(img.get("alt") or img.get("title") or "")
                    parts.append(f'<img src="{_attr(src)}" alt="{_attr(alt)}">')
            if parts:
                # the caption is shown with its image; it is not body text (record.html_to_text
                # leaves <figcaption> out, as the corpus does)
                cap = _CAPTION_LABEL.sub("", self.inline_html(cap_el)) if cap_el is not None else ""
                if cap:
                    parts.append(f"<figcaption>{cap}</figcaption>")
                self.block("<figure>" + "".join(parts) + "</figure>", "")
            elif not imgs and any(el.find(f".//{t}") is not None for t in ("p", "blockquote", "pre", "table")):
                # a figure of text (a quote, a listing, a table): its content without the caption
                for c in el:
                    if c is not cap_el and c.tag != "figcaption":
                        self.node(c)
            # else: an image that cannot be shown (lazy-loaded, unresolvable): nothing, not even
            # its caption or credit
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
        else:  # a layout table
            self.flush()
            self.walk_children(el)
            self.flush()

    def _inline(self, el, name: str | None) -> None:
        if name == "a":
            href = (el.get("href") or "").strip()
            scheme = _SCHEME.match(href)
            if href and not scheme and self._unresolvable(href):
                self._counts[1] += 1
                self.walk_children(el)
            elif href and not href.startswith("#") and (not scheme or scheme.group(1).lower() in ("http", "https", "mailto")):
                self.buf.append(f'<a href="{_attr(href)}">')
                self.walk_children(el)
                self.buf.append("</a>")
            else:
                self.walk_children(el)
        elif name:
            self.buf.append(f"<{name}>")
            self.walk_children(el)
            self.buf.append(f"</{name}>")
        else:
            self.walk_children(el)

    def inline_html(self, el) -> str:
        sub = self._sub()
        sub.walk_children(el)
        sub.flush()
        # nested blocks inside an inline context (a list item holding paragraphs): keep their
        # content, separated by line breaks
        inner = [_BLOCK_TAG.sub(" ", h) for h, _ in sub.blocks]
        return norm_ws("<br>".join(x.strip() for x in inner if x.strip()))

    def html(self) -> str:
        self.flush()
        return "\n".join(h for h, _ in self.blocks)


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
        if paras[-1] and _INDENT.match(line.lstrip("\r\n").replace("&nbsp;", "\u00a0")):
            paras.append([])
        paras[-1].append(line)
    out = []
    for group in paras:
        if not group:
            continue
        if len(group) == 1:
            out.append(_strip_indent(group[0]))
            continue
        lens = [len(norm_ws(_TAGS.sub("", g))) for g in group]
        body = sorted(lens[:-1])
        med = body[len(body) // 2]
        wrapped = med >= 12 and sum(1 for L in lens[:-1] if abs(L - med) <= max(3, med * 0.2)) >= 0.7 * len(body)
        if wrapped and len(group) == 2 and _ENDS_SENTENCE.search(_TAGS.sub("", group[0])):
            wrapped = False  # two lines, the first a finished sentence: two paragraphs
        if wrapped:
            joined = ""
            for k, g in enumerate(group):
                g = g.strip()
                if k and lens[k - 1] < 0.8 * med and _ENDS_LINE.search(joined):
                    out.append(_strip_indent(joined))  # a short line that ends a sentence ends the paragraph
                    joined = ""
                if joined and _LATIN_END.search(joined) and _LATIN_START.match(g):
                    joined += " "
                joined += g
            out.append(_strip_indent(joined))
        else:
            # lines that are not hard-wrapped are paragraphs of their own
            out.extend(_strip_indent(g) for g in group)
    return out


_LEAD_INDENT = _lazy_re(r"^(?:\s|&nbsp;|\u00a0|\u3000)+")


def _strip_indent(s: str) -> str:
    # _LEAD_INDENT.sub("", s): the pattern only matches at the start, and never empty, so that is
    # the rest after its match there (re.sub tried it at every character of the paragraph)
    if not s or not (s[0].isspace() or s[0] == "&"):
        return s
    m = _LEAD_INDENT.match(s)
    return s[m.end():] if m else s


# ---------------------------------------------------------------------------------------------
# Page kinds

_FORUM_URL = _lazy_re(r"(?:^|[./])(?:bbs|forum|forums|tieba|club|discuz)[./]|dispbbs|viewthread|showtopic|"
                        r"showthread|thread-\d|forum\.php|/t/\d|topic\.php|read\.php\?tid|viewtopic|"
                        r"forumdisplay|/f/\d|index_\d+_\d+\.shtml", re.I)
_SEARCH_URL = _lazy_re(r"/search\b|/so/|[?&](?:q|query|keyword|kw|wd|s)=|/tag/|/tags/|/topics?/", re.I)
_FORUM_WORDS = _lazy_re(r"楼主|发表于|回复|引用|沙发|板凳|帖子|主题|精华|积分|只看该作者|楼\b|#\d+楼|Powered by Discuz|"
                          r"dvbbs|phpwind|看帖|发帖|跟帖")


@dataclass
class Kind:
    kind: str
    reason: str


_JS_REDIRECT = _lazy_re(r"(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=\s*['\"]|"
                          r"location\.(?:replace|assign)\s*\(")
# whether _JS_REDIRECT matches anywhere (its optional object prefix cannot decide that): a pattern
# that starts with a word, which re finds quickly, instead of trying the prefixes at every character
_JS_REDIRECT_ANY = _lazy_re(r"location(?:(?:\.href)?\s*=\s*['\"]|\.(?:replace|assign)\s*\()")
_APP_ROOT_IDS = {"app", "root", "__next", "__nuxt", "react-root", "main-app", "application", "app-root"}


def shell_signals(root, pm: PageMeta) -> dict:
    """Read BEFORE scripts are stripped: a meta-refresh or script redirect target, and whether the
    page is a script-rendered app shell (an empty #app/#root mount point). Cheap."""
    out: dict = {}
    refresh = pm.meta.get("refresh", "")
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*[;,]?\s*(?:url\s*=\s*)?['\"]?([^'\"\s]*)", refresh, re.I)
    if m and m.group(2) and float(m.group(1)) <= 10:
        out["redirect"] = f"meta refresh to {m.group(2)[:120]}"
    body = root.find("body")
    scripts = 0
    for sc in root.iter("script"):
        scripts += 1
        txt = sc.text
        if not txt:
            continue
        if "redirect" not in out and len(txt) < 3000 and _JS_REDIRECT_ANY.search(txt):
            out["redirect"] = "script redirect (location = …)"
        if len(txt) > 300 and ("<p" in txt or "\\u003cp" in txt or "\\u003Cp" in txt):
            # parsed only when needed (json_state): most pages never need it
            out.setdefault("_state_scripts", []).append((txt, (sc.get("type") or "").lower()))
    if body is not None:
        for el in body.iter("div", "main", "section"):
            if (el.get("id") or "").lower() in _APP_ROOT_IDS and not len(el) and not (el.text or "").strip():
                out["shell"] = f"empty app mount point <{el.tag} id={el.get('id')}> and {scripts} script(s)"
                break
    return out


_STATE_ASSIGN = _lazy_re(r"^\s*(?:window\.|var\s+|let\s+|const\s+)?[\w$.\[\]'\"]{1,60}\s*=\s*(\{.*\})\s*;?\s*$", re.S)
_JSON_DATE_KEYS = ("datePublished", "publishTime", "publish_time", "pubTime", "pubDate", "pub_date",
                   "publishDate", "publish_date", "publishedAt", "published_at", "ptime", "ctime", "createTime",
                   "create_time", "createdAt", "releaseTime", "date")


def _json_state_article(txt: str, stype: str) -> dict:
    """An article body held as an HTML string in a script-rendered page's JSON state
    (``__NEXT_DATA__``, ``window.__INITIAL_STATE__ = {…}``): the longest string value with
    paragraphs of Chinese text, with the title and date beside it in the same object."""
    raw = txt.strip()
    if "json" not in stype:
        m = _STATE_ASSIGN.match(raw)
        if not m:
            return {}
        raw = m.group(1)
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    best: list = [0, None, None]  # [CJK count, html, owning dict]
    stack = [(data, None, 0)]
    seen = 0
    while stack:
        obj, owner, depth = stack.pop()
        seen += 1
        if seen > 50000 or depth > 12:
            break
        if isinstance(obj, dict):
            for v in obj.values():
                stack.append((v, obj, depth + 1))
        elif isinstance(obj, list):
            for v in obj[:500]:
                stack.append((v, owner, depth + 1))
        elif isinstance(obj, str) and len(obj) > 200 and "<p" in obj:
            n = sum(map(len, _CJK_RUN.findall(obj)))
            if n >= 100 and n > best[0]:
                best = [n, obj, owner]
    if best[1] is None:
        return {}
    out = {"json_body": best[1]}
    owner = best[2] or {}
    t = owner.get("title") or owner.get("headline")
    if isinstance(t, str) and 2 <= len(t.strip()) <= 200:
        out["json_title"] = norm_ws(htmllib.unescape(t))
    for k in _JSON_DATE_KEYS:
        v = owner.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = str(int(v))
        if isinstance(v, str):
            d = parse_date(v)
            if d:
                out["json_date"] = d
                break
    return out


def json_state(signals: dict) -> dict:
    """The article found in the page's JSON state scripts (``json_body``, ``json_title``,
    ``json_date``), parsed on first use and kept in ``signals``."""
    if "_state" not in signals:
        found: dict = {}
        for txt, stype in signals.get("_state_scripts", ()):
            found = _json_state_article(txt, stype)
            if found:
                break
        signals["_state"] = found
    return signals["_state"]


def json_state_content(root, signals: dict):
    """Put the JSON state's article HTML into the page's <body> (for a page whose HTML has no
    content of its own); returns the new element or None."""
    html = json_state(signals).get("json_body")
    body = root.find("body")
    if not html or body is None:
        return None
    try:
        frag = lxml.html.fragment_fromstring(html, create_parent="div", parser=_PARSER)
    except (etree.ParserError, ValueError, TypeError):
        return None
    frag.set("class", "json-state-article")
    body.append(frag)
    return frag


def refine_empty(kind: "Kind | None", signals: dict, content, st: dict, root) -> "Kind | None":
    """A page with no article text: say WHY (redirect, script-rendered shell, empty body)."""
    chars = st[content].chars if content is not None and content in st else 0.0
    if kind is None and chars >= 60:
        return None  # an article (a short one next to a mobile-redirect script is still one)
    if kind is not None and not kind.reason.startswith("no "):
        return kind
    if signals.get("redirect"):
        return Kind("redirect", f"redirect page ({signals['redirect']}), no article text")
    if signals.get("shell"):
        return Kind("shell", f"script-rendered page with no content in the HTML ({signals['shell']})")
    body = root.find("body")
    if body is None or not norm_ws(body.text_content()):
        return Kind("empty", "the page's <body> has no text")
    return kind


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
    body = root.find("body")
    scope = body if body is not None else root
    title = pm.title_tag or pm.wrapper_title
    forum_url = bool(_FORUM_URL.search(url))
    generator = pm.meta.get("generator", "").lower()
    forum_gen = any(g in generator for g in ("discuz", "phpwind", "dvbbs", "vbulletin", "phpbb", "xenforo"))
    if not articleish:
        tail_text = node_text(scope)[-3000:]
        powered = re.search(r"Powered by (?:Discuz|phpwind|Dvbbs|vBulletin|phpBB|XenForo)", tail_text + title, re.I)
        forum_title = re.search(r"论坛|論壇|社区|社區|贴吧|貼吧|\bBBS\b|Powered by", title, re.I)
        if forum_gen or powered or forum_url or forum_title:
            why = ("generator " + generator) if forum_gen else ("'Powered by' forum software" if powered else
                   ("forum URL " + urlsplit(url).netloc + urlsplit(url).path if forum_url else "forum title"))
            return Kind("forum", f"forum page ({why})")

    if not articleish:
        floors, first = _forum_floors(scope)
        if floors and (content is None or not _after(first, content, scope)):
            return Kind("forum", f"forum thread ({floors})")
    if content is None:
        return Kind("index", "no article body found (no block of running text)")
    s = st.get(content)
    if s is None or s.chars < 30:
        return Kind("index", "no article body found (too little running text)")

    rep = _repeated_items(content, st)
    searchy = re.search(r"搜索|搜尋|search results?|相关资讯|相關資訊|检索", title, re.I) or \
        re.search(r"/search\b|/so/|[?&](?:q|query|s|wd|kw|keyword)=", url, re.I)
    if rep is not None:
        n, share, sig = rep
        if not articleish or share > 0.8 or n >= 10:
            kind = "search" if searchy else "index"
            return Kind(kind, f"{'search results' if searchy else 'index/list'} page: {n} similar teaser "
                              f"items <{sig}> hold {share:.0%} of the main text")
    teaser = _teaser_profile(content)
    if teaser["items"] >= 6 and teaser["ratio"] > 0.5 and not articleish:
        kind = "search" if searchy else "index"
        return Kind(kind, f"{kind} page ({teaser['items']} teaser items, {teaser['ratio']:.0%} of the text)")
    if not _has_running_text(content, st):
        return Kind("index", "no paragraph of running text (only short items)")
    return None


_FLOOR = _lazy_re(r"^(?:楼主|樓主|沙发|沙發|板凳|地板|地下室|\d{1,5}\s*(?:楼|樓|#|F)|#\s*\d{1,5}|第\s*\d{1,5}\s*(?:楼|樓))$", re.I)
_POSTED = _lazy_re(r"^(?:发表于|發表於|发表时间|發表時間|回复于|回覆於|Posted on)\s*[:：]?\s*(?:19|20)\d{2}")


def _forum_floors(scope) -> tuple[str, object]:
    """Posts numbered as floors (楼主/沙发/板凳/2楼/#3) or three+ "发表于 <date>" post headers
    among repeated post blocks: a forum thread, not an article with comments (comment sections
    were removed before this)."""
    floors = posted = 0
    seen = 0
    first_floor = first_post = None
    for el in scope.iter("em", "strong", "a", "span", "div", "td", "b", "font", "p", "li"):
        seen += 1
        if seen > 20000:
            break
        t = (el.text or "").strip()
        if not t or len(t) > 40:
            continue
        if _FLOOR.match(t):
            floors += 1
            first_floor = first_floor if first_floor is not None else el
        elif _POSTED.match(t):
            posted += 1
            first_post = first_post if first_post is not None else el
    if floors >= 3:
        return f"{floors} posts numbered as floors (楼主/沙发/N楼)", first_floor
    if posted >= 4:
        return f"{posted} post headers 发表于 <date>", first_post
    return "", None


def _after(el, content, scope) -> bool:
    """``el`` comes after the whole of ``content`` in document order (readers' posts below an
    article, not a thread whose first post is the content)."""
    if el is None or el is content or _is_ancestor(content, el):
        return False
    for x in scope.iter():
        if x is el:
            return False
        if x is content:
            return True
    return False


def title_anchored_content(root, pm: PageMeta, content, st: dict):
    """For a page judged a list because the densest block holds a run of teasers: when an
    article heading (an h1/h2 that agrees with <title>, 8+ characters) has running text after it
    in its own column, and the teasers sit in a column BESIDE it marked as a sidebar (aside, or a
    side/right/hot/rank/related/recommend class), that column is the article (a short story next
    to a heavy sidebar). Returns the article column or None."""
    tt = _tnorm(pm.title_tag or pm.wrapper_title)
    if len(tt) < 8 or content is None:
        return None
    heading = None
    for h in root.iter("h1", "h2"):
        t = _tnorm(node_text(h))
        if len(t) >= 8 and t in tt:
            heading = h
            break
    if heading is None or _is_ancestor(heading, content):
        return None
    hchars = weight_len(node_text(heading))
    best = None
    node = heading.getparent()
    for _ in range(4):
        if node is None or node.tag in ("body", "html"):
            break
        s = st.get(node)
        if s is None or not s.chars or s.link / s.chars >= 0.3 or best is not None and s.link > st[best].link + 30:
            break  # the column grew into link lists: the article column is below
        if s.chars - hchars >= 30 and s.punct >= 2:
            best = node
        node = node.getparent()
    if best is None:
        return None
    parent = best.getparent()
    if parent is None:
        return None
    # the teaser column: the sibling of the article column with the most link text
    sibs = [c for c in parent if isinstance(c.tag, str) and c is not best and c in st]
    if not sibs:
        return None
    col = max(sibs, key=lambda c: st[c].link)
    ci = classid(col)
    sidebar = col.tag == "aside" or bool(ci) and re.search(
        r"(?:^|[-_\s])(?:side\w*|right|r|rt|aside|hot\w*|rank\w*|relate\w*|recommend\w*|tuijian|col-?(?:right|r|auto)|"
        r"sub|secondary|extra|widget\w*|more)(?=$|[-_\s\d])", ci, re.I)
    return best if sidebar and st[col].link > 0 else None


def _sig(el) -> str:
    cls = (el.get("class") or "").split()
    return el.tag + ("." + cls[0] if cls else "")


def _repeated_items(content, st) -> tuple[int, float, str] | None:
    """A list page: the content (or the container it sits in) is mostly a run of >= 5 siblings
    with the same tag and class, each a short teaser with a link."""
    node = content
    for _ in range(3):
        parent = node.getparent() if node is not content else content
        cont = parent if node is content else node
        for holder in ([content] if node is content else [cont]):
            groups: dict[str, list] = {}
            for c in holder.iter():
                if c is holder or not isinstance(c.tag, str) or c.tag in ("a", "span", "p", "br", "img", "b", "strong", "em", "i", "font"):
                    continue
                par = c.getparent()
                groups.setdefault((id(par), _sig(c)), []).append(c)
            total = st[holder].chars if holder in st else 0
            for (_pid, sig), items in groups.items():
                if len(items) < 5 or total <= 0:
                    continue
                linked = [it for it in items if _has_headline_link(it)]
                if len(linked) < 0.6 * len(items) or len(linked) < 5:
                    continue
                chars = sum(st[it].chars for it in items if it in st)
                avg = chars / len(items)
                if avg > 400:
                    continue
                share = chars / total
                if share >= 0.5:
                    return len(items), share, sig
        node = node.getparent()
        if node is None or node.tag in ("body", "html"):
            break
    # the content is one item among many similar siblings or cousins (a teaser picked as "the
    # article"): look up to four levels for a run of >= 5 items with headline links
    if st[content].chars < 600 and content.tag != "body":
        node = content
        for _ in range(4):
            parent = node.getparent()
            if parent is None or node.tag == "body":
                break
            sig = _sig(node)
            sibs = [c for c in parent if isinstance(c.tag, str) and _sig(c) == sig]
            if len(sibs) >= 5 and sum(1 for c in sibs if _has_headline_link(c)) >= 0.5 * len(sibs):
                return len(sibs), 1.0, sig
            node = parent
    return None


def _has_headline_link(el) -> bool:
    for a in el.iter("a"):
        if len(node_text(a)) >= 6 and (a.get("href") or "").strip() not in ("", "#"):
            return True
    return False


def _has_running_text(content, st) -> bool:
    """At least one unit of running prose: 60+ characters with sentence punctuation."""
    for el in content.iter():
        s = st.get(el)
        if s is None:
            continue
        if el.tag in ("p", "div", "td", "section", "article", "blockquote", "li", "font", "span") \
                and s.chars >= 50 and s.punct >= 2 and (s.link / s.chars if s.chars else 1) < 0.5:
            return True
    return False


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


# ---------------------------------------------------------------------------------------------
# Pruning boilerplate inside the chosen content

_CAPTION = _lazy_fold(r"(?:^|[-_\s])(?:caption|captions|credit|credits|pic[-_]?info|pic[-_]?text|pic[-_]?txt|pic[-_]?desc|"
                      r"img[-_]?(?:desc|text|info|title|caption)|image[-_]?(?:caption|credit|copyright|desc)|photo[-_]?"
                      r"(?:caption|credit|desc)|figcaption|copyright|media[-_]?caption|tuzhu)(?=$|[-_\s\d])", re.I)
_AD_LABEL = _lazy_re(r"^(?:advertisement|advertising|sponsored|ad|广告|廣告|推广|推廣|赞助|贊助)$", re.I)
_TAGBOX = _lazy_fold(r"(?:^|\s)(?:[a-z]+[-_])?(?:tags?|keywords?|topics?|labels?|tag-?links?)"
                     r"(?:[-_](?:list|box|container|wrap|wrapper|area|links?|items?|bar|group))?(?=$|\s)", re.I)


def prune(parts: list, st: dict, explain: list[str] | None = None, found: dict | None = None) -> None:
    """Remove boilerplate inside the content parts: chrome by class/id, lists of links (related
    stories, promo), image captions and credits, advertising labels, tag boxes. A removed short
    ``来源：``/``來源：`` credit line (``p.src-info``, ``.source``…) still gives ``found["source"]``."""
    counts: dict[str, int] = {}

    def note(why: str) -> None:
        counts[why] = counts.get(why, 0) + 1

    total = sum(st[p].chars if p in st else weight_len(node_text(p)) for p in parts) or 1.0
    for part in parts:
        kill = []
        # a figure keeps its image and caption (the writer takes only those from it)
        in_figure = {d for f in part.iter("figure") for d in f.iter() if d is not f}
        for el in part.iter():
            if el is part or not isinstance(el.tag, str) or el in in_figure:
                continue
            s = st.get(el)
            if s is None:
                continue
            ci = classid(el)
            tag = el.tag
            if tag in ("aside", "footer") and s.chars < 0.4 * total:
                kill.append(el); note(f"<{tag}>"); continue
            if tag == "header" and s.chars < 0.25 * total:
                kill.append(el); note("<header>"); continue
            if ci and _CAPTION.found(ci) and (tag == "figure" or el.find(".//figure") is not None):
                continue  # a .wp-caption box around a captioned image stays
            if ci and _CAPTION.found(ci) and s.chars < 0.5 * total and tag != "body":
                kill.append(el); note("caption/credit"); continue
            if ci and _NEG.found(ci) and not _POS.found(ci) and s.chars < 0.25 * total:
                if found is not None and s.chars <= 60:
                    t = node_text(el)
                    m = _SRC_RX.search(t) or _SOURCE_LINE.search(t)
                    if m and "source" not in found:
                        found["source"] = m.group(1).strip("“”\"《》 ")
                    m = _AUTH_RX.search(t) if m else None
                    if m and "author" not in found:
                        found["author"] = m.group(1)
                kill.append(el); note("boilerplate by class/id"); continue
            if tag in ("ul", "ol", "dl") and s.chars > 0 and s.link / s.chars > 0.6:
                kill.append(el); note("list of links"); continue
            if tag in ("div", "section", "table", "p", "center") and s.chars > 0 and s.link / s.chars > 0.7 \
                    and s.chars < 0.3 * total and s.punct <= max(2, s.chars / 40):
                kill.append(el); note("block of links"); continue
            if tag in ("p", "div", "span", "section") and s.chars < 20:
                t = node_text(el)
                if t and _AD_LABEL.match(t):
                    kill.append(el); note("advertising label"); continue
        for el in kill:
            if el.getparent() is not None and not any(_is_ancestor(k, el) for k in kill if k is not el):
                drop(el)
    if explain is not None and counts:
        explain.append("inside the content removed: " + ", ".join(f"{n} x {w}" for w, n in sorted(counts.items())))


# Lines (whole short paragraphs) that are never body text. (name, regex, action)
# action: "drop" | "source" (group 1 = source, dropped) | "author" (group 1 = author, dropped)
_LINE_RULES = [
    ("reporter line", _lazy_re(r"^[（(【\[]\s*(?:本报|本報|本台|本网|本網)?(?:记者|記者|通讯员|通訊員|特约记者|特約記者)\s*[：:]?\s*"
                                 r"([\u4e00-\u9fff·]{2,4})(?:\s*[、，,\s]\s*[\u4e00-\u9fff·]{2,4}){0,3}"
                                 r"(?:\s*(?:实习生|實習生|通讯员|通訊員|记者|記者)\s*[\u4e00-\u9fff·]{2,4}(?:\s*[、，,\s]\s*[\u4e00-\u9fff·]{2,4}){0,2})*"
                                 r"\s*(?:报道|報導|报导|報道|采写|採寫|摄影|攝影|摄|攝|发自\S{0,10}|發自\S{0,10})?\s*[）)】\]]$"), "author"),
    ("source line", _lazy_re(r"^[【\[（(]?\s*(?:(?:本文|文章|稿件|新闻|新聞|消息)?(?:来源|來源|稿源|出处|出處|来源于|來源於)\s*[：:︱|｜]|"
                               r"(?:本文|文章)(?:来源于|來源於|来自|來自)\s*[：:]?|Source\s*[：:︱|｜])\s*"
                               r"([^\s，。,;；|｜】\])）(（\[【]{1,30})"), "source"),
    ("reprint credit", _lazy_re(r"^本文(?:为|系|由|来自|來自|转载自|轉載自|转自|轉自|首发于|原载于|摘自|选自|選自)\s*"
                                  r"(?:微信)?(?:公众号|公眾號)?\s*[“\"《「]?([^，。,\s“”《》「」\"]{2,20}?)[”》」\"]?\s*"
                                  r"(?:(?:微信)?(?:公众号|公眾號)|微信|微博)?\s*(?:授权|授權|原创|原創|独家|獨家|首发|首發|供稿|提供|发布|發布|，|,|。|[（(]|$)"), "source"),
    ("publication trailer", _lazy_re(r"^[—–\-]{1,3}\s*(?:原载|原載|载|載|摘自|转自|轉自)?\s*《([^》]{2,20})》\s*\S{0,20}$"), "source"),
    ("author line", _lazy_re(r"^[【\[（(]?\s*(?:作者|作\s者|撰文|文|记者|記者|执笔|執筆|编译|編譯|译者|譯者|Author|By)"
                               r"\s*[：:︱|｜/／]\s*([^\s，。,;；|｜】\])）]{1,24})"), "author"),
    ("editor line", _lazy_re(r"^[【\[（(]?\s*(?:责任编辑|責任編輯|责编|責編|编辑|編輯|校对|校對|审校|審校|监制|監製|主编|"
                               r"主編|出品|制作|製作|策划|策劃|实习生|實習生|图片编辑|圖片編輯|美编|美編|视觉|視覺|统筹|統籌)"
                               r"\s*[：:︱|｜/／]"), "drop"),
    ("original-title line", _lazy_re(r"^[【\[（(]?\s*原(?:标题|標題|文标题|題)\s*[：:]"), "drop"),
    ("editor summary", _lazy_re(r"^[【\[（(]?\s*(?:摘要|内容提要|提要|导读|導讀|核心提示)\s*[：:]"), "drop"),
    ("image caption", _lazy_re(r"^[【\[（(]?\s*(?:图注|圖注|图说|圖說|图片说明|圖片說明|图片来源|圖片來源|图片|圖片|图|圖|"
                                 r"资料图|資料圖|配图|配圖)\s*[：:︱|｜]"), "drop"),
    ("image credit", _lazy_re(r"^[（(]?\s*(?:图片|圖片|图|圖)(?:均|皆)?(?:来自|來自|来源|來源|源自)(?:于|於)?\s*\S{0,20}$|"
                                r"^[（(]\s*(?:图|圖)\s*[/／：:]?\s*\S{0,20}[)）]$|(?:提供|供图|供圖)[)）]?$"), "drop"),
    ("disclaimer", _lazy_re(r"转载请注明|轉載請註明|版权所有|版權所有|未经授权|未經授權|不得转载|不得轉載|禁止转载|禁止轉載|"
                              r"不代表.{0,12}(?:立场|立場|观点|觀點)|仅代表作者|僅代表作者|免责声明|免責聲明|"
                              r"All rights reserved|Copyright\s*©|©\s*\d{4}"), "drop"),
    ("paywall notice", _lazy_re(r"已過查詢時效|已过查询时效|付費會員|付费会员|订阅后阅读|訂閱後閱讀|登录后阅读|登入後閱讀|"
                                  r"阅读全文请|閱讀全文請|剩余\d+%|余下全文"), "drop"),
    ("share line", _SHARE_TEXT, "drop"),
    ("follow-us line", _lazy_re(r"^(?:欢迎|歡迎)?(?:关注|關注|扫码|掃碼|扫描|掃描|长按|長按|(?:微信)?扫一扫|(?:微信)?掃一掃|识别|識別|"
                                  r"下载|下載|点击|點擊)\S{0,4}.{0,30}(?:微信|公众号|公眾號|订阅号|訂閱號|二维码|二維碼|APP|App|客户端|客戶端)"), "drop"),
    ("app promo line", _lazy_re(r"^(?=.{0,60}$)(?:.{0,12}(?:请|請|欢迎|歡迎)?(?:下载|下載|打开|打開|安装|安裝)\S{0,14}(?:客户端|客戶端|APP|App|app)|"
                                  r"返回\S{1,10}[，,]\s*查看更多)"), "drop"),
    # a row of bracketed page tools: 【打印】【关闭】【纠错】【责任编辑：X】
    ("tool line", _lazy_re(r"^(?=.*(?:纠错|糾錯|打印|列印|关闭|關閉|收藏|字号|字號|字体|字體|责任编辑|責任編輯|编辑|編輯|分享|返回顶部|回到顶部))"
                             r"(?:[【\[]\s*[^】\]]{1,24}\s*[】\]]\s*)+$"), "drop"),
    # the heading of a related/promo list left behind when its links were removed
    ("list heading", _lazy_re(r"^[【\[]?\s*(?:相关阅读|相關閱讀|相关新闻|相關新聞|相关文章|相關文章|相关链接|相關連結|延伸阅读|延伸閱讀|"
                                r"推荐阅读|推薦閱讀|热门推荐|熱門推薦|猜你喜欢|猜你喜歡|精彩推荐|精彩推薦|往期回顾|往期回顧|"
                                r"更多精彩|热点新闻|熱點新聞|热门文章|熱門文章|相关报道|相關報導|相關報道|阅读更多|閱讀更多|"
                                r"点击查看原文|點擊查看原文|阅读原文|閱讀原文|查看原文|网友评论|網友評論|发表评论|發表評論)"
                                r"\s*[】\]]?\s*[：:>»]*\s*$"), "drop"),
    ("image caption", _lazy_re(r"^(?:[（(]\s*)?(?:图为|圖為|(?:上|下|左|右)(?:图|圖)(?:为|為|[：:]))\S"), "drop"),
]
_SOURCE_LINE = next(rx for name, rx, _a in _LINE_RULES if name == "source line")
_SIGNOFF = _lazy_re(r"^[\u4e00-\u9fff·]{2,8}[，,]\s*[^，。,]{2,20}(?:报道|報導|报导|報道)[。.]?$")
_BYLINE_NAME = _lazy_re(r"^(?:[\u4e00-\u9fff·]{2,4})(?:\s+[\u4e00-\u9fff·]{2,4}){0,2}$")
_DATE_LINE = _lazy_re(r"^[\s\w:：/\-.年月日时分秒|｜·,，()（）]*?(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}.{0,40}$")


# A news-agency dateline opening the body: 【中央社台北22日電】, 新华社北京11月22日电, （中新社记者X香港22日电）
_DATELINE = _lazy_re(r"^[【\[（(]?\s*((?:[\u4e00-\u9fff]{1,4}社)|中新网|中新網|央视网|央視網)"
                       r"(?:\s*(?:记者|記者|特派记者|特派記者|特派员|特派員)\s*[\u4e00-\u9fff·、\s]{2,12}?)?"
                       r"\s*[\u4e00-\u9fff]{0,10}?\s*(?:\d{1,2}\s*月\s*)?\d{1,2}\s*日\s*(?:电|電|讯|訊|专电|專電)")


def dateline_source(texts: list[str], pm: PageMeta) -> str | None:
    """The agency named in a dateline at the start of the body, when the page is not the agency's
    own (its name is not in the <title>/site name)."""
    first = next((t for t in texts if t.strip()), "")
    m = _DATELINE.match(first.strip())
    if not m:
        return None
    agency = m.group(1)
    own = (pm.title_tag or "") + " " + (pm.site_name or "") + " " + (pm.wrapper_title or "")
    if agency in own:
        return None
    return agency


def filter_blocks(blocks: list, title: str, explain: list[str] | None = None) -> tuple[list, dict]:
    """Remove non-body lines (source/credit/editor/caption/disclaimer/paywall/sign-off lines,
    the repeated title, a leading byline/date line) from the written blocks; return the kept
    blocks and what they told about the page (source, author, date)."""
    found: dict = {}
    keep = []
    n = len(blocks)
    tnorm = re.sub(r"\s+", "", title or "")
    removed: dict[str, int] = {}
    first_text = next((i for i, b in enumerate(blocks) if b[1]), 0)
    for i, (html, text) in enumerate(blocks):
        t = text.strip()
        short = len(t) <= 160
        rule = None
        if t and short:
            if tnorm and re.sub(r"\s+", "", t) == tnorm and i <= first_text + 2:
                rule = "title repeated in the body"
            else:
                for name, rx, action in _LINE_RULES:
                    m = rx.search(t)
                    if not m:
                        continue
                    if action == "source" and "source" not in found:
                        found["source"] = m.group(1).strip("“”\"《》「」 ")
                    if action == "source" and "author" not in found:
                        m2 = _AUTH_RX.search(t)  # 来源：X 作者：Y
                        if m2:
                            found["author"] = m2.group(1)
                    if action == "author" and "author" not in found:
                        found["author"] = m.group(1)
                    rule = name
                    break
            if rule is None and i >= n - 2 and _SIGNOFF.match(t):
                rule = "reporter sign-off"
            if rule is None and i <= first_text + 1 and _DATE_LINE.match(t) and len(t) <= 60 \
                    and not _FULL_PUNCT.search(t[:-1]):
                rule = "date line"
                d = line_date(t)
                if d and "date" not in found:
                    found["date"] = d
                m = _SRC_RX.search(t)  # "2019-11-22 10:30 来源：X 作者：Y"
                if m and "source" not in found:
                    found["source"] = m.group(1)
                m = _AUTH_RX.search(t)
                if m and "author" not in found:
                    found["author"] = m.group(1)
            if rule is None and (i == first_text or not keep and i <= first_text + 3) and _BYLINE_NAME.match(t) \
                    and len(blocks) > 3:
                rule = "byline"
                if t.lower() not in _TRIVIAL_TITLES:  # "显示" (a page label), not a name
                    found.setdefault("author", t)
            if rule is None and (i <= first_text + 2 or not keep and i <= first_text + 4) \
                    and t.startswith(("——", "--", "—")) and len(t) <= 60 \
                    and html.startswith("<p"):
                rule = "subtitle line"
        if rule:
            removed[rule] = removed.get(rule, 0) + 1
            continue
        keep.append([html, text])
    if explain is not None and removed:
        explain.append("removed lines: " + ", ".join(f"{n} x {w}" for w, n in sorted(removed.items())))
    return keep, found


# ---------------------------------------------------------------------------------------------
# Title

_TITLE_SEP = _lazy_re(r"\s+[-–—|｜·:]\s+|\s*[_｜|]\s*|\s+-\s*|\s*--+\s*|\s+»\s+|\s*&raquo;\s*|\s*»\s*")
_TRIVIAL_TITLES = {"显示", "顯示", "无标题", "無標題", "untitled", "首页", "首頁", "home", "index", "新闻", "新聞", "正文"}


def _segments(title: str) -> list[str]:
    segs = [x.strip() for x in _TITLE_SEP.split(title) if x and x.strip()]
    if segs:
        # "标题-搜狐财经": a bare hyphen before a short site name
        m = re.match(r"^(.{6,}?)-([\u4e00-\u9fff]{2,8}|[A-Za-z]{2,12})$", segs[-1])
        if m and not re.search(r"[A-Za-z0-9]$", m.group(1)):
            segs[-1:] = [m.group(1).strip(), m.group(2)]
        # "标题——网站名" / "标题—网站名": a dash before a short site name (a "——" before a
        # longer subtitle stays; the page's heading decides then)
        m = re.match(r"^(.{6,}?)\s*[—–]{1,2}\s*([\u4e00-\u9fffA-Za-z0-9·. ]{2,12})$", segs[-1])
        if m and re.search(r"[网網报報台社刊站志]|新闻|新聞|在线|在線|频道|頻道|[A-Za-z]{2,}", m.group(2)):
            segs[-1:] = [m.group(1).strip(), m.group(2).strip()]
    return segs


def _tnorm(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


def pick_title(root, pm: PageMeta, parts: list, explain: list[str] | None = None) -> tuple[str, object]:
    """The page's title and the heading element it came from (or None). See the module doc for
    the order of preference; a candidate must agree with <title> when <title> is informative."""
    title_tag = pm.title_tag or pm.wrapper_title
    segs = _segments(title_tag)
    main_seg = max(segs, key=lambda x: (weight_len(x), len(x))) if segs else ""
    affixes = {x for x in segs if x != main_seg}
    if pm.site_name:
        affixes.add(pm.site_name.strip())

    def strip(c: str) -> str:
        c = norm_ws(c)
        for _ in range(4):
            cs = _segments(c)
            if len(cs) > 1 and (cs[-1] in affixes or cs[-1] == pm.site_name):
                c = c[: c.rfind(cs[-1])].rstrip(" -–—|｜_:·»").rstrip()
                continue
            if len(cs) > 1 and cs[0] in affixes and len(cs[0]) < len(c) / 2:
                c = c[c.find(cs[0]) + len(cs[0]):].lstrip(" -–—|｜_:·»").lstrip()
                continue
            break
        return c

    cands: list[tuple[str, str, object]] = []
    for key in ("og:title", "twitter:title"):
        if pm.meta.get(key):
            cands.append((strip(pm.meta[key]), key, None))
    for o in pm.jsonld:
        h = o.get("headline") or (o.get("name") if str(o.get("@type", "")).lower().endswith("article") else None)
        if isinstance(h, str) and h.strip():
            cands.append((strip(h), "JSON-LD headline", None))
            break
    content_start = parts[0] if parts else None
    headings = []
    for h in root.iter("h1", "h2", "h3"):
        t = node_text(h)
        if 4 <= len(t) <= 120:
            headings.append((h, t))
        if len(headings) >= 12:
            break
    for h, t in headings:
        cands.append((t, f"<{h.tag}> heading", h))

    tt = _tnorm(title_tag)
    informative = len(main_seg) >= 4 and main_seg.lower() not in _TRIVIAL_TITLES
    if informative:
        agreeing = [(c, why, el) for c, why, el in cands
                    if c and len(c) >= 4 and c not in affixes and _tnorm(c) in tt]
        if agreeing:
            # the real title starts the <title>; site names and sections come after it
            best = max(agreeing, key=lambda x: (tt.startswith(_tnorm(x[0])), len(_tnorm(x[0]))))
            if explain is not None:
                explain.append(f"title: from {best[1]} (agrees with <title>)")
            return best[0], best[2] if best[2] is not None else _heading_for(headings, best[0])
        for c, why, el in cands:
            if why in ("og:title", "twitter:title", "JSON-LD headline") and len(c) >= 4:
                if explain is not None:
                    explain.append(f"title: from {why}")
                return c, _heading_for(headings, c)
        if explain is not None:
            explain.append("title: <title> minus the site name")
        return strip(main_seg) if len(segs) > 1 else norm_ws(title_tag), None
    # <title> missing or uninformative: metadata, then a prominent line at the top of the content
    for c, why, el in cands:
        if why in ("og:title", "twitter:title", "JSON-LD headline") and len(c) >= 2:
            if explain is not None:
                explain.append(f"title: from {why} (<title> is uninformative)")
            return c, el
    el, t = _prominent_line(root, content_start)
    if t:
        if explain is not None:
            explain.append(f"title: prominent line {describe(el)} above the body (<title> is uninformative)")
        return t, el
    for c, why, el in cands:
        if c:
            return c, el
    return norm_ws(title_tag), None


def find_title_el(root, title: str, limit: int = 4000):
    """The first element in <body> whose own text is the title (a ``div.biaoti``/``td.title``
    that is not a heading), or None."""
    t = _tnorm(title)
    body = root.find("body")
    if len(t) < 4 or body is None:
        return None
    for i, el in enumerate(body.iter()):
        if i > limit:
            break
        if not isinstance(el.tag, str) or el.tag in ("a", "option", "li"):
            continue
        own = el.text
        if own and len(own) >= len(t) and _tnorm(own) == t:
            return el
    return None


def _heading_for(headings, title: str):
    t = _tnorm(title)
    for h, ht in headings:
        if _tnorm(ht) == t:
            return h
    if len(t) >= 6:
        # a heading that holds the title plus a date/source line in a child (<h1>T<br><span>…)
        for h, ht in headings:
            if _tnorm(ht).startswith(t):
                return h
    return None


def lead_blocks(root, title_el, parts: list, st: dict) -> list:
    """Paragraphs of running text between the title heading and the body (a lead/standfirst in
    its own field), not already part of the body."""
    if title_el is None or not parts:
        return []
    first = parts[0]
    if _is_ancestor(first, title_el):
        return []
    out = []
    started = False
    budget = 0
    for el in root.iter():
        if el is title_el:
            started = True
            continue
        if el is first:
            break
        if not started or not isinstance(el.tag, str):
            continue
        budget += 1
        if budget > 300:
            return []
        if el.tag not in ("p", "div") or el.get("data-lead-seen"):
            continue
        s = st.get(el)
        if s is None or not _good_text(s) or s.chars > 600:
            continue
        if el.tag == "div" and any(c.tag in ("p", "div") for c in el):
            continue
        anc, bad = el.getparent(), False
        while anc is not None and anc is not first:
            ci = classid(anc)
            if ci and (_CAPTION.found(ci) or (_NEG.found(ci) and not _POS.found(ci))) or anc.tag in ("a", "header", "footer", "aside"):
                bad = True
                break
            anc = anc.getparent()
        ci = classid(el)
        if bad or (ci and (_CAPTION.found(ci) or (_NEG.found(ci) and not _POS.found(ci)))):
            continue
        out.append(el)
        if len(out) >= 2:
            break
    return out


def _prominent_line(root, content):
    """A short heading-like line (h1-h3, or a bold/centred short paragraph) at the top of the
    content or just above it."""
    scope = content if content is not None else root.find("body")
    if scope is None:
        return None, ""
    for el in scope.iter("h1", "h2", "h3", "strong", "b", "p", "div", "center", "font"):
        t = node_text(el)
        if not t:
            continue
        if len(t) > 60:
            return None, ""  # running text reached: no title line
        if el.tag in ("h1", "h2", "h3", "strong", "b", "center") or (el.get("align") or "").lower() == "center" \
                or "center" in (el.get("style") or ""):
            if 2 <= len(t) <= 60:
                return el, t
    return None, ""


# ---------------------------------------------------------------------------------------------
# Date near the title / in the article header

_DATEISH = _lazy_fold(r"(?:^|[-_\s])(?:date|time|pubtime|pub-?date|publish\w*|post-?time|post-?date|timestamp|"
                      r"article-?time|info|meta|byline|source|date-?source|time-?source)(?=$|[-_\s\d])", re.I)


def _header_region(scope, title_el, parts: list, limit: int = 400):
    """The elements after the title heading (from the start when there is none) and before the
    first body part, in document order: where a page writes its date, source and byline."""
    first = parts[0] if parts else None
    started = title_el is None
    steps = 0
    for el in scope.iter():
        if not isinstance(el.tag, str):
            continue
        if el is title_el:
            started = True
            continue
        if first is not None and el is first:
            return
        if not started:
            continue
        steps += 1
        if steps > limit:
            return
        yield el


def header_date(root, title_el, parts: list) -> tuple[str | None, str]:
    """A date written near the title: in <time datetime>, or in a short text between the title
    heading and the start of the body (or in the first lines of the content)."""
    body = root.find("body")
    scope = body if body is not None else root
    for el in _header_region(scope, title_el, parts):
        if el.tag == "time":
            d = parse_date(el.get("datetime") or "") or parse_date(node_text(el), compact=False)
            if d:
                return d, "<time> near the title"
        if el.tag == "a":
            continue
        for attr in ("data-seconds", "data-timestamp", "data-time", "datetime", "content"):
            v = el.get(attr)
            if v and (attr != "content" or el.get("property") or el.get("itemprop")):
                d = parse_date(v)
                if d:
                    return d, f"@{attr} near the title"
        txt = own_text(el)
        if len(txt.strip()) <= 120:
            d = line_date(txt)
            if d:
                return d, f"date line {describe(el)} near the title"
    # first lines of the content itself
    first = parts[0] if parts else None
    if first is not None:
        for el in first.iter("time", "span", "p", "div", "em", "i", "font"):
            t = node_text(el)
            if el.tag == "time":
                d = parse_date(el.get("datetime") or t)
                if d:
                    return d, "<time> in the content"
            if len(t) <= 60 and _DATE_LINE.match(t):
                d = parse_date(t, compact=False)
                if d:
                    return d, f"date line {describe(el)} at the top of the content"
            if len(t) > 200:
                break
    return None, ""


def own_text(el) -> str:
    """The element's own text: its text and its children's tails (not the children's text)."""
    parts = [el.text or ""]
    for c in el:
        if c.tail:
            parts.append(c.tail)
    return "".join(parts)


# "Today's date" in a page header (今天是2024年3月5日 星期二 / 农历…): never the article's date
_TODAY = _lazy_re(r"今天|今日|現在時間|现在时间|当前时间|當前時間|农历|農曆|天气|天氣|Today", re.I)
_PUB_LABEL = _lazy_re(r"(?:发布|發佈|發布|发表|發表|刊发|刊發|出版|首发|首發|Published|Posted)\s*(?:时间|時間|日期|于|於|on)?\s*[：:]?\s*$", re.I)
_UPD_LABEL = _lazy_re(r"(?:更新|修改|编辑|編輯|最后|最後|Updated|Modified)\s*(?:时间|時間|日期|于|於|on)?\s*[：:]?\s*$", re.I)


_ROC_DATE = _lazy_re(r"(?:民國|民国)\s*(\d{2,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|"
                       r"(?:發佈|發布|发布|刊登|出刊|更新)?(?:時間|日期|时间)\s*[：:]\s*(1\d{2})[/.-](\d{1,2})[/.-](\d{1,2})(?!\d)")


def line_date(txt: str) -> str | None:
    """The publication date in a short date line: a date after a 发布时间/發佈時間 label wins over
    one after 更新时间; "today's date" lines of a page header are not dates of the article."""
    if not txt or _TODAY.search(txt):
        return None
    found = []
    for m in _DATE_PATTERNS[0].finditer(txt):
        d = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            before = txt[max(0, m.start() - 12):m.start()]
            found.append((d, bool(_PUB_LABEL.search(before)), bool(_UPD_LABEL.search(before))))
    if not found:
        m = _ROC_DATE.search(txt)  # Taiwan: 民國108年11月22日 / 發佈日期：108/11/22
        if m:
            return _valid(int(m.group(1) or m.group(4)) + 1911, int(m.group(2) or m.group(5)),
                          int(m.group(3) or m.group(6)))
        return parse_date(txt, compact=False)
    for d, pub, _upd in found:
        if pub:
            return d
    for d, _pub, upd in found:
        if not upd:
            return d
    return found[0][0]


# Containers whose dates belong to other things: related/promo lists, comments, rankings, the
# page's top bar, sidebars and footers.
_NOT_OUR_DATE = _lazy_fold(r"(?:^|[-_\s])(?:related|relate|recommend\w*|rec|hot\w*|rank\w*|list|lists|comments?|"
                           r"cmt|reply|replies|side|sidebar|footer|foot|more|links|tuijian|xiangguan|top|topbar|"
                           r"toolbar|masthead|nav|menu|weather|calendar)(?=$|[-_\s\d])", re.I)


_OWN_PART = _lazy_fold(r"(?:^|\s)(?:entry|post|article|artical|story)[-_]?(?:footer|foot|meta|info|header|head|details?|"
                       r"byline|date|time)(?=$|\s)", re.I)


def _in_foreign_block(el, stop=None) -> bool:
    anc = el.getparent()
    for _ in range(10):
        if anc is None or anc is stop or anc.tag in ("body", "html"):
            return False
        ci = classid(anc)
        own = bool(ci) and _OWN_PART.found(ci)  # WordPress .entry-footer, .post-meta
        if anc.tag in ("li", "aside", "nav") or anc.tag == "footer" and not own:
            return True
        if ci and not own and _NOT_OUR_DATE.found(ci):
            return True
        anc = anc.getparent()
    return False


def classed_date(root, title_el=None) -> tuple[str | None, str]:
    """A date in an element whose class/id says it is the publication time: the first that is
    not in a related list, comment, top bar, sidebar or footer, and not "today's date"."""
    body = root.find("body")
    if body is None:
        return None, ""
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag == "a":
            continue
        ci = classid(el)
        if ci and re.search(r"(?:^|[-_\s])(?:pub-?date|pubtime|publish(?:ed)?|publish-?(?:date|time)|post-?(?:date|time)|"
                            r"article-?(?:date|time)|date|time)(?=$|[-_\s])", ci, re.I):
            t = norm_ws(el.text_content())
            if len(t) <= 60 and not _TODAY.search(t) and not _NOT_OUR_DATE.found(ci) \
                    and not _in_foreign_block(el):
                for attr in ("datetime", "data-seconds", "data-timestamp", "content"):
                    if el.get(attr):
                        d = parse_date(el.get(attr))
                        if d:
                            return d, f"@{attr} of {describe(el)}"
                d = line_date(t)
                if d:
                    return d, f"{describe(el)}"
    return None, ""


# ---------------------------------------------------------------------------------------------
# Tags


def is_category_link(a) -> bool:
    """WordPress core marks the post's category link ``rel="category tag"`` (and ``category``
    alone): a category, never one of the article's tags."""
    return "category" in (a.get("rel") or "").lower().split()


# A box of tag links labelled by its text: 标签：/关键词：/關鍵字：/Tags: (never 栏目/分类: sections)
_TAG_LABEL = _lazy_re(r"^\s*(?:本文|文章|相关|相關)?(?:标签|標籤|標簽|关键词|關鍵詞|关键字|關鍵字|话题|話題|Tags?|Keywords?)\s*[：:]",
                        re.I)


def _lead_text(el) -> str:
    """The first words of an element: its text, else its first child's text (not a link's)."""
    head = (el.text or "").strip()
    if not head and len(el) and isinstance(el[0].tag, str) and el[0].tag != "a":
        head = (el[0].text or "").strip()
    return head[:20]


def _tag_like(t: str) -> bool:
    """A tag/keyword, not a headline: short, no sentence punctuation or quotes."""
    t = t.lstrip("#＃").strip()
    return bool(t) and weight_len(t) <= 12 and len(t) <= 30 and not re.search(r"[，。：:“”！？!?；;「」『』]", t)


def find_tags(root, parts: list, explain: list[str] | None = None) -> list[str]:
    """rel=tag links and links in tag boxes, in the article scope (the content and the blocks
    after it within its container, never the whole page's tag clouds)."""
    if not parts:
        return []
    # scope: the lowest ancestor of the content that holds a tag box or rel=tag link, at most
    # three levels up
    scopes = []
    node = parts[0]
    for _ in range(4):
        if node is None or node.tag in ("html",):
            break
        scopes.append(node)
        node = node.getparent()
    tags: list[str] = []
    how = ""
    for scope in scopes:
        links = [a for a in scope.iter("a") if "tag" in (a.get("rel") or "").lower().split()
                 and not is_category_link(a)]
        if links:
            how = f"rel=tag links in {describe(scope)}"
        else:
            boxes = [el for el in scope.iter() if isinstance(el.tag, str) and el.tag not in ("a", "body")
                     and classid(el) and _TAGBOX.found(classid(el))
                     and not re.search(r"cloud|hot|nav|menu", classid(el), re.I)]
            boxes = [b for b in boxes if not any(_is_ancestor(o, b) for o in boxes if o is not b)]
            if not boxes:
                boxes = [el for el in scope.iter("p", "div", "span", "dd", "li", "td", "section")
                         if _TAG_LABEL.match(_lead_text(el)) and el.find(".//a") is not None
                         and len(node_text(el)) <= 300]
                boxes = [b for b in boxes if not any(_is_ancestor(o, b) for o in boxes if o is not b)]
            # the first box with tag-like links (short words, not headlines: a keyword box can
            # run on into a related list, and a second "tag" box is often a promo)
            links = []
            for b in boxes:
                cand = [a for a in b.iter("a") if not is_category_link(a) and node_text(a)]
                run = []
                for a in cand:  # the leading run of tag-like links
                    if not _tag_like(node_text(a)):
                        break
                    run.append(a)
                if run and (len(run) >= 2 or len(run) >= 0.6 * len(cand)):
                    links = run
                    how = "tag box " + describe(b)
                    break
        if links:
            for a in links:
                t = norm_ws(a.text_content()).lstrip("#＃").strip()
                if t and len(t) <= 30 and t not in tags:
                    tags.append(t)
            if len(tags) > 30:
                tags = []
                continue
            break
    if tags and explain is not None:
        explain.append(f"tags: {how}")
    return tags


# ---------------------------------------------------------------------------------------------
# Source / author in the article header

_SRC_RX = _lazy_re(r"(?:(?:来源|來源|稿源|出处|出處)\s*[：:]|(?:来源于|來源於)\s*[：:]?)\s*([^\s，。,;；|｜<（(\[【]{2,30}?)(?=作者|編輯|编辑|责任编辑|責任編輯|记者|記者|[\s，。,;；|｜<（(\[【]|$)")
_AUTH_RX = _lazy_re(r"(?:作者|撰文|记者|記者|(?<![原本全正译譯])文)\s*[：:/／]\s*([^\s，。,;；|｜<（(]{2,20})")
# "记者 孟远" / "江城观察记者 孟远" (no colon): in a short byline only
_AUTH_RX2 = _lazy_re(r"(?:记者|記者)\s*([\u4e00-\u9fff·]{2,4})(?:\s|$)")
_AUTHOR_CLASS = _lazy_fold(r"(?:^|[-_\s])(?:author|byline|writer|reporter|editor-?name)(?=$|[-_\s])", re.I)


def header_source(root, title_el, parts: list) -> tuple[str | None, str | None, str]:
    """来源：/作者： in the region between the title and the body, or in an element whose
    class/id says source/author. Returns (source, author, where)."""
    body = root.find("body")
    if body is None:
        return None, None, ""
    src = auth = None
    where = ""
    for el in _header_region(body, title_el, parts):
        t = norm_ws(" ".join(el.itertext())) if len(el) < 30 else norm_ws(el.text or "")
        if not t or len(t) > 150:
            continue
        ci = classid(el)
        if src is None:
            m = _SRC_RX.search(t)
            if m:
                src, where = m.group(1), f"来源： in {describe(el)} near the title"
            elif ci and re.search(r"(?:^|[-_\s])source(?=$|[-_\s])", ci, re.I) and _plain_name(t):
                src, where = t, f"{describe(el)} near the title"
        if auth is None:
            m = _AUTH_RX.search(t)
            if m:
                auth = m.group(1)
            elif len(t) <= 30 and ci and _AUTHOR_CLASS.found(ci) or \
                    len(t) <= 80 and (_SRC_RX.search(t) or _DATE_PATTERNS[0].search(t)):
                # a byline, or a meta line "2019年11月22日 来源：X 记者 Y"
                m = _AUTH_RX2.search(t)
                if m:
                    auth = m.group(1)
    if src is None:
        for el in body.iter("span", "div", "em", "p"):
            ci = classid(el)
            if ci and re.search(r"(?:^|[-_\s#])source(?=$|[-_\s])", ci, re.I):
                t = norm_ws(" ".join(el.itertext()))
                m = _SRC_RX.search(t)
                if m:
                    return m.group(1), auth, f"来源： in {describe(el)}"
                if _plain_name(t) and not (len(el) == 1 and el[0].tag == "a" and len(node_text(el[0])) == len(t)):
                    return t, auth, f"{describe(el)}"
    return src, auth, where


def _plain_name(t: str) -> bool:
    """Looks like an outlet's name: short, no digits, colons or sentence punctuation."""
    return 2 <= len(t) <= 16 and not re.search(r"[\d：:，。,.!?！？⋅·|｜/]", t)
