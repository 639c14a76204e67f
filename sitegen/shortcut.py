"""The whole-build shortcut: a rebuild with nothing changed stops after checking, and a rebuild
whose output folder is as the last build left it need not walk it.

A build's result is a function of its inputs: the source files, the configuration, the site's
profiles and templates, sitegen's own code and theme, the libraries it runs on, and how it was
asked to build (the search mode). After a successful build the store remembers a fingerprint of
the settings (everything but the sources, hashed from their bytes: small files), the sources as
its scan saw them (every source's stamp and every folder's mtime, the folder stat'ed before it
was listed), the output folder as the build left it (every entry's stamp, folders by mtime) and
the build's report. The next build stats the same sources, folders and outputs, lists no folder,
and when nothing moved reports the previous counts and stops: nothing could come out different
(a file added or removed anywhere moves its folder's mtime; a file written, its stamp). Anything
else runs the full build, which forgets the fingerprint before it changes anything and records a
new one only when it has finished. When only the output folder is unchanged, the build still
uses its known entries: outputs are trusted by their recorded stamps and removed by name.

Sources and outputs are trusted by their stamps, as the record store and the render memo already
do. Everything else is hashed from its bytes.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import stat
import sys
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Iterable

META_KEY = "shortcut"
LISTS_KEY = "shortcut.lists"  # its long lists, joined by NULs (no path has one): see remember
OUTLINE_KEY = "shortcut.outline"  # the site's outline as the build left it: see site_outline
_LISTS = ("folders", "files", "paths")
_FORMAT = 4  # of the remembered value
# Libraries whose code decides what a page becomes: a reinstall or upgrade defeats the shortcut.
_LIBRARIES = ("jinja2", "markupsafe", "bs4", "soupsieve", "lxml", "markdown", "yaml", "nh3",
              "charset_normalizer", "opencc")
_REPORTED = ("articles", "skipped", "errors", "outputs", "warnings", "search_stale")  # + "sources"


def _hash_tree(h, folder: Path, label: str) -> None:
    """Every file under ``folder`` (path and bytes), in a stable order; __pycache__ left out."""
    h.update(f"\0tree {label}\0".encode())
    if not folder.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            p = os.path.join(dirpath, name)
            h.update(os.path.relpath(p, folder).encode("utf-8", "surrogateescape") + b"\0")
            try:
                with open(p, "rb") as fh:
                    h.update(fh.read())
            except OSError as e:
                h.update(f"unreadable {e.errno}".encode())
            h.update(b"\0")


def _library_stamps() -> str:
    parts = [sys.version]
    for name in _LIBRARIES:
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        try:
            st = os.stat(origin) if origin else None
        except OSError:
            st = None
        parts.append(f"{name}={origin}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}" if st else f"{name}=-")
    return "\n".join(parts)


def settings_fingerprint(config, search: str | None) -> str:
    """A digest of everything a build reads but its sources: the configuration, the search mode,
    the libraries, sitegen's code and theme, the site's templates and profiles."""
    h = hashlib.sha256()
    h.update(f"config {config!r}\0search {search!r}\0".encode("utf-8", "surrogateescape"))
    h.update(_library_stamps().encode("utf-8", "surrogateescape"))
    if config.search and search != "defer":
        from .search import _pagefind_version

        h.update(f"\0pagefind {_pagefind_version()}".encode())
    code = Path(__file__).resolve().parent
    _hash_tree(h, code, "code")  # the package, its built-in profiles and a packaged theme
    _hash_tree(h, code.parent / "templates", "theme")  # the default theme in a checkout
    _hash_tree(h, config.templates_dir, "site templates")
    for d in dict.fromkeys(("profiles",) + tuple(config.profiles.dirs)):
        _hash_tree(h, config.root / d, f"profiles {d}")
    return h.hexdigest()


def folder_part(rel: str, st: os.stat_result) -> str:
    """A folder of the sources in their digest: its mtime changes when an entry is added to it,
    removed or renamed (made before the folder is listed, so nothing added meanwhile is missed)."""
    return f"{rel} {st.st_mtime_ns} {st.st_ino}"


def sources_digest(folders: list[str], sources) -> str:
    """A digest of the sources as a scan saw them: ``folders``, the ``folder_part`` of every folder
    it listed, and ``sources`` (objects with ``rel`` and ``stamp``)."""
    return _digest_lines(folders, [(src.rel, src.stamp) for src in sources])


def _digest_lines(folders: list[str], files: list[tuple[str, str]]) -> str:
    """``sources_digest`` of (rel, stamp) pairs: the folders sorted, then the files by path."""
    text = "".join(part + "\n" for part in sorted(folders)) + "\0" + "".join(
        f"{rel} {stamp}\n" for rel, stamp in sorted(files))
    return _sha(text)


@dataclass
class SourceStats:
    """The remembered sources, stat'ed again (``stat_sources``)."""

    folders: list[str]  # the ``folder_part`` of every remembered folder, now
    # (rel, (size, mtime_ns, inode, ctime_ns)) of every remembered file, now (``build.Source``'s order)
    files: list[tuple[str, tuple[int, int, int, int]]]
    same_folders: bool  # every folder as it was: no file added, removed or renamed since
    _digest: str | None = None

    def digest(self) -> str:
        """``sources_digest`` of the sources as they are now (made once)."""
        if self._digest is None:
            from .store import stamp_of

            self._digest = _digest_lines(self.folders, [(rel, stamp_of(*st)) for rel, st in self.files])
        return self._digest


