"""Site profiles: data (TOML files) that tell the cleaner how one site's pages are laid out.

A profile selects pages by the page's original URL (host suffix and/or a path regex) or by a
markup signature (a list of CSS selectors that must all be present), and then says where the title,
body, tags, source, date and author are, what to skip, drop and unwrap. Built-in profiles live
beside this file; a site adds its own as ``<site>/profiles/*.toml`` (same format; a site profile
with the same ``name`` as a built-in one replaces it).

Format (every key except ``name`` is optional)::

    name = "my-site"
    description = "what pages it is for"
    priority = 10                     # higher is tried first
    region = "div.post"               # the div holding all the fields below read from the body

    [match]
    hosts = ["example.com"]           # the page URL's host is this or a sub-domain of it
    paths = ['^/news/']               # regexes searched in the URL path (any)
    signatures = [["div.entry", "a[rel~=tag]"]]   # any list whose selectors are all present

    [[skip]]                          # pages of the site that are not articles
    selector = "body.archive"
    kind = "index"
    reason = "archive page"

    [fields]
    title = ["h1.title", "h2"]        # first selector that finds non-empty text wins
    body = ["div.entry"]
    tags = ["a[rel~=tag]"]            # every match, page order, de-duplicated
    tags_scope = "body"               # "body" (the body element), "page", or a CSS selector for a
                                      # container (first match; the body element if none matches)
    source = [{ selector = "p.src", pattern = '来源[：:]\\s*(\\S.*)' }]
    date = [{ selector = 'meta[property="article:published_time"]', attr = "content" },
            { from = "url", pattern = '/(\\d{8})/' }]
    author = []

    drop = ["ul.related", ".ads"]     # removed from the body (and the page)
    unwrap = ["span.keyword"]         # replaced by their content
    [[drop_next]]                     # drop the element AND its next sibling if that matches text
    selector = "p.notice"
    text = '^\\s*备注'

A field rule is a CSS selector string or a table with ``selector``, optional ``attr`` (read an
attribute instead of the text), optional ``pattern`` (regex; group 1, else the whole match), or
``from = "url"`` (apply ``pattern`` to the page URL; a page with no URL, such as a fragment, is
matched by its own source path, e.g. ``/bnews/cbnews/20240101/100000.html``) instead of a selector.
Tag links with ``rel~=category`` (WordPress core's ``rel="category tag"`` byline link) are never
tags, whatever the tag selectors match.

``region`` (a div with classes and/or an id) makes the cleaner parse only the page's head, its
``<body>`` tag and that div (``sitegen.region``: a page is mostly chrome, and parsing and indexing
it is most of cleaning it). The profile's selectors (skip, fields, signatures, drops) then see that
much of the page; where the region has no body or no title, where the page cannot be cut exactly
(a table tag in the region, metadata outside it...), or where the profile does not claim what was
parsed, the whole page is parsed as without a region. Name a region only when everything the
profile reads from the body is inside it.

CSS selectors: tag, ``*``, ``.class``, ``#id``, ``[attr]``, ``[attr=v]`` ``~=`` ``^=`` ``$=`` ``*=``
``|=``, descendant (space) and child (``>``) combinators, ``+``/``~`` sibling combinators, and
comma-separated lists. They are checked (compiled to XPath) when the profile is loaded, and
matched against an index of each page built in one pass (``PageIndex``: elements by tag, class and
id), so that a profile's ~40 selectors do not each walk the whole page; ``select`` (XPath) is the
reference the index is tested against. A selector's matches, and the elements its combinators
relate them to, are under (or equal to) the element it is asked about.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from sitegen.errors import ConfigError
from sitegen.region import Region, parse_region, tokens
from sitegen.sanitize import plain_http_host

BUILTIN_DIR = Path(__file__).resolve().parent


# ---------------------------------------------------------------------------------------------
# CSS selectors -> XPath


class SelectorError(ValueError):
    pass


# a name character of a class or id: [_a-zA-Z0-9\u00a0-\uffff], written as a union with a
# negated set (the same characters): the range's 65,000 code points cost re ~2 ms to compile each
# time it appears
_NAME_CH = r"(?:[_a-zA-Z0-9]|[^\x00-\x9f\U00010000-\U0010ffff])"
_NAME_CH_DASH = r"(?:[-_a-zA-Z0-9]|[^\x00-\x9f\U00010000-\U0010ffff])"
_TOKEN = re.compile(
    r"""
    (?P<ws>\s*[>+~]\s*|\s+)
  | (?P<tag>\*|[a-zA-Z][a-zA-Z0-9_-]*)
  | (?P<cls>\.-?""" + _NAME_CH + _NAME_CH_DASH + r"""*)
  | (?P<id>\#""" + _NAME_CH_DASH + r"""+)
  | (?P<attr>\[\s*(?P<aname>[a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*
        (?:(?P<op>[~^$*|]?=)\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s\]]+))\s*(?P<flag>[iIsS])?\s*)?\])
    """,
    re.X,
)


def _xlit(s: str) -> str:
    if "'" not in s:
        return f"'{s}'"
    if '"' not in s:
        return f'"{s}"'
    return "concat(" + ", \"'\", ".join(f"'{p}'" for p in s.split("'")) + ")"


def _compound(parts: list[tuple[str, re.Match]]) -> tuple[str, list[str]]:
    tag = "*"
    preds: list[str] = []
    for kind, m in parts:
        if kind == "tag":
            tag = m.group("tag").lower()
        elif kind == "cls":
            # the cheap substring test first: most elements fail it, the exact token test runs
            # only on the few that pass
            name = m.group("cls")[1:]
            preds.append(f"contains(@class, {_xlit(name)})")
            preds.append(f"contains(concat(' ', normalize-space(@class), ' '), {_xlit(' ' + name + ' ')})")
        elif kind == "id":
            preds.append(f"@id = {_xlit(m.group('id')[1:])}")
        elif kind == "attr":
            name = m.group("aname").lower()
            op = m.group("op")
            val = next((v for v in (m.group("dq"), m.group("sq"), m.group("bare")) if v is not None), None)
            a = f"@{name}"
            if op and (m.group("flag") or "").lower() == "i":
                a = f"translate(@{name}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
                val = (val or "").lower()
            if not op:
                preds.append(f"@{name}")
            elif op == "=":
                preds.append(f"{a} = {_xlit(val)}")
            elif op == "~=":
                preds.append(f"contains(concat(' ', normalize-space({a}), ' '), {_xlit(' ' + val + ' ')})" if val else "false()")
            elif op == "^=":
                preds.append(f"starts-with({a}, {_xlit(val)})" if val else "false()")
            elif op == "$=":
                preds.append(f"substring({a}, string-length({a}) - {len(val) - 1}) = {_xlit(val)}" if val else "false()")
            elif op == "*=":
                preds.append(f"contains({a}, {_xlit(val)})" if val else "false()")
            elif op == "|=":
                preds.append(f"({a} = {_xlit(val)} or starts-with({a}, {_xlit(val + '-')}))")
    return tag, preds


def _parse(selector: str) -> list[list[tuple[str, list]]]:
    """A selector list as alternatives, each a list of (combinator, compound parts) steps from left
    to right (the first step's combinator is " "). Raises SelectorError."""
    alts = []
    for sel in _split_commas(selector):
        sel = sel.strip()
        if not sel:
            raise SelectorError(f"empty selector in {selector!r}")
        pos = 0
        steps: list[tuple[str, list]] = []  # (combinator, compound parts)
        comb = " "
        cur: list = []
        while pos < len(sel):
            m = _TOKEN.match(sel, pos)
            if not m or m.end() == pos:
                raise SelectorError(f"unsupported CSS selector syntax at {sel[pos:pos + 20]!r} in {selector!r}")
            kind = m.lastgroup if m.lastgroup in ("ws", "tag", "cls", "id") else ("attr" if m.group("attr") else m.lastgroup)
            if m.group("ws") is not None:
                if not cur:
                    raise SelectorError(f"combinator without a left-hand side in {selector!r}")
                steps.append((comb, cur))
                cur = []
                comb = m.group("ws").strip() or " "
            else:
                if kind == "tag" and cur:
                    raise SelectorError(f"tag name must come first in {sel!r}")
                cur.append((kind, m))
            pos = m.end()
        if not cur:
            raise SelectorError(f"selector ends with a combinator: {selector!r}")
        steps.append((comb, cur))
        alts.append(steps)
    return alts


def css_to_xpath(selector: str) -> str:
    """Translate a (simple) CSS selector list to an XPath evaluated relative to a context node;
    matches are descendants of the context node (or the node itself)."""
    alts = []
    for steps in _parse(selector):
        xp = ""
        for i, (c, parts) in enumerate(steps):
            tag, preds = _compound(parts)
            pred = "".join(f"[{p}]" for p in preds)
            if i == 0:
                xp = f"descendant-or-self::{tag}{pred}"
            elif c == " ":
                xp += f"/descendant::{tag}{pred}"
            elif c == ">":
                xp += f"/child::{tag}{pred}"
            elif c == "+":
                xp += f"/following-sibling::*[1][self::{tag}]{pred}"
            elif c == "~":
                xp += f"/following-sibling::{tag}{pred}"
        alts.append(xp)
    return " | ".join(alts)


def _split_commas(s: str) -> list[str]:
    out, depth, quote, buf = [], 0, "", []
    for ch in s:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    out.append("".join(buf))
    return out


@lru_cache(maxsize=4096)
def compile_css(selector: str) -> etree.XPath:
    return etree.XPath(css_to_xpath(selector))


def select(node, selector: str) -> list:
    """All elements under (or equal to) ``node`` matching ``selector``, in document order."""
    try:
        return [e for e in compile_css(selector)(node) if isinstance(e.tag, str)]
    except etree.XPathError:
        return []


# ---------------------------------------------------------------------------------------------
# The same selectors matched in Python against an index of the page built in one pass: a profile
# asks ~40 selectors of every page, and XPath walks the whole tree for each (a class test on every
# element); the index answers each from the few elements that carry its class, id or tag.



@dataclass(frozen=True, slots=True)
class _Compound:
    tag: str | None  # None: any element
    classes: tuple[str, ...]
    id: str | None
    attrs: tuple[tuple[str, str | None, str | None, bool], ...]  # (name, op, value, case-insensitive)
    # what an element among the compound's candidates in a page index (PageIndex._candidates:
    # the elements of its id, of its class, of its tag) has left to pass to match it; None: nothing
    rest: "_Compound | None" = field(default=None, compare=False)
    # where its candidates are when that is one list of the index: (0, id) in by_id, (1, class)
    # in by_class, (2, tag) in by_tag; None: PageIndex._candidates chooses
    source: tuple[int, str] | None = field(default=None, compare=False)
    # matches, or a function that tests the same in fewer steps (a tag alone, an attribute alone)
    test: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "test", _fast_test(self) or self.matches)

    def matches(self, el) -> bool:
        if self.tag is not None and el.tag != self.tag:
            return False
        if self.id is not None and el.get("id") != self.id:
            return False
        if self.classes:
            cls = el.get("class")
            if not cls:
                return False
            toks = tokens(cls)
            for c in self.classes:
                if c not in toks:
                    return False
        for name, op, val, ci in self.attrs:
            a = el.get(name)
            if a is None:
                return False
            if op is None:
                continue
            if ci:
                a = a.lower()
            if op == "=":
                ok = a == val
            elif op == "~=":
                ok = bool(val) and val in tokens(a)
            elif op == "^=":
                ok = bool(val) and a.startswith(val)
            elif op == "$=":
                ok = bool(val) and a.endswith(val)
            elif op == "*=":
                ok = bool(val) and val in a
            else:  # |=
                ok = a == val or a.startswith(val + "-")
            if not ok:
                return False
        return True


