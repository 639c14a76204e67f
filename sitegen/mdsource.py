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
_plain: list[bool] = []  # [whether _plain_html may stand in for that converter]


def _triggers() -> dict[tuple[str, str], tuple[str, ...]]:
    """(inline pattern name, its regex) -> literals at least one of which any match contains.
    Only patterns whose regex is exactly the one listed here are ever skipped."""
    from markdown import inlinepatterns as ip

    table = {
        ("backtick", ip.BACKTICK_RE): ("`",),
        ("escape", ip.ESCAPE_RE): ("\\",),
        ("reference", ip.REFERENCE_RE): ("[",),
        ("link", ip.LINK_RE): ("[",),
        ("short_reference", ip.REFERENCE_RE): ("[",),
        ("footnote", r"\[\^([^\]]*)\]"): ("[^",),
        ("image_link", ip.IMAGE_LINK_RE): ("![",),
        ("image_reference", ip.IMAGE_REFERENCE_RE): ("![",),
        ("short_image_ref", ip.IMAGE_REFERENCE_RE): ("![",),
        ("autolink", ip.AUTOLINK_RE): ("<",),
        ("automail", ip.AUTOMAIL_RE): ("<",),
        ("linebreak", ip.LINE_BREAK_RE): ("  \n",),
        ("html", ip.HTML_RE): ("<",),
        ("entity", ip.ENTITY_RE): ("&",),
    }
    return table


class _SkippingInline(markdown.treeprocessors.InlineProcessor):
    """Python-Markdown's inline processor, which tries every inline pattern (a Python call and a
    regex search each, ~15 per text run) on every run of text; this one skips a pattern when the
    text holds none of the literals every match of it contains (most CJK paragraphs hold none of
    `` ` \\ [ < & * _ ``). Skipping a pattern that cannot match is what trying it does: the
    output is the same (``tests/test_speed_markdown.py`` compares the two)."""

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        table = _triggers()
        registry = md.inlinePatterns
        self._patterns = list(registry)  # the order the stock processor indexes them in (sorted)
        names = [item.name for item in registry._priority]  # sorted by the line above
        self._needs: list[tuple[str, ...] | None] = []
        for name, pattern in zip(names, self._patterns):
            need = table.get((name, getattr(pattern, "pattern", None)))
            if need is None and isinstance(pattern, markdown.inlinepatterns.DelimiterProcessor):
                need = tuple(pattern.tokens)  # its regex is the delimiters, one of them
            self._needs.append(need)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        # InlineProcessor.__handleInline, with the skip; it is called through its mangled name.
        if not isinstance(data, markdown.util.AtomicString):
            apply = self._InlineProcessor__applyPattern
            patterns, needs = self._patterns, self._needs
            start = 0
            count = len(patterns)
            while patternIndex < count:
                need = needs[patternIndex]
                if need is not None:
                    for literal in need:
                        if literal in data:
                            break
                    else:  # the pattern cannot match: what trying it would find
                        patternIndex += 1
                        start = 0
                        continue
                data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
                if not matched:
                    patternIndex += 1
        return data


# The block processors of ``extra`` + ``sane_lists``, in order. Every one but the last tests
# for something at the start of a line (indentation, # = - _ * + digits > : [ | an HTML
# placeholder) or for an empty block: a block whose lines all begin with a letter (CJK
# included) or any other non-ASCII character reaches the paragraph processor whatever it is.
_BLOCK_PROCESSORS = ("MarkdownInHtmlProcessor", "EmptyBlockProcessor", "ListIndentProcessor",
                     "DefListIndentProcessor", "CodeBlockProcessor", "TableProcessor",
                     "HashHeaderProcessor", "SetextHeaderProcessor", "HRProcessor", "SaneOListProcessor",
                     "SaneUListProcessor", "DefListProcessor", "BlockQuoteProcessor",
                     "FootnoteBlockProcessor", "AbbrBlockprocessor", "ReferenceProcessor", "ParagraphProcessor")
