"""build(config) -> BuildReport: the pipeline, readable top to bottom.

read sources -> clean (cached in the store) -> taxonomy -> render plan -> render (memoised)
-> write only what changed, atomically.
"""

from __future__ import annotations

import fcntl
import gc
import importlib
import os
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from . import urls
from .config import Config
from .errors import BuildError
from . import shortcut
from .output import Output
from .record import ARTICLE, ERROR, CleanResult, Record
from .store import Store, stamp_of
from .taxonomy import Entry, build_site

if TYPE_CHECKING:  # imported lazily at run time (a no-change build never needs Jinja)
    from .render import Renderer
    from .session import Session

HTML_EXT = (".html", ".htm")
MD_EXT = (".md", ".markdown")
SOURCE_EXT = HTML_EXT + MD_EXT


def is_ignored_name(name: str) -> bool:
    """Hidden files, editor droppings and a folder's README are never sources."""
    return (name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak"))
            or name == "4913" or name.startswith(".goutputstream-")
            or name.lower() in ("readme.md", "readme.markdown", "readme.txt", "readme"))


@dataclass(slots=True, unsafe_hash=True)  # immutable by convention: see taxonomy.Entry
class Source:
    rel: str  # path relative to content/, "/" separators
    path: str  # the file (a str: a Path per file is a third of a 10^4-file scan)
    size: int
    mtime_ns: int
    inode: int
    ctime_ns: int = 0

    @property
    def stamp(self) -> str:
        """What the store's fast path trusts (an unchanged stamp means unchanged bytes)."""
        return stamp_of(self.size, self.mtime_ns, self.inode, self.ctime_ns)


@dataclass
class BuildReport:
    articles: int = 0
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (path, kind, reason)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    cleaned: int = 0
    reused: int = 0
    rendered: int = 0
    written: int = 0
    removed: int = 0
    outputs: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    output_dir: Path | None = None
    warnings: list[str] = field(default_factory=list)  # about the whole build (e.g. no base_url)
    search_stale: bool = False  # search="defer": the index in the site is not this build's

    @property
    def total_time(self) -> float:
        return sum(self.timings.values())

    def summary(self) -> str:
        skipped = ""
        if self.skipped:
            kinds: dict[str, int] = {}
            for _, kind, _ in self.skipped:
                kinds[kind] = kinds.get(kind, 0) + 1
            skipped = " (" + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + ")"
        return (f"built {self.articles} articles, skipped {len(self.skipped)}{skipped}, "
                f"{len(self.errors)} errors; cleaned {self.cleaned}, reused {self.reused}; "
                f"{self.written} files written, {self.removed} removed, {self.outputs} in site; "
                f"{self.total_time:.2f}s (" + ", ".join(f"{k} {v:.2f}" for k, v in self.timings.items()) + ")")


# --- stage 1: read ---------------------------------------------------------------------------
def scan_sources(content_dir: Path, listed: list[str] | None = None) -> list[Source]:
    """Every source file under ``content_dir``. ``listed`` gets the ``shortcut.folder_part`` of
    every folder listed (stat'ed before it is listed)."""
    found: list[Source] = []
    if not content_dir.is_dir():
        return found
    folders = [(str(content_dir), "")]  # os.scandir, no Path per file: 10^4 files in ~0.1 s
    while folders:
        folder, prefix = folders.pop()
        try:
            if listed is not None:
                listed.append(shortcut.folder_part(prefix, os.stat(folder)))
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:  # like os.walk: symbolic links to folders are not followed
                if not name.startswith((".", "_")) and not entry.is_symlink():
                    folders.append((entry.path, f"{prefix}{name}/"))
                continue
            if is_ignored_name(name) or not name.lower().endswith(SOURCE_EXT):
                continue
            try:
                st = entry.stat()
            except OSError:
                continue
            found.append(Source(prefix + name, entry.path, st.st_size, st.st_mtime_ns, st.st_ino,
                                st.st_ctime_ns))
    return sorted(found, key=lambda s: s.rel)