def _fast_test(c: _Compound):
    """A function of an element that gives what ``c.matches`` gives, for a compound that is a tag
    alone or one attribute test alone (case-sensitive); None for any other."""
    if c.id is not None or c.classes:
        return None
    if not c.attrs:
        tag = c.tag
        return (lambda el: el.tag == tag) if tag is not None else (lambda el: True)
    if c.tag is not None or len(c.attrs) > 1:
        return None
    name, op, val, ci = c.attrs[0]
    if ci:
        return None
    if op is None:
        return lambda el: el.get(name) is not None
    if op == "=":
        return lambda el: el.get(name) == val
    if op == "|=":
        return lambda el: (a := el.get(name)) is not None and (a == val or a.startswith(val + "-"))
    if not val:  # ~= ^= $= *= with an empty value match nothing
        return lambda el: False
    if op == "~=":
        return lambda el: val in tokens(el.get(name) or "")
    if op == "^=":
        return lambda el: (el.get(name) or "").startswith(val)
    if op == "$=":
        return lambda el: (el.get(name) or "").endswith(val)
    return lambda el: val in (el.get(name) or "")  # *=


def _py_compound(parts: list) -> _Compound:
    tag, classes, ident, attrs = None, [], None, []
    for kind, m in parts:
        if kind == "tag":
            t = m.group("tag").lower()
            tag = None if t == "*" else t
        elif kind == "cls":
            classes.append(m.group("cls")[1:])
        elif kind == "id":
            # two ids can never both match; XPath's @id = a and @id = b is false for a != b
            ident = m.group("id")[1:] if ident is None or ident == m.group("id")[1:] else "\0never"
        elif kind == "attr":
            op = m.group("op")
            val = next((v for v in (m.group("dq"), m.group("sq"), m.group("bare")) if v is not None), None)
            ci = bool(op) and (m.group("flag") or "").lower() == "i"
            if ci:
                val = (val or "").lower()
            attrs.append((m.group("aname").lower(), op, val, ci))
    classes = tuple(classes)
    attrs = tuple(attrs)
    # the tests PageIndex._candidates passes its elements by choosing them: the id; the class
    # of a compound with one; the tag (an element's tag, class and id are the ones it had when
    # the page was indexed: the cleaner never changes them)
    if ident is not None:
        rest = _Compound(tag, classes, None, attrs)
    elif len(classes) == 1:
        rest = _Compound(tag, (), None, attrs)
    else:
        rest = _Compound(tag if classes else None, classes, None, attrs)
    if rest.tag is None and not rest.classes and not rest.attrs:
        rest = None
    if ident is not None:
        source = (0, ident)
    elif len(classes) == 1:
        source = (1, classes[0])
    elif not classes and tag is not None and not attrs:
        source = (2, tag)
    else:
        source = None
    return _Compound(tag, classes, ident, attrs, rest, source)