def stat_sources(saved: dict | None, settings: str, content_dir: Path) -> SourceStats | None:
    """The sources the last build's scan found, by stat alone (no folder listed), when that build
    ran with the same settings (the scan's rules are code). When ``same_folders``, they are all
    the sources there are: a file added or removed would have changed its folder's mtime; and
    the build needs no scan. None when there is nothing to compare with or a file vanished."""
    if saved is None or saved.get("settings") != settings:
        return None
    return _source_stats(saved, _stat_listed(saved, content_dir))


def _source_stats(saved: dict, found: tuple[list[str], list[tuple]] | None) -> SourceStats | None:
    if found is None:
        return None
    parts, stamps = found
    files = saved.get("files", "")
    return SourceStats(parts, list(zip(files.split("\n") if files else (), stamps)),
                       _digest(parts) == saved.get("folder_parts"))


def _stat_listed(saved: dict, content_dir: Path) -> tuple[list[str], list[tuple]] | None:
    """The ``folder_part`` of every remembered folder and the (size, mtime_ns, inode, ctime_ns)
    of every remembered file, in their order; None when one vanished. (Marshal-able: it is what
    ``SourceCheck``'s process sends back.)"""
    folders, files = saved.get("folders", ""), saved.get("files", "")
    base = str(content_dir)
    parts, stamps = [], []
    try:
        for rel in folders.split("\n") if folders else ():
            parts.append(folder_part(rel, os.stat(f"{base}/{rel}" if rel else base)))
        for rel in files.split("\n") if files else ():
            st = os.stat(f"{base}/{rel}")
            stamps.append((st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns))
    except OSError:
        return None
    return parts, stamps


def _walk_parts(out_dir: Path) -> list[str]:
    from .output import site_part

    parts: list[str] = []
    if not os.path.isdir(out_dir):
        return parts
    add = parts.append
    folders = [(str(out_dir), "")]
    S_ISDIR = stat.S_ISDIR
    while folders:
        folder, prefix = folders.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as e:
            add(f"{prefix}: unreadable {e.errno}")
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                add(f"{prefix}{entry.name}: gone")
                continue
            if S_ISDIR(st.st_mode):
                folders.append((entry.path, f"{prefix}{entry.name}/"))
            add(site_part(prefix, entry.name, st))
    return parts


def load(store) -> dict | None:
    """What the last full build remembered, if it did (``remember``): one dict, its lists
    (``folders``, ``files``, ``paths``) included."""
    raw = store.get_meta(META_KEY)
    if raw is None:
        return None
    lists = store.get_meta(LISTS_KEY) or ""
    try:
        saved = json.loads(raw)
        if not isinstance(saved, dict) or saved.get("version") != _FORMAT or saved.get("lists") != _sha(lists):
            return None
        saved.update(zip(_LISTS, lists.split("\0")))
    except ValueError:
        return None
    return saved


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass
class KnownSite:
    """The output folder's entries as the last build left them, checked unchanged by stat."""

    paths: list[str]  # relative, folders with a trailing '/', sorted
    parts: dict[str, str]  # "" (the folder itself) and each path -> its ``_part`` now