def _scan_rows(content_dir: Path) -> tuple[list[tuple], list[str], str]:
    """``scan_sources`` as marshal-able values (for ``shortcut.Forked``): each source's fields
    (``Source(*row)``), the folders listed and their ``shortcut.sources_digest``."""
    listed: list[str] = []
    found = scan_sources(content_dir, listed)
    rows = [(s.rel, s.path, s.size, s.mtime_ns, s.inode, s.ctime_ns) for s in found]
    return rows, listed, shortcut.sources_digest(listed, found)


# --- stage 2: clean (cached) -----------------------------------------------------------------
def clean_source(path: Path | str, rel: str, profiles, config: Config, data: bytes | None = None,
                 source_hash: str | None = None) -> CleanResult:
    """One source file -> CleanResult, whatever its kind. Never raises for a page problem.
    ``source_hash``: the sha256 of ``data`` when the caller made it already (``path`` is then
    not read: a str is not made a Path, ~0.02 ms a page)."""
    from . import clean as cleaner  # the cleaner, Jinja and OpenCC load only when needed

    if rel.lower().endswith(MD_EXT):
        try:
            if data is None:
                path = Path(path)
                if path.stat().st_size > config.max_page_bytes:
                    return CleanResult(rel, ERROR, f"file is larger than max_page_bytes ({config.max_page_bytes})")
                data = path.read_bytes()
        except OSError as e:
            return CleanResult(rel, ERROR, f"cannot read: {e.strerror or e}")
        from .mdsource import read_markdown  # Python-Markdown and PyYAML load only when needed

        return read_markdown(data, rel_path=rel, language=config.language, source_hash=source_hash)
    if data is not None:
        return cleaner.clean_bytes(data, rel_path=rel, profiles=profiles, language=config.language,
                                   source_hash=source_hash)
    return cleaner.clean_file(path, rel_path=rel, profiles=profiles, language=config.language,
                              max_bytes=config.max_page_bytes)


def load_site_profiles(config: Config):
    from . import clean as cleaner

    return cleaner.load_profiles(config.root, config.profiles.dirs, config.profiles.disabled)


def clean_all(sources: list[Source], store: Store, profiles, config: Config, jobs: int, report: BuildReport,
              progress=None, partial: bool = False) -> None:
    """Bring the store up to date with the sources: reuse what is unchanged, clean the rest
    (in ``jobs`` processes, streaming results into the store). ``partial``: ``sources`` are only
    some of the site's."""
    from . import clean as cleaner

    from . import parallel  # (with multiprocessing: not needed by a no-change build)

    cleaned, reused = parallel.refresh_records(sources, store, profiles, config, cleaner.CLEANER_VERSION,
                                               jobs, progress=_show_progress(progress), partial=partial)
    report.cleaned += cleaned
    report.reused += reused


def _show_progress(progress) -> bool:
    """A progress bar unless told otherwise (it only ever shows on a terminal, for long stages)."""
    return True if progress is None else bool(progress)


# --- stage 3: collect -------------------------------------------------------------------------
def collect(results, config: Config, report: BuildReport, cache: dict | None = None) -> list[Entry]:
    """Turn stored results (``Store.results_meta`` rows, in path order) into entries with output
    paths; report skips and errors. ``cache``: rel -> (record, entry), kept between builds by a
    session; an entry is reused while its record is the very same object."""
    by_path: dict[str, str] = {}
    entries: list[Entry] = []
    md_stems = {r[0].rsplit(".", 1)[0] for r in results if r[1] == ARTICLE and r[0].lower().endswith(MD_EXT)}
    for path, kind, reason, warnings, rec, body_key in results:
        if kind == ERROR:
            report.errors.append((path, reason or "unknown error"))
            continue
        if kind != ARTICLE or rec is None:
            report.skipped.append((path, kind, reason or ""))
            continue
        if md_stems and path.lower().endswith(HTML_EXT) and path.rsplit(".", 1)[0] in md_stems:
            report.skipped.append((path, "superseded", "a hand-corrected .md record of the same path exists"))
            continue
        c = cache.get(path) if cache is not None else None
        if c is not None and c[0] is rec:
            entry = c[1]
        else:
            try:
                entry = _entry(rec, urls.article_path(path, rec.date, config.permalink), body_key)
            except urls.UnsafePath as e:
                report.errors.append((path, str(e)))
                continue
            if cache is not None:
                cache[path] = (rec, entry)
        out = entry.path
        if out in by_path:
            report.errors.append((path, f"output path {out} is already taken by {by_path[out]}"))
            continue
        by_path[out] = path
        entries.append(entry)
    report.articles = len(entries)
    return entries