@lru_cache(maxsize=4096)
def compile_selector(selector: str) -> tuple[tuple[tuple[str, _Compound], ...], ...]:
    """A selector list for the page index: alternatives of (combinator, compound) steps."""
    return tuple(tuple((c, _py_compound(parts)) for c, parts in steps) for steps in _parse(selector))


# selector -> its alternatives as PageIndex._alt takes them: (list, key, test) for a compound
# that has a list of the index (_Compound.source: 0 by_id, 1 by_class, 2 by_tag; or 3: a tag with
# attribute tests, key (tag, the first test's attribute) in PageIndex._with_attr; test: what its
# candidates have left to pass, or None), else (4, steps, None); () for a selector that is not one
_PLANS: dict = {}


def _plan(selector: str) -> tuple:
    try:
        alts = compile_selector(selector)
    except SelectorError:
        alts = ()
    plan = []
    for steps in alts:
        comp = steps[0][1]
        if len(steps) > 1:
            plan.append((4, steps, None))
        elif comp.source is not None:
            plan.append((comp.source[0], comp.source[1], comp.rest.test if comp.rest is not None else None))
        elif comp.id is None and not comp.classes and comp.tag is not None and comp.attrs:
            # (PageIndex._candidates' list for it; its rest tests the attributes)
            plan.append((3, (comp.tag, comp.attrs[0][0]), comp.rest.test))
        else:
            plan.append((4, steps, None))
    plan = tuple(plan)
    if len(_PLANS) < 4096:
        _PLANS[selector] = plan
    return plan


