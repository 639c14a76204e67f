"""Source page bytes -> CleanResult (an article Record, a skip with a reason, or an error). Pure.

``clean_bytes`` decodes (``sitegen.decode``), parses (lxml), picks the first site profile that
claims the page (``sitegen.profiles``: by URL host/path or markup signature) or falls back to the
generic extractor (``sitegen.extract``), serialises the kept body as clean block HTML, sanitises
it with an allow-list (``sitegen.sanitize``) and builds a ``Record``. Every step appends a
human-readable line to ``CleanResult.explain`` (``sitegen clean --explain PAGE``).

A page problem never raises: unreadable, empty, binary, too big or unparseable pages give
``CleanResult(kind="error", reason=...)``; pages that are not articles give ``kind`` = "index",
"search", "forum", "event"... with a reason.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sitegen import extract as X
from sitegen import profiles as P
from sitegen import region as R
from sitegen.decode import decode
from sitegen.errors import ConfigError, PageError
from sitegen.profiles import PageIndex, Profile, Profiles
from sitegen.record import ARTICLE, ERROR, CleanResult, Record, summarize
from sitegen.sanitize import sanitize

CLEANER_VERSION = "11"

__all__ = ["CLEANER_VERSION", "Profiles", "Profile", "load_profiles", "profiles_fingerprint",
           "clean_file", "clean_bytes"]


# ---------------------------------------------------------------------------------------------
# Profiles


def load_profiles(site_root: Path | None = None, dirs: tuple[str, ...] = ("profiles",),
                  disabled: tuple[str, ...] = ()) -> Profiles:
    """Built-in profiles plus ``site_root/<dir>/*.toml`` for each of ``dirs`` (later folders
    replace earlier ones' profiles of the same name), minus the profiles named in ``disabled``.
    A bad file raises ConfigError naming the file and every problem in it; so does a disabled
    name that no profile has (a typo would otherwise silently keep the profile on)."""
    builtin = P.load_dir(P.BUILTIN_DIR)
    user: list = []
    if site_root is not None:
        for d in dirs:
            user += P.load_dir(Path(site_root) / d)
    profiles = P.merge(builtin, user)
    if disabled:
        names = {p.name for p in profiles}
        unknown = sorted(set(disabled) - names)
        if unknown:
            raise ConfigError([f"profiles.disabled: no profile named {n!r} (known: {', '.join(sorted(names))})"
                               for n in unknown])
        profiles = P.Profiles(tuple(p for p in profiles if p.name not in set(disabled)))
    return profiles


def profiles_fingerprint(profiles: Profiles) -> str:
    """A stable hash of all profile data (and the cleaner version's rules are in CLEANER_VERSION)."""
    return P.fingerprint(profiles)


# ---------------------------------------------------------------------------------------------
# Entry points


def clean_file(path: Path, *, rel_path: str, profiles: Profiles, language: str = "zh-CN",
               max_bytes: int = 10_000_000) -> CleanResult:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        return _error(rel_path, f"unreadable file: {e.strerror or e}")
    if not path.is_file():
        return _error(rel_path, "not a regular file")
    if size > max_bytes:
        return _error(rel_path, f"file too large ({size} bytes > limit {max_bytes})")
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as e:
        return _error(rel_path, f"unreadable file: {e.strerror or e}")
    if len(data) > max_bytes:
        return _error(rel_path, f"file too large (> limit {max_bytes} bytes)")
    return clean_bytes(data, rel_path=rel_path, profiles=profiles, language=language)


def clean_bytes(data: bytes, *, rel_path: str, profiles: Profiles, language: str = "zh-CN",
                source_hash: str | None = None) -> CleanResult:
    """``source_hash``: sha256 hex digest of ``data`` when the caller has made it already."""
    try:
        return _clean(data, rel_path, profiles, language, source_hash)
    except RecursionError:
        return _error(rel_path, "page too deeply nested to process")
    except MemoryError:
        return _error(rel_path, "page too large to process")
    except Exception as e:  # a page must never take the build down; report it as one line
        return _error(rel_path, f"cleaner failed: {type(e).__name__}: {str(e)[:200]}")


def _error(rel_path: str, reason: str, explain=()) -> CleanResult:
    reason = " ".join(str(reason).split())
    return CleanResult(path=rel_path, kind=ERROR, reason=reason, explain=tuple(explain) + (f"error: {reason}",))


# ---------------------------------------------------------------------------------------------
# The pipeline for one page


def _clean(data: bytes, rel_path: str, profiles: Profiles, language: str,
           source_hash: str | None = None) -> CleanResult:
    explain: list[str] = []
    if not data or data.isspace():  # (not data.strip(): the same, without copying the page)
        return _error(rel_path, "empty file")
    if source_hash is None:
        source_hash = hashlib.sha256(data).hexdigest()
    try:
        dec = decode(data)
    except PageError as e:
        return _error(rel_path, str(e))
    warnings = list(dec.warnings)
    explain.append(f"decoded as {dec.encoding}" + (f" ({'; '.join(dec.warnings)})" if dec.warnings else ""))
    if not dec.text or dec.text.isspace():
        return _error(rel_path, "empty file (only whitespace)", explain)
    regional = profiles.regional
    if regional is not None:
        # a profile that names its region: parse the head and that div only, when the page can be
        # cut exactly (sitegen.region) and the profile claims what was parsed
        profile, region = regional
        # (a page with control characters, or not UTF-8 to begin with, is parsed whole)
        clean_utf8 = X.utf8_as_is(dec.text, dec.utf8, dec.controls)
        # (a page that names none of the profile's hosts is another site's, mostly: not scanned
        # for the region, which costs as much as parsing a page that has none)
        ours = clean_utf8 and (not profile.hosts or any(h.encode() in dec.utf8 for h in profile.hosts))
        cut = R.cut(dec.utf8, region, dec.folded) if ours else None
        part = None
        if cut is not None:
            try:
                part = X.parse_utf8(cut[0])
            except (ValueError, TypeError):
                pass  # the whole page is parsed next, and reports what is wrong with it
        if part is not None:
            try:
                return _clean_tree(part, dec, rel_path, profiles, language, source_hash, list(warnings),
                                   list(explain), (profile, region, cut[1:]))
            except _WholePage as e:
                explain.append(f"region {region.selector!r} not used: {e}; parsing the whole page")
    try:
        root = X.parse_html(dec.text, dec.utf8, dec.controls)
    except (ValueError, TypeError) as e:
        return _error(rel_path, f"unparseable HTML: {e}", explain)
    return _clean_tree(root, dec, rel_path, profiles, language, source_hash, warnings, explain)


class _WholePage(Exception):
    """A page parsed in part (a profile's region) must be parsed whole: the reason."""


def _clean_tree(root, dec, rel_path: str, profiles: Profiles, language: str, source_hash: str,
                warnings: list[str], explain: list[str], cut=None) -> CleanResult:
    """The page parsed to ``root`` (``cut``: (profile, region, (start, end) of the region in the
    page's UTF-8 bytes) when only the head and the profile's region were parsed) to its result."""
    if cut is not None:
        profile, region, (start, end) = cut
        if R.check(root, region) is None:
            raise _WholePage("the parser did not close it where the scanner did")
        explain.append(f"parsed the head and the region {region.selector!r} only "
                       f"({end - start:,} of {len(dec.utf8):,} bytes)")

    # one pass over the page indexes it by tag, class and id for the profiles' selectors (and
    # gives read_meta the page's meta, script, title and link elements)
    index = PageIndex(root) if len(profiles) else None
    pm = X.read_meta(root, dec.text, index.by_tag if index is not None else None)
    if pm.url:
        explain.append(f"url: {pm.url} (from {pm.url_from})")
    # the page's own location for dates when it has no URL: its path under content/ (or the path
    # it was given on the command line)
    pm.source_path = rel_path

    found = profiles.find(root, pm.url, index) if index is not None else None
    if cut is not None and (not found or found[0] is not profile):
        raise _WholePage(f"profile {profile.name!r} does not claim the head and region alone")
    if found:
        profile, why = found
        explain.append(f"profile {profile.name!r} ({profile.file}) claims the page: {why}")
        out = _apply_profile(root, pm, profile, explain, index, partial=cut is not None)
    else:
        explain.append("no profile claims the page: generic extractor")
        out = _apply_generic(root, pm, explain)

    if isinstance(out, X.Kind):
        explain.append(f"skipped: {out.kind}: {out.reason}")
        return CleanResult(path=rel_path, kind=out.kind, reason=out.reason, warnings=tuple(warnings),
                           explain=tuple(explain))
    title, body_html, texts, meta = out
    if any(meta.get("unresolved") or ()):
        imgs, links = meta["unresolved"]
        what = " and ".join(x for x in (f"{imgs} image(s) dropped" if imgs else "",
                                         f"{links} link(s) unwrapped to text" if links else "") if x)
        warnings.append(f"relative URLs and no original URL to resolve them against: {what}")
        explain.append(f"unresolvable relative URLs: {what}")
    body_html = sanitize(body_html, pm.url)
    body_text = "\n\n".join(texts)
    if not title:
        warnings.append("no title found")
    if not body_text.strip():
        explain.append("skipped: no article text left after cleaning")
        return CleanResult(path=rel_path, kind="index", reason="no article text found on the page",
                           warnings=tuple(warnings), explain=tuple(explain))
    lang = pm.lang or language
    if lang and lang.lower().startswith("en") and _mostly_cjk(body_text):
        explain.append(f"<html lang={lang}> ignored: the text is Chinese")
        lang = language
    record = Record(
        title=title or "",
        body_html=body_html,
        source_path=rel_path,
        source_hash=source_hash,
        date=meta.get("date"),
        tags=tuple(meta.get("tags") or ()),
        source=meta.get("source"),
        url=pm.url,
        author=meta.get("author"),
        language=lang,
        summary=summarize(body_text),
        warnings=tuple(warnings),
    )
    return CleanResult(path=rel_path, kind=ARTICLE, record=record, warnings=tuple(warnings),
                       explain=tuple(explain))


def _mostly_cjk(text: str) -> bool:
    sample = text[:2000]
    cjk = sum(map(len, X._CJK_RUN.findall(sample)))
    return cjk > 0.3 * max(1, len(sample.replace(" ", "")))


# ---------------------------------------------------------------------------------------------
# Profile application


def _rule_values(index: PageIndex, scope, rule: P.FieldRule, url: str | None, path: str | None = None) -> list[str]:
    if rule.from_url:
        # the page's URL; a page without one (a fragment) is matched by its own source path
        target = url or _url_like_path(path)
        if not target:
            return []
        m = _regex(rule.pattern).search(target)
        return [m.group(1) if m and m.groups() else m.group(0)] if m else []
    vals = []
    for el in index.select(scope, rule.selector):
        if rule.attr:
            v = el.get(rule.attr)
            if v is None:
                continue
            v = X.norm_ws(v)
        else:
            v = X.node_text(el)  # (white space folded)
        if rule.pattern:
            m = _regex(rule.pattern).search(v)
            if not m:
                continue
            v = X.norm_ws(m.group(1) if m.groups() else m.group(0))
        if v:
            vals.append(v)
    return vals


_REGEX: dict = {}


def _regex(pattern: str) -> re.Pattern:
    """A profile's pattern compiled (re.search(pattern, ...) looked it up in re's cache at
    every call)."""
    r = _REGEX.get(pattern)
    if r is None:
        r = _REGEX[pattern] = re.compile(pattern)
    return r


def _url_like_path(path: str | None) -> str | None:
    """A source path as a URL path: forward slashes, leading slash."""
    if not path:
        return None
    p = str(path).replace("\\", "/")
    return p if p.startswith("/") else "/" + p


def _first(index: PageIndex, rules, url, explain, label, convert=None, path=None):
    for rule in rules:
        for v in _rule_values(index, index.root, rule, url, path):
            if convert:
                v = convert(v)
            if v:
                src = rule.describe()
                if rule.from_url and not url:
                    src = f"the page's source path ({rule.describe()})"
                explain.append(f"{label}: {v!r} from {src}")
                return v
    return None


def _own_date(pm) -> tuple[str | None, str]:
    """A date in the page's own URL, else in its own source path (never in a link's URL)."""
    d = X.date_from_url(pm.url)
    if d:
        return d, "the page's own URL"
    d = X.date_from_path(getattr(pm, "source_path", None))
    if d:
        return d, "the page's own source path"
    return None, ""


def _apply_profile(root, pm, profile: Profile, explain: list[str], index: PageIndex | None = None,
                   partial: bool = False):
    """``partial``: ``root`` holds the page's head and the profile's region only; where the
    profile's rules would look at the rest of the page (no body or no title in the region),
    ``_WholePage`` is raised."""
    if index is None or index.root is not root:
        index = PageIndex(root)
    select = index.select
    for rule in profile.skip:
        if select(root, rule.selector):
            return X.Kind(rule.kind, rule.reason or f"profile {profile.name}: page matches {rule.selector}")
    # metadata read before anything is removed
    title = _first(index, profile.title, pm.url, explain, "title")
    if not title and partial:
        raise _WholePage("no title in it")
    source = _first(index, profile.source, pm.url, explain, "source")
    author = _first(index, profile.author, pm.url, explain, "author")
    date = _first(index, profile.date, pm.url, explain, "date", X.parse_date, path=pm.source_path)

    body = None
    for sel in profile.body:
        found = select(root, sel)
        if found:
            body = found[0]
            explain.append(f"body: {sel!r} -> {X.describe(body)}")
            break
    if body is None and partial:
        raise _WholePage("no body element in it")
    if body is None:
        explain.append("profile found no body element: falling back to the generic extractor")
        out = _apply_generic(root, pm, explain)
        if isinstance(out, X.Kind):
            return out
        t, h, texts, meta = out
        meta.update({k: v for k, v in (("source", source), ("author", author), ("date", date)) if v})
        return (title or t), h, texts, meta

    if profile.tags_scope == "page":
        tag_scope = root
    elif profile.tags_scope == "body":
        tag_scope = body
    else:
        found = select(root, profile.tags_scope)
        tag_scope = found[0] if found else body
    tags: list[str] = []
    hits = []
    for rule in profile.tags:
        for el in select(tag_scope, rule.selector):
            hits.append(el)
    # page order across all rules
    order = index.order
    for el in sorted(set(hits), key=lambda e: order.get(e, 0)):
        if X.is_category_link(el):
            continue  # WordPress core's rel="category tag": a category, not a tag
        t = X.node_text(el)  # (white space folded)
        if t and t not in tags and len(t) <= 40:
            tags.append(t)
    if tags:
        explain.append(f"tags: {tags} from {', '.join(r.describe() for r in profile.tags)}")

    # removals: drop_next, drop, unwrap (in the whole page: the body may contain them)
    for rule in profile.drop_next:
        for el in select(root, rule.selector):
            nxt = el.getnext()
            if nxt is not None and (not rule.text or _regex(rule.text).search(X.node_text(nxt))):
                explain.append(f"dropped {X.describe(nxt)} following {rule.selector!r} (drop_next)")
                X.drop(nxt)
    for sel in profile.drop:
        n = 0
        for el in select(root, sel):
            if el is body or el.getparent() is None:
                continue
            X.drop(el)
            n += 1
        if n:
            explain.append(f"dropped {n} x {sel!r}")
    for sel in profile.unwrap:
        n = 0
        for el in select(body, sel):
            X.unwrap(el)
            n += 1
        if n:
            explain.append(f"unwrapped {n} x {sel!r} to text")
    texts: dict = {}  # (the paragraphs' texts strip_page reads, for the writer)
    X.strip_page(body, explain, texts)
    if X.figure_captions([body], explain):
        texts.clear()  # (figures are made by moving texts and elements: strip_page's reads not trusted after)
    writer = X.BodyWriter(pm.url, texts=texts)
    writer.walk_children(body)
    html = writer.html()
    if not title:
        title = _generic_title(root, pm, body, explain)
    if not date:
        d, why = X.meta_date(pm)
        if not d:
            d, why = _own_date(pm)
        date = d
        if date:
            explain.append(f"date: {date} from {why}")
    return title, html, writer.texts, {"tags": tags, "source": source, "author": author, "date": date,
                                        "unresolved": writer.unresolved}


# ---------------------------------------------------------------------------------------------
# Generic extraction


def _generic_title(root, pm, content, explain) -> str:
    title, _el = X.pick_title(root, pm, [content] if content is not None else [], explain)
    return title


def _apply_generic(root, pm, explain: list[str]):
    signals = X.shell_signals(root, pm)
    X.strip_page(root, explain)
    content, parts, st = X.find_content(root, explain)
    kind = X.classify(root, pm, content, st)
    kind = X.refine_empty(kind, signals, content, st, root)
    if kind is not None and kind.kind in ("shell", "empty", "index") and signals.get("_state_scripts") \
            and X.json_state_content(root, signals) is not None:
        # a script-rendered page whose article is only in its JSON state
        explain.append(f"{kind.kind} page ({kind.reason}), but its JSON state holds the article: using that")
        X.strip_page(root, None)
        content, parts, st = X.find_content(root, explain)
        kind = X.classify(root, pm, content, st)
        state = X.json_state(signals)
        if state.get("json_title") and not (pm.meta.get("og:title") or pm.title_tag):
            pm.title_tag = state["json_title"]
    if kind is not None and kind.kind in ("index", "search") and "teaser" in kind.reason:
        anchored = X.title_anchored_content(root, pm, content, st)
        if anchored is not None:
            explain.append(f"not a list: {X.describe(anchored)} holds the article heading and its text "
                           f"({kind.reason} is a column beside it)")
            content, parts, kind = anchored, [anchored], None
    if kind is not None:
        return kind
    title, title_el = X.pick_title(root, pm, parts, explain)
    if title_el is None and title:
        title_el = X.find_title_el(root, title)
    if title_el is not None and any(title_el is p or X._is_ancestor(p, title_el) for p in parts):
        pass  # the heading inside the body is removed as "title repeated in the body"
    tags = X.find_tags(root, parts, explain)
    # metadata that lives around the body, read before pruning
    h_source, h_author, where = X.header_source(root, title_el, parts)
    d, why = X.meta_date(pm)
    if not d:
        d, why = X.header_date(root, title_el, parts)
    if not d:
        d, why = _own_date(pm)
    if not d:
        d, why = X.classed_date(root, title_el)
    if not d and signals.get("_state_scripts") and X.json_state(signals).get("json_date"):
        d, why = X.json_state(signals)["json_date"], "the page's JSON state"
    leads = X.lead_blocks(root, title_el, parts, st)
    if leads:
        body_chars = "".join("".join(X.node_text(p).split()) for p in parts)
        leads = [el for el in leads if "".join(X.node_text(el).split())[:60] not in body_chars]
        if leads:
            explain.append(f"lead: {len(leads)} paragraph(s) between the title and the body: "
                           + ", ".join(X.describe(el) for el in leads))
    X.figure_captions(leads + parts, explain)
    pruned: dict = {}
    X.prune(parts, st, explain, pruned)
    writer = X.BodyWriter(pm.url)
    for p in leads + parts:
        writer.node(p)
    writer.flush()
    blocks, found = X.filter_blocks(writer.blocks, title, explain)
    source = h_source or found.get("source") or pruned.get("source")
    if source:
        explain.append(f"source: {source!r} from {where if h_source else 'a credit line in the body'}")
    else:
        source = X.dateline_source([t for _, t in blocks], pm)
        if source:
            explain.append(f"source: {source!r} from the news-agency dateline opening the body")
    author = found.get("author") or h_author or pruned.get("author") or pm.meta.get("author") or None
    if author and len(author) > 40:
        author = None
    if not d and found.get("date"):
        d, why = found["date"], "a date line at the top of the body"
    if d:
        explain.append(f"date: {d} from {why}")
    html = "\n".join(h for h, _ in blocks)
    texts = [t for _, t in blocks if t]
    return title, html, texts, {"tags": tags, "source": source, "author": author, "date": d,
                                "unresolved": writer.unresolved}