# A line that starts with an ASCII character other than a letter, or an empty line.
_LINE_NOT_PLAIN = re.compile(r"(?:\A|\n)(?:[\x00-\x40\x5b-\x60\x7b-\x7f]|\n|\Z)")


def _paragraph_shortcut(md: markdown.Markdown) -> None:
    """Send plain paragraph blocks straight to the paragraph processor.

    BlockParser.parseBlocks asks all 17 block processors about every block (a regex each); a
    paragraph of CJK text is claimed by the last. With exactly the processors above, a block
    whose every line starts plainly (``_LINE_NOT_PLAIN`` finds nothing) goes to it directly;
    any other block, or any other set of processors, takes the stock loop."""
    parser = md.parser
    if [type(p).__name__ for p in parser.blockprocessors] != list(_BLOCK_PROCESSORS):
        return
    processors = parser.blockprocessors
    paragraph = processors["paragraph"]
    not_plain = _LINE_NOT_PLAIN.search

    def parse_blocks(parent, blocks: list[str]) -> None:
        # BlockParser.parseBlocks, with the shortcut (the same rounds, one block each)
        while blocks:
            if not_plain(blocks[0]) is None:
                paragraph.run(parent, blocks)
                continue
            for processor in processors:
                if processor.test(parent, blocks[0]):
                    if processor.run(parent, blocks) is not False:
                        break

    parser.parseBlocks = parse_blocks


# Processors that change nothing in a document without any of these characters (what each one
# looks for: raw HTML and entities, code fences, {: attribute lists }, backslash escapes).
_NO_OP_WITHOUT = {
    ("preprocessors", "HtmlBlockPreprocessor"): "<&",
    ("preprocessors", "FencedBlockPreprocessor"): "`~",
    ("treeprocessors", "AttrListTreeprocessor"): "{",
    ("treeprocessors", "UnescapeTreeprocessor"): "\\",
}


def _no_op_shortcut(md: markdown.Markdown) -> None:
    """Skip the processors of ``_NO_OP_WITHOUT`` on a document that holds none of their
    characters: the HTML block extractor feeds the whole text through html.parser, the others
    run regexes over every line or element, and each would return what it was given."""
    document: dict = {}
    for (kind, name), chars in _NO_OP_WITHOUT.items():
        for processor in getattr(md, kind):
            if type(processor).__name__ == name:
                def skipping(arg, run=processor.run, chars=chars, pre=kind == "preprocessors"):
                    text = document.get("text")
                    if text is not None and not any(c in text for c in chars):
                        return arg if pre else None  # a tree processor's None keeps the tree
                    return run(arg)

                processor.run = skipping
    convert = md.convert

    def converting(source: str) -> str:
        document["text"] = source
        try:
            return convert(source)
        finally:
            document.clear()

    md.convert = converting


def _skipping_ok(md: markdown.Markdown) -> bool:
    """The skip relies on InlineProcessor's private methods (Python-Markdown 3.x); without them
    the stock processor is kept."""
    base = markdown.treeprocessors.InlineProcessor
    return (hasattr(base, "_InlineProcessor__handleInline") and hasattr(base, "_InlineProcessor__applyPattern")
            and type(md.treeprocessors["inline"]) is base)


def _converter(skip: bool = True) -> markdown.Markdown:
    md = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    if skip and _skipping_ok(md):
        md.treeprocessors.register(_SkippingInline(md), "inline", 20)
    if skip:
        _paragraph_shortcut(md)
        _no_op_shortcut(md)
    return md