def _chain(el, steps, k: int, scope) -> bool:
    """``steps[:k]`` match the elements ``el`` (which matches step k) is related to by step k's
    combinator, all of them under (or equal to) ``scope``."""
    if k == 0:
        return True
    if el is scope:
        return False
    comb = steps[k][0]
    prev = steps[k - 1][1]
    if comb == " ":
        a = el.getparent()
        while a is not None:
            if prev.test(a) and _chain(a, steps, k - 1, scope):
                return True
            if a is scope:
                return False
            a = a.getparent()
        return False
    if comb == ">":
        a = el.getparent()
        return a is not None and prev.test(a) and _chain(a, steps, k - 1, scope)
    a = el.getprevious()
    while a is not None and not isinstance(a.tag, str):
        a = a.getprevious()
    if comb == "+":
        return a is not None and prev.test(a) and _chain(a, steps, k - 1, scope)
    while a is not None:  # ~
        if isinstance(a.tag, str) and prev.test(a) and _chain(a, steps, k - 1, scope):
            return True
        a = a.getprevious()
    return False


class PageIndex:
    """Elements of one parsed page by tag, class and id, in document order, built in one pass.

    ``select(scope, selector)`` gives what ``select(scope, selector)`` (XPath) gives: matches under
    (or equal to) ``scope``, in document order. The index may outlive changes to the tree: an
    element removed since is not under ``scope`` any more and is not returned (elements added
    since are not indexed, and an element is found by the tag, class and id it had when the
    index was made, and by an attribute it had when a ``tag[attribute...]`` selector was first
    asked; the cleaner only removes and unwraps elements between its questions)."""

    def __init__(self, root):
        self.root = root
        self.order: dict = {}
        self.by_tag: dict[str, list] = {}
        self.by_class: dict[str, list] = {}
        self.by_id: dict[str, list] = {}
        # elements of a tag that carry an attribute, made on first use (an ``a[rel~=tag]`` looks
        # at the few links with a rel, not at every link)
        self._with_attr: dict[tuple[str, str], list] = {}
        order, by_tag, by_class, by_id = self.order, self.by_tag, self.by_class, self.by_id
        self._lists = (by_id, by_class, by_tag)  # (_Compound.source)
        for i, el in enumerate(root.iter(etree.Element)):
            order[el] = i
            tag = el.tag
            lst = by_tag.get(tag)
            if lst is None:
                by_tag[tag] = [el]
            else:
                lst.append(el)
            cls = el.get("class")
            if cls:
                # printable: the only whitespace in it is the space, where str.split() splits
                # as HTML does (tokens)
                toks = cls.split() if cls.isprintable() else tokens(cls)
                if len(toks) > 1:
                    toks = set(toks)
                for c in toks:
                    lst = by_class.get(c)
                    if lst is None:
                        by_class[c] = [el]
                    else:
                        lst.append(el)
            ident = el.get("id")
            if ident is not None:
                lst = by_id.get(ident)
                if lst is None:
                    by_id[ident] = [el]
                else:
                    lst.append(el)

    def _candidates(self, c: _Compound) -> list:
        if c.id is not None:
            return self.by_id.get(c.id, [])
        if c.classes:
            if len(c.classes) == 1:
                return self.by_class.get(c.classes[0], [])
            return min((self.by_class.get(k, []) for k in c.classes), key=len)
        if c.tag is not None:
            if c.attrs:
                key = (c.tag, c.attrs[0][0])
                lst = self._with_attr.get(key)
                return lst if lst is not None else self._with_attr_list(key)
            return self.by_tag.get(c.tag, [])
        return list(self.order)

    def _with_attr_list(self, key: tuple[str, str]) -> list:
        """The elements of tag ``key[0]`` that carry attribute ``key[1]`` (made once)."""
        name = key[1]
        lst = self._with_attr[key] = [e for e in self.by_tag.get(key[0], ()) if e.get(name) is not None]
        return lst

    @staticmethod
    def _under(el, scope) -> bool:
        """``el`` is ``scope`` or inside it (and so still in the tree when ``scope`` is the root)."""
        a = el
        while a is not None:
            if a is scope:
                return True
            a = a.getparent()
        return False

    def select(self, scope, selector: str) -> list:
        plan = _PLANS.get(selector)
        if plan is None:
            plan = _plan(selector)
        if len(plan) == 1:
            return self._alt(scope, plan[0])
        out = []
        lists = self._lists
        parts = 0
        for alt in plan:
            if alt[0] < 3 and alt[1] not in lists[alt[0]]:
                continue  # (a list of classes: most name none of the page's)
            found = self._alt(scope, alt)
            if found:
                out += found
                parts += 1
        if parts > 1:
            # (one alternative's matches are in document order already, each once)
            out = sorted(set(out), key=self.order.__getitem__)
        return out

    def _alt(self, scope, alt) -> list:
        """One alternative's matches under ``scope``, in document order (``_plan``)."""
        kind, key, test = alt
        if kind == 4:
            return self._select(scope, key)
        # a compound with its own list in the index (p.notice, .x, #id, div.a.b...), or a tag
        # with attribute tests (its elements with the first one's attribute): what _select gives
        # for it, without its steps
        if kind == 3:
            cands = self._with_attr.get(key)
            if cands is None:
                cands = self._with_attr_list(key)
        else:
            cands = self._lists[kind].get(key)
        if not cands:
            return []
        out = []
        for el in cands:
            if test is not None and not test(el):
                continue
            a = el  # (_under)
            while a is not None:
                if a is scope:
                    out.append(el)
                    break
                a = a.getparent()
        return out

    def _select(self, scope, steps) -> list:
        """One alternative's matches under ``scope``, in document order."""
        last = len(steps) - 1
        comb, comp = steps[last]
        src = comp.source
        cands = self._lists[src[0]].get(src[1], ()) if src is not None else self._candidates(comp)
        if last and comb in (" ", ">") and len(cands) > 8 \
                and 2 * len(self._candidates(steps[last - 1][1])) < len(cands):
            # many candidates for the last step (``span.kw a``: every link of the page) and fewer
            # for the step before: down from that step's matches, unless their subtrees hold more
            # elements than a few times the candidates
            found = self._below(self._select(scope, steps[:last]), comb, comp, 4 * len(cands))
            if found is not None:
                return found
        if not cands:
            return []
        under = self._under
        rest = comp.rest
        if rest is None:
            if not last:
                return [el for el in cands if under(el, scope)]
            return [el for el in cands if under(el, scope) and _chain(el, steps, last, scope)]
        matches = rest.test
        if not last:
            return [el for el in cands if matches(el) and under(el, scope)]
        return [el for el in cands if matches(el) and under(el, scope) and _chain(el, steps, last, scope)]

    def _below(self, heads: list, comb: str, comp: _Compound, budget: int) -> list | None:
        """Indexed elements matching ``comp`` that are descendants (``comb`` " ") or children
        (">") of one of ``heads``, in document order; None when that means looking at more than
        ``budget`` elements."""
        order = self.order
        kind = comp.tag if comp.tag is not None else etree.Element
        # (the walk gives elements of the compound's tag: a tag alone has nothing left to test)
        test = comp.test if comp.id is not None or comp.classes or comp.attrs else None
        found = set()
        for h in heads:
            for el in (h.iterdescendants(kind) if comb == " " else h.iterchildren(kind)):
                budget -= 1
                if budget < 0:
                    return None
                if el in order and (test is None or test(el)):
                    found.add(el)
        return sorted(found, key=order.__getitem__)

    def exists(self, scope, selector: str) -> bool:
        return bool(self.select(scope, selector))