def site_entries(saved: dict | None, out_dir: Path) -> KnownSite | None:
    """The output folder's entries as the last build left them, if it has not changed since (by
    stat: ``stat_digest``), else None. With them a build need not walk the folder to find what to
    remove, nor stat every output to trust it, nor stat them all again to remember the folder."""
    if saved is None:
        return None
    paths = saved.get("paths", "")
    entries = paths.split("\n") if paths else []
    base = str(out_dir)
    parts = {rel: _part(base, rel) for rel in [""] + entries}
    if None in parts.values() or saved.get("site") != _digest([parts[rel] for rel in [""] + entries]):
        return None
    return KnownSite(entries, parts)  # type: ignore[arg-type]


# The ends of ``Forked`` pipes this process holds open. A child forked later closes its copies:
# a child holding another's read end would keep that other child from ever seeing this process
# close it (``close``: its write then blocks forever instead of failing), and this process, waiting
# for that child, from reading the later child's result.
_PARENT_FDS: set[int] = set()


def _close(fd: int) -> None:
    _PARENT_FDS.discard(fd)
    os.close(fd)


class Forked:
    """``fn()`` run in a forked process while this one goes on; ``result()`` waits for it and
    returns its value (which must be marshal-able). Without ``fork``, or when ``fork`` is False,
    ``fn`` runs in this process, when ``result()`` is asked. A child that fails is not trusted:
    ``fn`` then runs here (and raises here, if it must).

    ``paused``: the child is made now (while this process is small: a fork copies its page
    tables, and every page either process writes afterwards) but waits for ``start()`` (or
    ``result()``) before it begins, so that it can run when a core is free."""

    def __init__(self, fn, fork: bool = True, paused: bool = False):
        self.fn = fn
        self._done = False
        self._value = None
        self._pid: int | None = None
        self._fd = -1
        self._go = -1
        if not fork or not hasattr(os, "fork"):
            return
        r, w = os.pipe()
        go_r, go_w = os.pipe() if paused else (-1, -1)
        try:
            pid = os.fork()
        except OSError:
            for fd in (r, w, go_r, go_w):
                if fd >= 0:
                    os.close(fd)
            return
        if pid == 0:  # the child: compute, send, leave without running any cleanup
            code = 1
            try:
                for fd in _PARENT_FDS:  # (other children's pipes: see _PARENT_FDS)
                    try:
                        os.close(fd)
                    except OSError:
                        pass
                os.close(r)
                if paused:
                    os.close(go_w)
                    if not os.read(go_r, 1):  # never started: the build stopped before it needed it
                        code = 0
                        return
                view = memoryview(marshal.dumps(fn()))
                while view:
                    view = view[os.write(w, view):]
                code = 0
            finally:
                os._exit(code)
        os.close(w)
        if paused:
            os.close(go_r)
        self._pid, self._fd, self._go = pid, r, go_w
        _PARENT_FDS.update(fd for fd in (r, go_w) if fd >= 0)

    @property
    def forked(self) -> bool:
        return self._pid is not None

    def ready(self) -> bool:
        """True when ``result()`` would not wait: the child has answered (or there is none)."""
        if self._done or self._pid is None:
            return True
        import select

        return bool(select.select([self._fd], [], [], 0)[0])

    def start(self) -> None:
        """Let a paused child begin (once; nothing for a running one)."""
        if self._go >= 0:
            try:
                os.write(self._go, b"1")
            except OSError:  # (it died: result() runs fn here)
                pass
            _close(self._go)
            self._go = -1

    def result(self):
        if self._done:
            return self._value
        self._done = True
        self.start()
        if self._pid is None:
            self._value = self.fn()
            return self._value
        chunks = []
        while chunk := os.read(self._fd, 1 << 20):
            chunks.append(chunk)
        _close(self._fd)
        _, status = os.waitpid(self._pid, 0)
        self._value = marshal.loads(b"".join(chunks)) if status == 0 else self.fn()
        return self._value

    def close(self) -> None:
        """Wait for the child if nobody asked for its result (the build failed or stopped early)."""
        if not self._done and self._pid is not None:
            self._done = True
            if self._go >= 0:  # never started: its read of the closed pipe ends it
                _close(self._go)
                self._go = -1
            _close(self._fd)
            os.waitpid(self._pid, 0)