# What ``extra`` + ``sane_lists`` register in Python-Markdown 3.x, by class name, stage by stage:
# ``_plain_html`` is what exactly these make of a plain document, and is used only with them.
_PIPELINE = (
    ("NormalizeWhitespace", "FencedBlockPreprocessor", "HtmlBlockPreprocessor"),
    _BLOCK_PROCESSORS,
    ("BacktickInlineProcessor", "EscapeInlineProcessor", "FootnoteInlineProcessor", "ReferenceInlineProcessor",
     "LinkInlineProcessor", "ImageInlineProcessor", "ImageReferenceInlineProcessor",
     "ShortReferenceInlineProcessor", "ShortImageReferenceInlineProcessor", "AutolinkInlineProcessor",
     "AutomailInlineProcessor", "SubstituteTagInlineProcessor", "HtmlInlineProcessor", "HtmlInlineProcessor",
     "DelimiterProcessor"),
    ("FootnoteTreeprocessor", "InlineProcessor", "FootnotePostTreeprocessor", "PrettifyTreeprocessor",
     "AttrListTreeprocessor", "AbbrTreeprocessor", "UnescapeTreeprocessor"),
    ("MarkdownInHTMLPostprocessor", "FootnotePostprocessor", "AndSubstitutePostprocessor"),
)


def _pipeline(md: markdown.Markdown) -> tuple:
    """The class names of a converter's processors (``_SkippingInline`` as the one it stands for)."""
    return tuple(tuple("InlineProcessor" if type(p) is _SkippingInline else type(p).__name__ for p in reg)
                 for reg in (md.preprocessors, md.parser.blockprocessors, md.inlinePatterns, md.treeprocessors,
                             md.postprocessors))