# ---------------------------------------------------------------------------------------------
# Profiles


@dataclass(frozen=True)
class FieldRule:
    selector: str | None = None
    attr: str | None = None
    pattern: str | None = None
    from_url: bool = False

    def describe(self) -> str:
        s = "page URL" if self.from_url else repr(self.selector)
        if self.attr:
            s += f" @{self.attr}"
        if self.pattern:
            s += f" ~ /{self.pattern}/"
        return s


@dataclass(frozen=True)
class SkipRule:
    selector: str
    kind: str = "index"
    reason: str = ""


@dataclass(frozen=True)
class DropNextRule:
    selector: str
    text: str = ""  # regex the next sibling's text must match (empty: always)


@dataclass(frozen=True)
class Profile:
    name: str
    file: str
    description: str = ""
    priority: int = 0
    hosts: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    signatures: tuple[tuple[str, ...], ...] = ()
    skip: tuple[SkipRule, ...] = ()
    title: tuple[FieldRule, ...] = ()
    body: tuple[str, ...] = ()
    tags: tuple[FieldRule, ...] = ()
    tags_scope: str = "body"
    source: tuple[FieldRule, ...] = ()
    date: tuple[FieldRule, ...] = ()
    author: tuple[FieldRule, ...] = ()
    drop: tuple[str, ...] = ()
    unwrap: tuple[str, ...] = ()
    drop_next: tuple[DropNextRule, ...] = ()
    # the div that holds everything the profile reads from the page's body (sitegen.region):
    # only the head and that div are parsed when the page can be cut there
    region: str = ""
    data: str = field(default="", compare=False, repr=False)  # canonical JSON of the file's data

    def matches(self, root, url: str | None, index: "PageIndex | None" = None) -> str | None:
        """Why this profile claims the page (a short description), or None."""
        if url and (self.hosts or self.paths):
            if self.paths:
                parts = urlsplit(url)
                host = (parts.hostname or "").lower()
            else:
                host = url_host(url)
            host_ok = not self.hosts or any(host == h or host.endswith("." + h) for h in self.hosts)
            path_ok = not self.paths or any(re.search(p, parts.path or "/") for p in self.paths)
            if host_ok and path_ok and (self.hosts or self.paths):
                return f"URL {url}"
        sel = index.select if index is not None else select
        for sig in self.signatures:
            if sig and all(sel(root, s) for s in sig):
                return "markup signature " + " + ".join(sig)
        return None