def drop_duplicates(entries: list[Entry], config: Config, report: BuildReport, fingerprints: dict | None = None):
    """The same article under two paths (or as Simplified/Traditional twins): keep one; the
    others become redirect pages to it. ``fingerprints``: from ``Store.fingerprints``."""
    from .links import dedupe

    kept, duplicates = dedupe(entries, config.language, fingerprints)
    for dup, original in sorted(duplicates.items(), key=lambda kv: kv[0].id):
        report.skipped.append((dup.id, "duplicate", f"same article as {original.id}; redirects there"))
    report.articles = len(kept)
    return kept, duplicates


def _entry(rec: Record, out: str, body_key: str) -> Entry:
    """``body_key``: the digest of the stored body (``Store.results_meta``), not the source's:
    a changed cleaner or profile changes the body of an unchanged source."""
    return Entry(rec.source_path, out, rec.title, rec.date, rec.tags, rec.source, rec.url, rec.author,
                 rec.language, rec.summary, body_key)


# --- the pipeline -----------------------------------------------------------------------------
@contextmanager
def build_lock(cache_dir: Path):
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / "build.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build(config: Config, *, jobs: int | None = None, progress=None, search: str | None = None,
          cancel=None, session: Session | None = None, changed: Iterable[str] | None = None) -> BuildReport:
    """``search="defer"`` (the preview): keep the search index already in the site and set
    ``report.search_stale`` when it is not this build's; a later build without it brings it up to date.
    ``cancel()``, polled while Pagefind runs: True gives the build up (search.Cancelled, nothing written).
    ``session``: what a long-lived process keeps between builds (``session.Session``); with it,
    ``changed`` (the absolute paths of the sources the watcher saw change, if known) spares the scan."""
    report = BuildReport(output_dir=config.output_dir)
    jobs = jobs or config.effective_jobs
    clock = _Clock(report)
    # A build makes hundreds of thousands of small objects and no reference cycle worth chasing:
    # the cycle collector only adds pauses (tens of ms when a session holds a big warm state).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with build_lock(config.cache_dir), _open_store(config, session) as store, ExitStack() as cleanup:
            try:
                _build(config, store, report, clock, jobs, progress, search, cancel, session, changed, cleanup)
            except BaseException:
                if session is not None:
                    session.reset()  # whatever it half-learnt: the next build starts cold
                raise
    finally:
        if collecting:
            gc.enable()
    return report


@contextmanager
def _open_store(config: Config, session: Session | None):
    if session is not None:  # the session keeps its connection open between builds
        yield session.open_store(config)
        return
    with Store(config.cache_dir) as store:
        yield store