# An inline link with a plain text and a plain URL (no title, no angle brackets, no spaces).
_PLAIN_LINK = re.compile(r"\[([^\x00-\x1f\x7f\[\]\\`*_<>&!^{}]+)\]\(([A-Za-z0-9\-._~:/?#@$+,;=%*!]+)\)")
# Outside such links: a character that may begin inline syntax (or a placeholder, or a control
# character but the newline); and a line that begins with anything but a letter (ASCII or not),
# or that ends with white space (re's ``\s``: ``str.isspace``).
_NOT_PLAIN = re.compile(r"[\x00-\x09\x0b-\x1f\x7f`\\*_<>&\[\]{}]")
# (every character whose str.isspace() is true: a test checks the list against all of Unicode)
_SPACE = frozenset("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                   "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_NOT_LINE_START = frozenset(map(chr, range(0x80))) - frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") | _SPACE


def _plain_html(text: str) -> str | None:
    """What Python-Markdown (``extra`` + ``sane_lists``) makes of a plain document, or None when
    the document is not one. Plain: paragraphs of text separated by blank lines, every line
    beginning with a letter (CJK included) and ending without white space, no character that
    could begin Markdown syntax but in inline links of a plain text and URL. Each paragraph is
    then ``<p>`` + its text, links as ``<a href="URL">text</a>``, + ``</p>``, one a line: the
    converter's way there is ~20 Python calls and regex searches per paragraph, plus the tree
    and its serialisation (``tests/test_speed_pipeline.py`` compares the two on random text)."""
    body = text.strip("\n")
    if not body or "![" in body:
        return None
    rest = _PLAIN_LINK.sub("x", body)
    if _NOT_PLAIN.search(rest) is not None:
        return None
    start, space = _NOT_LINE_START, _SPACE
    for line in rest.split("\n"):
        if line and (line[0] in start or line[-1] in space):
            return None
    if "\n\n" in body:
        paragraphs = re.split(r"\n\n+", body)
    else:
        paragraphs = [body]
    link = _PLAIN_LINK.sub
    return "\n".join(["<p>" + link(r'<a href="\2">\1</a>', p) + "</p>" for p in paragraphs])


def _to_html(text: str) -> str:
    """Python-Markdown with one converter per process, reset between documents (making one
    costs about as much as converting a page); a plain document (``_plain_html``) without it."""
    if not _md:
        md = _converter()
        _md.append(md)
        _plain.append(_pipeline(md) == _PIPELINE)
    if _plain[0]:
        html = _plain_html(text)
        if html is not None:
            return html
    md = _md[0]
    try:
        return md.reset().convert(text)
    except BaseException:
        _md.clear()  # never reuse a converter left half-way through a document
        _plain.clear()
        raise

from .record import CleanResult, Record, summary_of_html

_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
KNOWN_KEYS = {"title", "date", "tags", "source", "url", "author", "language", "lang", "draft", "summary"}


# Front matter lines PyYAML's safe loader reads as a known key and a string, a list of strings
# or a timestamp, and how: ``_plain_front_matter`` reads only documents made of such lines.
_FM_LINE = re.compile(
    r'(?P<key>[a-z]+):[ ]+(?:"(?P<quoted>[^"\\\x00-\x1f\x7f-\x9f]*)"'  # "a string without escapes"
    r'|\[(?P<list>(?:"[^"\\\x00-\x1f\x7f-\x9f]*"(?:, "[^"\\\x00-\x1f\x7f-\x9f]*")*)?)\]'  # ["a", "b"]
    r'|(?P<stamp>(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})'  # 2024-03-01[T12:00:00[+08:00]]
    r'(?:T(?P<h>[0-9]{2}):(?P<mi>[0-9]{2}):(?P<s>[0-9]{2})(?:(?P<sign>[-+])(?P<th>[0-9]{2}):(?P<tm>[0-9]{2}))?)?)'
    r'|(?P<plain>[^\x00-\x7f][^\x00-\x1f\x7f-\x9f#:]*|https?://[!$%&()*+,\-./0-9;=?@A-Z_a-z~\']+))\Z')
_FM_ITEM = re.compile(r'"([^"]*)"')


def _plain_front_matter(text: str) -> dict | None:
    """What ``yaml.load(text, Loader=SafeLoader)`` gives for front matter of the plainest kind (one
    ``key: value`` a line, the keys known, the values double-quoted strings without escapes,
    lists of them, ISO timestamps, or plain text starting with a non-ASCII letter, or an http(s)
    URL), or None for anything else; PyYAML's loader spends ~0.07 ms on the four or five lines
    of a record (``tests/test_speed_pipeline.py`` compares the two on random front matter)."""
    meta: dict = {}
    for line in text.split("\n"):
        m = _FM_LINE.match(line)
        if m is None or m["key"] not in KNOWN_KEYS:
            return None
        value = m["quoted"]
        if value is None:
            if m["list"] is not None:
                value = _FM_ITEM.findall(m["list"])
                if not all(v.isprintable() for v in value):
                    return None
            elif m["stamp"] is not None:
                try:
                    if m["h"] is None:
                        value = dt.date(int(m["y"]), int(m["mo"]), int(m["d"]))
                    else:
                        tz = None
                        if m["sign"]:
                            delta = dt.timedelta(hours=int(m["th"]), minutes=int(m["tm"]))
                            tz = dt.timezone(-delta if m["sign"] == "-" else delta)
                        value = dt.datetime(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]),
                                            int(m["s"]), 0, tzinfo=tz)
                except ValueError:  # (PyYAML raises it too; its error, not ours, goes on)
                    return None
            else:
                value = m["plain"]
                if value[-1].isspace() or not value.isprintable():
                    return None
        elif not value.isprintable():
            return None
        meta[m["key"]] = value
    return meta


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


def read_markdown(data: bytes, *, rel_path: str, language: str = "zh-CN",
                  source_hash: str | None = None) -> CleanResult:
    """Markdown page -> CleanResult. Never raises for a page problem. ``source_hash``: sha256
    hex digest of ``data`` when the caller has made it already."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return CleanResult(rel_path, "error", f"Markdown must be UTF-8 ({e.reason} at byte {e.start})")
    meta: dict = {}
    m = _FRONT.match(text)
    if m:
        try:
            meta = _plain_front_matter(m.group(1))
            if meta is None:
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
    record = Record(
        title=title, body_html=body, source_path=rel_path,
        source_hash=source_hash or hashlib.sha256(data).hexdigest(), date=date, tags=tags,
        source=(str(meta["source"]).strip() or None) if meta.get("source") else None,
        url=str(url) if url else None,
        author=str(meta["author"]) if meta.get("author") else None,
        language=str(meta.get("language") or meta.get("lang") or language),
        summary=str(meta.get("summary") or summary_of_html(body)), warnings=tuple(warnings),
    )
    return CleanResult(rel_path, "article", None, record, tuple(warnings),
                       ("reader: Markdown with YAML front matter",))