def url_host(url: str) -> str:
    """``(urlsplit(url).hostname or "").lower()``, read directly from a URL of the common form
    (sanitize.plain_http_host). Raises ValueError where urlsplit does."""
    host = plain_http_host(url)
    if host is not None:
        return host.lower()
    return (urlsplit(url).hostname or "").lower()


@dataclass(frozen=True)
class Profiles:
    profiles: tuple[Profile, ...] = ()

    def __iter__(self):
        return iter(self.profiles)

    def __len__(self) -> int:
        return len(self.profiles)

    @cached_property
    def regional(self) -> "tuple[Profile, Region] | None":
        """The first profile that names a region, with its region, when no profile before it has
        markup signatures (which may match outside a region: such a page is parsed whole)."""
        for p in self.profiles:
            if p.region:
                return p, parse_region(p.region)
            if p.signatures:
                return None
        return None

    def find(self, root, url: str | None, index: PageIndex | None = None) -> tuple[Profile, str] | None:
        for p in self.profiles:
            why = p.matches(root, url, index)
            if why:
                return p, why
        return None


_TOP_KEYS = {"name", "description", "priority", "match", "skip", "fields", "drop", "unwrap", "drop_next",
             "region"}
_FIELD_KEYS = {"title", "body", "tags", "tags_scope", "source", "date", "author"}