class SiteCheck:
    """``site_entries`` run in a forked process while this one goes on (stat'ing the sources,
    reading the store, planning): at 10,000 pages the check is ~25,000 ``lstat`` calls, all
    waiting on the kernel, which a second core does meanwhile. ``result()`` waits for it. Where
    ``fork`` is not available, or for a small folder, the check runs in this process.

    ``paused``: made now, begun by ``start()`` (see ``Forked``): the build starts it once the
    sources' stat (``SourceCheck``) is done, when a core is free, instead of the three processes
    sharing two cores at the start."""

    MIN_ENTRIES = 2000  # below this the check is cheaper than a fork

    def __init__(self, saved: dict | None, out_dir: Path, paused: bool = False):
        self.saved, self.out_dir = saved, out_dir
        self._value: KnownSite | None = None
        paths = saved.get("paths", "") if saved is not None else ""
        self._check = Forked(self._parts, fork=paths.count("\n") >= self.MIN_ENTRIES, paused=paused)

    def start(self) -> None:
        self._check.start()

    def _parts(self) -> list[str] | None:
        known = site_entries(self.saved, self.out_dir)
        return None if known is None else [known.parts[rel] for rel in [""] + known.paths]

    @property
    def _pid(self) -> int | None:  # (the tests ask whether it forked)
        return self._check._pid

    def result(self) -> KnownSite | None:
        if not self._check._done:
            parts = self._check.result()
            if parts is not None:
                paths = self.saved["paths"].split("\n")
                self._value = KnownSite(paths, dict(zip([""] + paths, parts)))
        return self._value

    def close(self) -> None:
        self._check.close()


class SourceCheck:
    """``stat_sources`` run in a forked process while this one goes on (making the settings'
    fingerprint, importing the cleaner and the templates' engine, reading the store): at 10,000
    pages it is ~18,000 ``stat`` calls, mostly kernel time, which the other core does meanwhile.
    ``result(settings)`` waits for it and answers what ``stat_sources`` would. Where ``fork`` is
    not available, or for a small site, it runs in this process, when asked."""

    MIN_FILES = 2000  # below this the stat calls are cheaper than a fork

    def __init__(self, saved: dict | None, content_dir: Path):
        self.saved = saved
        files = saved.get("files", "") if saved is not None else ""
        self._check = Forked(lambda: _stat_listed(saved, content_dir),  # type: ignore[arg-type]
                             fork=files.count("\n") >= self.MIN_FILES)

    @property
    def forked(self) -> bool:
        return self._check.forked

    def ready(self) -> bool:
        return self._check.ready()

    def result(self, settings: str) -> SourceStats | None:
        if self.saved is None or self.saved.get("settings") != settings:
            self.close()  # (stat'ed for a build of other settings: not comparable)
            return None
        return _source_stats(self.saved, self._check.result())

    def close(self) -> None:
        self._check.close()


def reusable(saved: dict, settings: str, stats: SourceStats | None) -> dict | None:
    """The last build's report, when nothing it read changed: the settings, and the sources by
    stat alone (``stat_sources``, no scan). Check ``site_entries`` first: the output folder must be
    unchanged too."""
    if stats is None or saved.get("settings") != settings or saved.get("report", {}).get("search_stale"):
        return None
    return saved["report"] if stats.same_folders and stats.digest() == saved.get("sources") else None


def stat_digest(out_dir: Path, paths: list[str]) -> str:
    """A digest of the output folder from the stamps of its known entries (``paths``, relative,
    folders with a trailing '/'), without listing a folder: a file's stamp changes when it is
    written, and a folder's mtime when an entry is added to it, removed or renamed, so nothing
    can change or appear in the folder without changing this digest. Half the cost of a walk."""
    base = str(out_dir)
    parts = []
    for rel in [""] + paths:
        part = _part(base, rel)
        if part is None:
            return "changed"
        parts.append(part)
    return _digest(parts)