def _build(config: Config, store: Store, report: BuildReport, clock: _Clock, jobs: int, progress,
           search: str | None, cancel, session: Session | None, changed: Iterable[str] | None,
           cleanup: ExitStack) -> None:
    """``cleanup``: what must be undone however the build ends."""
    warm = session is not None and session.warm(config, store)
    known: shortcut.KnownSite | None = None  # the output folder, when unchanged since the last build
    folders: list[str] = []  # what the scan listed, for the shortcut
    sources = None
    digest = None  # the sources' digest, when they are the shortcut's stats
    read, profiles = False, None  # the store read, the profiles loaded (ahead, while the stat runs)
    saved: dict | None = None
    settings = ""
    site_check = None
    scan = None  # the sources' scan in another process
    scanned = None  # ... and their digest, made there
    removed = 0
    with clock("read"):
        if not warm:
            # (a session's first build goes all the way: it fills the session for the next ones)
            saved = shortcut.load(store) if session is None else None
            # the output folder and the sources are stat'ed in other processes (when large)
            site_check = shortcut.SiteCheck(saved, config.output_dir, paused=True)
            cleanup.callback(site_check.close)
            source_check = shortcut.SourceCheck(saved, config.content_dir)
            cleanup.callback(source_check.close)
            settings = shortcut.settings_fingerprint(config, search)
            if (saved is None or saved.get("settings") != settings) and jobs > 1 and session is None:
                # Nothing to compare the sources with: they are scanned, in another process,
                # while this one reads the store and loads the profiles (a cold build's start;
                # not in a serving process, whose other threads a fork would not take along)
                scan = shortcut.Forked(lambda: _scan_rows(config.content_dir))
                cleanup.callback(scan.close)
            # Meanwhile, what any build but a no-change one needs, one step at a time while the
            # stat has not answered (a no-change build stops at its answer, and wastes little).
            for step in range(3 if source_check.forked else 0):
                if source_check.ready():
                    break
                if step == 0:
                    store.read_all()
                    read = True
                elif step == 1:
                    profiles = load_site_profiles(config)
                else:
                    importlib.import_module(f"{__package__}.plan")  # (and Jinja with it)
            stats = source_check.result(settings)
            site_check.start()  # (a core is free now)
            if (previous := shortcut.reusable(saved, settings, stats)) and site_check.result() is not None:
                shortcut.restore(report, previous)  # nothing this build reads changed, nor the site
                return
            if stats is not None and stats.same_folders:  # no file added or removed: no scan
                base = str(config.content_dir)
                sources = {rel: Source(rel, f"{base}/{rel}", *st) for rel, st in stats.files}
                folders, digest = stats.folders, stats.digest()
        else:
            sources = session.updated_sources(config.content_dir, changed)
        if sources is None and scan is None:
            sources = {s.rel: s for s in scan_sources(config.content_dir, folders)}
        if not warm:
            shortcut.forget(store)
            if not read:
                store.read_all()  # (stored() now and site_meta() after cleaning answer from one reading)
            if profiles is None:
                profiles = load_site_profiles(config)
        else:
            profiles = session.profiles
            if session.shortcut_kept:  # the cold build remembered one; this build changes the site
                shortcut.forget(store)
                session.shortcut_kept = False
        from .plan import plan_jobs, plan_warnings
        from .render import Renderer
        if scan is not None:
            if sources is None:
                rows, folders, scanned = scan.result()
                sources = {row[0]: Source(*row) for row in rows}
            else:
                scan.close()

    with clock("clean"):
        if warm:  # only what differs from the last build is looked at
            before = session.sources
            dirty = [s for rel, s in sources.items()
                     if (k := before.get(rel)) is not s and (k is None or k.stamp != s.stamp)]
            gone = [rel for rel in before if rel not in sources]
            clean_all(dirty, store, profiles, config, jobs, report, progress, partial=True)
            report.reused += len(sources) - len(dirty)
            store.forget(gone)
            session.load_results(store, set(sources), [s.rel for s in dirty], gone)
        else:
            clean_all(sorted(sources.values(), key=lambda s: s.rel), store, profiles, config, jobs, report,
                      progress)
            removed = store.forget_except(set(sources))
            if session is not None:
                session.load_results(store, set(sources))
    if session is None and digest is not None and not removed:
        if _bodies_only(config, store, report, clock, saved, settings, folders, sources, digest, site_check):
            return
        # (what the attempt took counts as cleaning: the stages keep their order in the report)
        report.timings["clean"] = report.timings.get("clean", 0.0) + report.timings.pop("render", 0.0)
    with clock("taxonomy"):
        if session is not None:
            results, fingerprints = session.rows(), session.fingerprints
            outbound, url_keys, entry_cache = session.outbound, session.url_keys, session.entries
        else:
            rows, fingerprints, url_keys, outbound = store.site_meta()
            results, entry_cache = [r for r in rows if r[0] in sources], None
        entries = collect(results, config, report, entry_cache)
        entries, duplicates = drop_duplicates(entries, config, report, fingerprints)
        site = build_site(entries, config.page_size, session.site if warm else None)
        renderer = Renderer(config.templates_dir, config.language, config.cache_dir / "jinja")
    out = Output(config.output_dir, config.cache_dir / "staging")
    try:  # nothing reaches the site before the commit: any failure leaves it as it was
        with clock("render"):
            report.warnings.extend(plan_warnings(config))
            plan = plan_jobs(site, config, outbound=outbound, duplicates=duplicates, url_keys=url_keys,
                             cache=session.plan_cache if session is not None else None, theme=renderer.theme_hash)
            old_outputs = session.outputs if warm else store.output_stamps()
            if not warm:
                known = site_check.result()
            # the folder is as the last build left it (a warm session, or checked by the shortcut):
            # its memo table's stamps need no stat'ing
            trusted = warm or known is not None
            keys, stamps = render_all(plan, renderer, store, out, report, jobs, progress,
                                      old=old_outputs, trusted=trusted)
            for rel, src in renderer.static_files():
                out.put(rel, src.read_bytes())
        with clock("search"):
            if config.search:
                from .search import index_site, keep_index  # (importlib.metadata with it: ~25 ms)

                articles = [(e.path, keys[e.path]) for e in site.entries]
                old_keys = {p: k for p, (k, _) in old_outputs.items()}
                if search == "defer":
                    kept, report.search_stale = keep_index(articles, old_keys, out, config.language)
                    keys |= kept
                else:
                    keys |= index_site(articles, old_keys, out, config.language,
                                       config.cache_dir / "pagefind", cancel)
    except BaseException:
        out.abort()
        raise
    with clock("write"):
        if warm:
            _commit_warm(session, store, out, keys, report)
        else:
            touched: list[str] = []
            if known is not None and not out.staging.resolve().is_relative_to(config.output_dir.resolve()):
                report.written, _ = out.commit(prune=False)
                report.removed, site_paths, touched = _prune_known(out, known.paths)
            else:
                report.written, report.removed = out.commit()
                site_paths, known = None, None
            from .parallel import final_stamps

            final = final_stamps(keys, stamps, out)
            store.update_output_keys({p: (k, final[p]) for p, k in keys.items() if old_outputs.get(p) != (k, final[p])},
                                     [p for p in old_outputs if p not in keys])
            report.outputs = len(out.kept)
            shortcut.remember(store, settings, folders, list(sources.values()), config.output_dir, report,
                              out.site_parts, site_paths, known, touched, digest or scanned, saved,
                              shortcut.site_outline(site, plan.index, plan.slugs), out.folder_parts)
            if session is not None:
                session.filled(config, store, sources, profiles, {p: (k, final[p]) for p, k in keys.items()},
                               set(out.kept))
    if warm:
        session.sources = sources
    if session is not None:
        session.site = site