def _check_selector(sel: Any, where: str, problems: list[str]) -> str | None:
    if not isinstance(sel, str) or not sel.strip():
        problems.append(f"{where}: expected a CSS selector string, got {sel!r}")
        return None
    try:
        compile_css(sel)
    except (SelectorError, etree.XPathError) as e:
        problems.append(f"{where}: {e}")
        return None
    return sel


def _check_regex(rx: Any, where: str, problems: list[str]) -> str | None:
    if not isinstance(rx, str):
        problems.append(f"{where}: expected a regular expression string, got {rx!r}")
        return None
    try:
        re.compile(rx)
    except re.error as e:
        problems.append(f"{where}: bad regular expression {rx!r}: {e}")
        return None
    return rx


def _rules(value: Any, where: str, problems: list[str]) -> tuple[FieldRule, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        problems.append(f"{where}: expected a list of selectors or rule tables")
        return ()
    out = []
    for i, item in enumerate(value):
        w = f"{where}[{i}]"
        if isinstance(item, str):
            if _check_selector(item, w, problems):
                out.append(FieldRule(selector=item))
        elif isinstance(item, dict):
            unknown = set(item) - {"selector", "attr", "pattern", "from"}
            if unknown:
                problems.append(f"{w}: unknown key(s) {', '.join(sorted(unknown))}")
            frm = item.get("from")
            if frm not in (None, "url", "page"):
                problems.append(f"{w}: 'from' must be \"url\" or \"page\", got {frm!r}")
            sel = item.get("selector")
            pat = item.get("pattern")
            if frm == "url":
                if pat is None:
                    problems.append(f"{w}: from = \"url\" needs a pattern")
                elif _check_regex(pat, w, problems):
                    out.append(FieldRule(pattern=pat, from_url=True))
                continue
            ok = _check_selector(sel, w, problems)
            if pat is not None and not _check_regex(pat, w, problems):
                ok = None
            attr = item.get("attr")
            if attr is not None and not isinstance(attr, str):
                problems.append(f"{w}: attr must be a string")
                ok = None
            if ok:
                out.append(FieldRule(selector=sel, attr=attr, pattern=pat))
        else:
            problems.append(f"{w}: expected a selector string or a table, got {item!r}")
    return tuple(out)


def _selectors(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        problems.append(f"{where}: expected a list of CSS selectors")
        return ()
    return tuple(s for i, s in enumerate(value) if _check_selector(s, f"{where}[{i}]", problems))


def _table_array(data: dict, key: str, known: set[str], problems: list[str]):
    """Yield (index, table) of the ``[[key]]`` array of tables, reporting a non-array, a non-table
    entry or an unknown key in an entry."""
    raw = data.get(key, [])
    if not isinstance(raw, list):
        problems.append(f"[[{key}]] must be an array of tables")
        return
    for i, t in enumerate(raw):
        if not isinstance(t, dict):
            problems.append(f"{key}[{i}] must be a table")
            continue
        bad = set(t) - known
        if bad:
            problems.append(f"{key}[{i}]: unknown key(s) {', '.join(sorted(bad))}")
        yield i, t


def parse_profile(data: dict, file: str) -> Profile:
    """Validate one profile's data; raise ConfigError naming the file and every problem."""
    problems: list[str] = []
    unknown = set(data) - _TOP_KEYS
    if unknown:
        problems.append(f"unknown key(s): {', '.join(sorted(unknown))}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("'name' is required (a non-empty string)")
        name = Path(file).stem
    description = data.get("description", "")
    if not isinstance(description, str):
        problems.append("'description' must be a string")
        description = ""
    priority = data.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        problems.append("'priority' must be an integer")
        priority = 0

    match = data.get("match", {})
    if not isinstance(match, dict):
        problems.append("[match] must be a table")
        match = {}
    bad = set(match) - {"hosts", "paths", "signatures"}
    if bad:
        problems.append(f"[match]: unknown key(s) {', '.join(sorted(bad))}")
    hosts = match.get("hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        problems.append("[match].hosts must be a list of host names")
        hosts = []
    paths = match.get("paths", [])
    if not isinstance(paths, list):
        problems.append("[match].paths must be a list of regular expressions")
        paths = []
    paths = [p for i, p in enumerate(paths) if _check_regex(p, f"[match].paths[{i}]", problems)]
    sigs_raw = match.get("signatures", [])
    sigs = []
    if not isinstance(sigs_raw, list):
        problems.append("[match].signatures must be a list of lists of CSS selectors")
        sigs_raw = []
    for i, sig in enumerate(sigs_raw):
        if isinstance(sig, str):
            sig = [sig]
        if not isinstance(sig, list) or not sig:
            problems.append(f"[match].signatures[{i}] must be a non-empty list of CSS selectors")
            continue
        sigs.append(_selectors(sig, f"[match].signatures[{i}]", problems))
    if not (hosts or paths or sigs):
        problems.append("[match] needs at least one of hosts, paths, signatures (else the profile never applies)")

    skips = []
    for i, s in _table_array(data, "skip", {"selector", "kind", "reason"}, problems):
        sel = _check_selector(s.get("selector"), f"skip[{i}].selector", problems)
        kind = s.get("kind", "index")
        if not isinstance(kind, str) or not re.fullmatch(r"[a-z][a-z_-]*", kind) or kind in ("article", "error"):
            problems.append(f"skip[{i}].kind must be a page kind such as \"index\", \"forum\", \"search\"")
            kind = "index"
        if sel:
            skips.append(SkipRule(sel, kind, str(s.get("reason", ""))))

    fields_ = data.get("fields", {})
    if not isinstance(fields_, dict):
        problems.append("[fields] must be a table")
        fields_ = {}
    bad = set(fields_) - _FIELD_KEYS
    if bad:
        hint = ""
        if bad & _TOP_KEYS:
            hint = (" (top-level keys such as drop/unwrap must come before the first [table] "
                    "in a TOML file)")
        problems.append(f"[fields]: unknown key(s) {', '.join(sorted(bad))}{hint}")
    tags_scope = fields_.get("tags_scope", "body")
    if tags_scope not in ("body", "page") and not _check_selector(tags_scope, "[fields].tags_scope", problems):
        tags_scope = "body"

    drop_next = []
    for i, d in _table_array(data, "drop_next", {"selector", "text"}, problems):
        sel = _check_selector(d.get("selector"), f"drop_next[{i}].selector", problems)
        text = d.get("text", "")
        if text and not _check_regex(text, f"drop_next[{i}].text", problems):
            sel = None
        if sel:
            drop_next.append(DropNextRule(sel, text or ""))

    region = data.get("region", "")
    if not isinstance(region, str) or (region and parse_region(region) is None):
        problems.append("'region' must be the selector of a div with classes and/or an id, such as "
                        "\"div.post\" or \"div#content\" (the element the page is cut to)")
        region = ""

    profile = Profile(
        name=name,
        file=file,
        description=description,
        priority=priority,
        hosts=tuple(h.lower().lstrip(".") for h in hosts),
        paths=tuple(paths),
        signatures=tuple(sigs),
        skip=tuple(skips),
        title=_rules(fields_.get("title"), "[fields].title", problems),
        body=_selectors(fields_.get("body"), "[fields].body", problems),
        tags=_rules(fields_.get("tags"), "[fields].tags", problems),
        tags_scope=tags_scope,
        source=_rules(fields_.get("source"), "[fields].source", problems),
        date=_rules(fields_.get("date"), "[fields].date", problems),
        author=_rules(fields_.get("author"), "[fields].author", problems),
        drop=_selectors(data.get("drop"), "drop", problems),
        unwrap=_selectors(data.get("unwrap"), "unwrap", problems),
        drop_next=tuple(drop_next),
        region=region.strip(),
        data=json.dumps(data, sort_keys=True, ensure_ascii=False, default=str),
    )
    if problems:
        raise ConfigError(problems, path=file)
    return profile


def load_profile_file(path: Path) -> Profile:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigError([f"cannot read profile: {e.strerror or e}"], path=str(path)) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(["profile is not UTF-8 text"], path=str(path)) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError([f"invalid TOML: {e}"], path=str(path)) from None
    return parse_profile(data, str(path))


def load_dir(directory: Path) -> list[Profile]:
    """Every ``*.toml`` profile in ``directory`` (sorted by file name); all files' problems at once."""
    if not directory.is_dir():
        return []
    out, errors = [], []
    for p in sorted(directory.glob("*.toml")):
        try:
            out.append(load_profile_file(p))
        except ConfigError as e:
            errors.append(e)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ConfigError([f"{e.path}: {msg}" for e in errors for msg in e.problems], path=str(directory))
    return out


def merge(builtin: list[Profile], user: list[Profile]) -> Profiles:
    """User profiles replace built-ins of the same name and are tried first at equal priority."""
    by_name = {p.name: (1, p) for p in builtin}
    for p in user:
        by_name[p.name] = (0, p)
    ordered = sorted(by_name.values(), key=lambda t: (-t[1].priority, t[0], t[1].name))
    return Profiles(tuple(p for _, p in ordered))


def fingerprint(profiles: Profiles) -> str:
    h = hashlib.sha256()
    for p in profiles:
        h.update(p.name.encode("utf-8") + b"\0" + p.data.encode("utf-8") + b"\0")
    return h.hexdigest()