def _digest(parts: list[str]) -> str:
    return _sha("\n".join(parts))


def _part(base: str, rel: str) -> str | None:
    """One entry of the output folder in ``stat_digest``; None when it is not there as what
    ``rel`` says (a folder ends with '/')."""
    try:
        st = os.lstat(f"{base}/{rel.rstrip('/')}" if rel else base)
    except OSError:
        return None
    if rel == "" or rel.endswith("/"):
        return f"{rel} {st.st_mtime_ns} {st.st_ino}" if stat.S_ISDIR(st.st_mode) else None
    return f"{rel} {st.st_mode} {st.st_size} {st.st_mtime_ns} {st.st_ino}"


def _touched_digest(out_dir: Path, paths: list[str], known: KnownSite, touched: Iterable[str]) -> str:
    """``stat_digest`` of ``paths`` after a build that changed only the entries ``touched``
    (files written or removed, folders made or removed) in a folder that was ``known`` before:
    those entries, their folders up to the top and the entries not known before are stat'ed
    again, the rest are as ``known`` saw them. A folder replaced by a file (its entries went with
    it) is stat'ed in full."""
    fresh = {""}
    for rel in touched:
        if rel.rstrip("/") + "/" in known.parts and not rel.endswith("/"):
            return stat_digest(out_dir, paths)
        fresh.add(rel)
        folder = rel.rstrip("/").rpartition("/")[0]
        while folder and folder + "/" not in fresh:
            fresh.add(folder + "/")
            folder = folder.rpartition("/")[0]
    base, old = str(out_dir), known.parts
    parts = []
    for rel in [""] + paths:
        part = None if rel in fresh else old.get(rel)
        if part is None and (part := _part(base, rel)) is None:
            return "changed"
        parts.append(part)
    return _digest(parts)


def _walk_rows(site_parts: list[str], folder_parts: dict[str, str] | None = None) -> list[tuple[str, str]] | None:
    """(path, part) of every entry of a walk's ``site_parts``, in path order (folders with a
    trailing '/'); a file's part is its ``site_part``, which is its part of ``stat_digest`` too, a
    folder's its part from ``folder_parts`` (``Output.folder_parts``; without them, its path).
    None if an entry vanished during the walk, or a folder has no part in ``folder_parts``."""
    rows = []
    for part in site_parts:
        if part.endswith("/"):
            folder = folder_parts.get(part) if folder_parts is not None else part
            if folder is None:
                return None
            rows.append((part, folder))
        elif part.endswith(": gone") or ": unreadable " in part:
            return None
        else:
            rows.append((part.rsplit(" ", 4)[0], part))  # site_part: path mode size mtime inode
    rows.sort()  # (by path: no two entries have the same)
    return rows


def _walked(out_dir: Path, site_parts: list[str], folder_parts: dict[str, str]) -> tuple[list[str], str] | None:
    """``_entry_paths`` and ``stat_digest`` of the output folder from the commit's prune walk
    (``Output.site_parts`` and ``Output.folder_parts``), the top folder alone stat'ed again; None
    if an entry vanished during the walk."""
    rows = _walk_rows(site_parts, folder_parts)
    top = _part(str(out_dir), "")
    if rows is None or top is None:
        return None
    return [p for p, _ in rows], _digest([top] + [part for _, part in rows])


def _entry_paths(out_dir: Path, site_parts: list[str] | None) -> list[str] | None:
    """The path of every entry of the output folder (folders with a trailing '/'), from the
    commit's prune walk (``Output.site_parts``) or, without it, from a walk; None if an entry
    vanished during the walk."""
    rows = _walk_rows(site_parts if site_parts is not None else _walk_parts(out_dir))
    return None if rows is None else [p for p, _ in rows]


def forget(store) -> None:
    """Before a full build changes anything: the saved fingerprint no longer describes the site."""
    store.delete_meta(META_KEY)