class _Neighbour:
    """An article's neighbour in a ``_bodies_only`` build: what its page shows of it."""

    __slots__ = ("path", "title")

    def __init__(self, path: str, title: str):
        self.path, self.title = path, title


def _bodies_only(config: Config, store: Store, report: BuildReport, clock: _Clock, saved: dict | None,
                 settings: str, folders: list[str], sources: dict, digest: str, site_check) -> bool:
    """The build of a site whose sources changed in their articles' bodies alone: the same files
    (no scan needed), and every source this build cleaned again gave the same kind, reason,
    warnings, metadata, duplicate fingerprint and URL key as before (``store.same_but_body``),
    while the output folder, the settings and everything else are as the last full build left
    them (the whole-build shortcut's checks). Then every page but those articles' own is what it
    was: lists, feeds and neighbours show metadata, and links between articles are found from
    metadata. Those pages are rendered from the last build's outline of the site (its order, tag
    slugs and link index: ``shortcut.site_outline``) with the same memo keys and contexts a full
    build gives them (``plan.article_memo``, ``plan.article_context``); the tests compare such
    builds with clean ones byte for byte. Returns False, having changed nothing, when any of this
    does not hold (then the full build goes on). Not with search on: the index covers bodies."""
    from .plan import article_context, article_job, article_memo, item_memo, plan_fingerprint
    from .render import Renderer
    from .store import body_differs, body_key_of_row, is_article_row, links_of_row, record_of_row, same_but_body

    if config.search or saved is None:
        return False
    with clock("render"):  # (the output folder's check is waited for last: it runs meanwhile)
        written = store.written_since_read()
        if written is None:
            return False
        changed = []
        for rel, (old, new) in written.items():
            if old is None or new is None or not same_but_body(old, new):
                return False
            if is_article_row(new) and body_differs(old, new):
                changed.append((rel, new))
        outline = shortcut.load_outline(store, saved)
        if outline is None:
            saved.pop("outline", None)  # (torn or foreign: the full build writes it again)
            return False
        order, slugs, (by_url, by_source, tag_slugs, hosts) = outline
        position = {sid: i for i, (sid, _, _) in enumerate(order)} if changed else {}
        pages = []  # (i, entry, record row)
        for rel, row in changed:
            i = position.get(rel)
            if i is None:  # no page of its own: a dropped duplicate, or superseded by a .md record
                continue
            rec = record_of_row(row)
            path = order[i][1]
            if rec is None or urls.article_path(rel, rec.date, config.permalink) != path:
                return False
            pages.append((i, _entry(rec, path, body_key_of_row(row)), row))
        from .links import LinkIndex

        renderer = Renderer(config.templates_dir, config.language, config.cache_dir / "jinja")
        fp = plan_fingerprint(config, renderer.theme_hash)
        index = LinkIndex(by_url, by_source, tag_slugs, frozenset(hosts))
        bodies = store.bodies([e.id for _, e, _ in pages])
        out = Output(config.output_dir, config.cache_dir / "staging")
        keys: dict[str, str] = {}
        try:
            for i, e, row in pages:
                newer = _Neighbour(*order[i - 1][1:]) if i > 0 else None
                older = _Neighbour(*order[i + 1][1:]) if i + 1 < len(order) else None
                hrefs = links_of_row(row)
                memo = article_memo(fp, item_memo(e, slugs), e, newer, older, tuple(map(index.targets.__getitem__, hrefs)))
                job = article_job(i, e, memo)
                data = renderer.render(job, bodies.get(e.id, ""), article_context(e, newer, older, config, slugs, index, hrefs))
                out.put(e.path, data)
                keys[e.path] = memo
            known = site_check.result()
        except BaseException:
            out.abort()
            raise
        if known is None:  # the output folder changed since the last build: the full build goes on
            out.abort()
            return False
    with clock("write"):
        written_files, _ = out.commit(prune=False)
        store.update_output_keys({p: (k, out.stamp(urls.safe_relpath(p)) or "") for p, k in keys.items()}, [])
        cleaned, reused = report.cleaned, report.reused
        shortcut.restore(report, saved["report"])
        report.cleaned, report.reused, report.rendered, report.written = cleaned, reused, len(keys), written_files
        shortcut.remember(store, settings, folders, list(sources.values()), config.output_dir, report, None,
                          known.paths, known, list(out.staged), digest, saved)
    return True