def remember(store, settings: str, folders: list[str], sources, out_dir: Path, report,
             site_parts: list[str] | None = None, paths: list[str] | None = None,
             known: KnownSite | None = None, touched: Iterable[str] = (), digest: str | None = None,
             saved: dict | None = None, outline: bytes | None = None,
             folder_parts: dict[str, str] | None = None) -> None:
    """After a successful full build: its settings fingerprint, the sources as its scan saw
    them (``folders``: the ``folder_part`` of each folder listed; ``sources``: with ``rel`` and
    ``stamp``), the output folder as the commit left it (``site_parts``, ``Output.site_parts``, or
    ``paths``, ``site_entries``' form; else it is walked) and its report. ``known``: the folder
    as ``site_entries`` found it before this build, which changed only the entries ``touched``;
    ``digest``: the ``sources_digest`` of ``folders`` and ``sources``, when already made;
    ``saved``: what ``load`` gave this build (its lists are not read again to compare);
    ``outline``: the site's ``site_outline`` (None: the one ``saved`` names is still the site's);
    ``folder_parts``: ``Output.folder_parts`` of the commit that gave ``site_parts`` (then the
    entries it stat'ed are not stat'ed again)."""
    report_saved = {k: getattr(report, k) for k in _REPORTED}
    report_saved["sources"] = len(sources)
    site = None
    if paths is None and site_parts is not None and folder_parts is not None and known is None:
        walked = _walked(out_dir, site_parts, folder_parts)
        if walked is None:
            return  # the folder changed while it was walked: no shortcut next time
        paths, site = walked
    if paths is None:
        paths = _entry_paths(out_dir, site_parts)
    if paths is None or not os.path.isdir(out_dir):
        return  # the folder changed while it was walked: no shortcut next time
    if site is None:
        site = stat_digest(out_dir, paths) if known is None else _touched_digest(out_dir, paths, known, touched)
    # The lists (a few MB at 10,000 pages) apart, and written only when they changed: an edit of
    # a page changes none of them, and rewriting them was most of a small rebuild's disk writes.
    lists = "\0".join(("\n".join(p.rsplit(" ", 2)[0] for p in folders), "\n".join(s.rel for s in sources),
                       "\n".join(paths)))
    lists_digest = _sha(lists)
    # (``load`` checked the stored lists against the digest it read; this build wrote none since)
    same = saved.get("lists") == lists_digest if saved is not None else store.get_meta(LISTS_KEY) == lists
    if not same:
        store.set_meta(LISTS_KEY, lists)
    if outline is not None:
        outline_digest = _blob_digest(outline)
        if saved is None or saved.get("outline") != outline_digest:
            store.set_meta(OUTLINE_KEY, outline)
    else:
        outline_digest = saved.get("outline") if saved is not None else None
    store.set_meta(META_KEY, json.dumps({
        "version": _FORMAT, "settings": settings, "sources": digest or sources_digest(folders, sources),
        "folder_parts": _digest(folders),
        "site": site, "lists": lists_digest, "outline": outline_digest, "report": report_saved},
        ensure_ascii=False))


def site_outline(site, index, slugs: dict[str, str]) -> bytes:
    """What a build that changes only bodies needs of the site besides the changed records
    (``build._bodies_only``): every article in the site's order (source path, output path,
    title: its neighbours), the tags' slugs and the link index. Marshal, format 2."""
    return marshal.dumps(([(e.id, e.path, e.title) for e in site.entries], dict(slugs),
                          (index.by_url, index.by_source, index.tag_slugs, sorted(index.hosts))), 2)


def load_outline(store, saved: dict | None):
    """The outline the last full build remembered with ``saved`` (``site_outline``'s value,
    loaded), or None when there is none or it is not the one ``saved`` names."""
    if saved is None or not saved.get("outline"):
        return None
    raw = store.get_meta(OUTLINE_KEY)
    if not isinstance(raw, bytes) or _blob_digest(raw) != saved["outline"]:
        return None
    try:
        return marshal.loads(raw)
    except (ValueError, EOFError, TypeError):
        return None


def _blob_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def restore(report, saved: dict) -> None:
    """Fill ``report`` with the previous build's counts (``saved``: its report, as ``reusable``
    returns it): nothing cleaned, rendered or written."""
    report.articles = saved["articles"]
    report.skipped = [tuple(x) for x in saved["skipped"]]
    report.errors = [tuple(x) for x in saved["errors"]]
    report.warnings = list(saved["warnings"])
    report.outputs = saved["outputs"]
    report.search_stale = bool(saved["search_stale"])
    report.reused = saved["sources"]