def _commit_warm(session: Session, store: Store, out: Output, keys: dict[str, str], report: BuildReport) -> None:
    """The commit of a warm build: the outputs that no longer belong are known by name (the last
    build's), so the output folder is not walked; only changed memo rows are written."""
    old = session.outputs
    written, _ = out.commit(prune=False)
    gone = [p for p in old if p not in keys]
    removed = 0
    # every file the last build left that this one did not keep: pages, static files, index files
    for rel in sorted(session.kept - out.kept):
        try:
            os.unlink(out.target(rel))
            removed += 1
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            pass
        _remove_empty_parents(out, rel)
    changed: dict[str, tuple[str, str]] = {}
    for p, k in keys.items():
        prev = old.get(p)
        if prev is None or prev[0] != k or not prev[1]:  # (what render_outputs rendered)
            changed[p] = (k, out.stamp(urls.safe_relpath(p)) or "")
    store.update_output_keys(changed, gone)
    for p in gone:
        old.pop(p, None)
    old.update(changed)
    session.kept = set(out.kept)
    report.written, report.removed, report.outputs = written, removed, len(out.kept)


def _remove_empty_parents(out: Output, rel: str) -> list[str]:
    """Remove the folders of ``rel`` left empty, innermost first; returns them ('a/b/' form)."""
    gone = []
    folder = rel.rpartition("/")[0]
    while folder:
        try:
            os.rmdir(out.out_dir / folder)
        except OSError:
            break
        gone.append(folder + "/")
        folder = folder.rpartition("/")[0]
    return gone


def _prune_known(out: Output, known: list[str]) -> tuple[int, list[str], list[str]]:
    """The prune of a build whose output folder is known entry by entry (``shortcut.site_entries``):
    remove the files not kept by name, as the walk would (linked folders are left alone), and
    return (files removed, the folder's entries now, the entries this build wrote or removed)."""
    kept = out.kept
    entries = set(known)
    touched = list(out.staged)
    removed = 0
    for p in known:
        if p.endswith("/") or p in kept:
            continue
        target = out.out_dir / p
        if target.is_symlink() and target.is_dir():
            continue
        try:
            os.unlink(target)
            removed += 1
        except (FileNotFoundError, NotADirectoryError):  # (its folder was replaced by a file)
            pass
        except IsADirectoryError:  # a page's path became a folder's this build: it stays
            continue
        entries.discard(p)
        gone = _remove_empty_parents(out, p)
        entries.difference_update(gone)
        touched.append(p)
        touched.extend(gone)
    added = []
    for rel in out.staged:  # new files, and the folders made for them
        added.append(rel)
        folder = rel.rpartition("/")[0]
        while folder and folder + "/" not in entries:
            entries.add(folder + "/")
            added.append(folder + "/")
            folder = folder.rpartition("/")[0]
    entries.update(added)
    # a file that became a folder (or back) is listed once, as what it is now (only what this
    # build added can clash: the known entries had no such pair)
    for e in added:
        name = e.rstrip("/")
        if name in entries and name + "/" in entries:
            entries.discard(name + "/" if (out.out_dir / name).is_file() else name)
    return removed, sorted(entries), touched


def render_all(plan, renderer: Renderer, store: Store, out: Output, report: BuildReport, jobs: int = 1,
               progress=None, old: dict[str, tuple[str, str]] | None = None, trusted: bool = False
               ) -> tuple[dict[str, str], dict[str, str]]:
    """Render (in ``jobs`` processes) the outputs whose memo key or file changed; stage them.
    Returns ({output path: memo key}, {output path: stamp} of the outputs left as they were).
    ``old``: the last build's memo keys and stamps; ``trusted``: known to describe the files."""
    from . import parallel

    keys, stamps, report.rendered = parallel.render_outputs(
        plan, renderer, store, store.path.parent, out, jobs, progress=_show_progress(progress),
        on_duplicate=lambda path: BuildError(f"two pages want the same output path {path}"), old=old,
        trusted=trusted)
    return keys, stamps


def describe_template_error(e) -> str:
    """``e``: a jinja2.TemplateError."""
    name = getattr(e, "filename", None) or getattr(e, "name", None)
    line = getattr(e, "lineno", None)
    if name is None:
        # Runtime errors: find the template frame in the traceback.
        tb = e.__traceback__
        while tb is not None:
            fn = tb.tb_frame.f_code.co_filename
            if fn.endswith((".html", ".xml", ".txt")) and not fn.endswith(".py"):
                name, line = fn, tb.tb_lineno
            tb = tb.tb_next
    where = f"{name}:{line}" if name and line else (name or "template")
    return f"{where}: {type(e).__name__}: {e.message if hasattr(e, 'message') and e.message else e}"


class _Clock:
    def __init__(self, report: BuildReport):
        self.report = report

    @contextmanager
    def __call__(self, stage: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.report.timings[stage] = self.report.timings.get(stage, 0.0) + time.perf_counter() - t0
