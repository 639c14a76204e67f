"""What a long-lived process keeps between builds (``sitegen serve``, ``sitegen build --watch``).

A build from a cold process reads everything it needs from the sources and the record store:
at 10,000 pages that is a scan of every source, every record's metadata, every output's stamp,
and a memo key digested for every output page, ~1.3 s before it renders the handful of pages an
edit touches. A ``Session`` keeps those values in memory, so the next build in the same process
only re-reads what changed:

- the sources, updated from the paths the watcher saw change (or by a full scan, when it saw a
  folder appear or move), and diffed by stamp with the previous build's;
- the stored records' metadata, duplicate fingerprints, URL keys and outbound links, re-read from
  the store for the sources that were cleaned or removed;
- the articles' entries (``Entry``), made again only for changed records;
- the taxonomy's pages (``build_site(previous=...)``) and the plan's jobs and memo digests
  (``plan.PlanCache``), reused for the entries and pages that are the same (or equal) as in the
  last build;
- the memo key and stamp of every output as the last build left it, so unchanged outputs are
  neither stat'ed nor walked, and stale ones are removed by name.

Nothing here is a dependency graph: every value is recomputed from data, the caches only save
the digesting and parsing of data that is the same as last time. The session is dropped
(the next build starts cold) when the configuration changes, when another process writes to
the store (``PRAGMA data_version``), and after any failed build.
"""

from __future__ import annotations

import gc
import os
import stat
from pathlib import Path
from typing import Iterable

from .config import Config
from .store import Store


class Session:
    def __init__(self) -> None:
        self.store: Store | None = None
        self.reset()

    def reset(self) -> None:
        """Forget everything: the next build is a cold one (and fills the session again)."""
        self.config: Config | None = None
        self.data_version: int | None = None
        self.sources: dict | None = None  # rel -> build.Source, as the last build saw them
        self.profiles = None
        self.results: dict[str, tuple] = {}  # rel -> store.results_meta row
        self.order: list[str] = []  # the rels of ``results``, sorted
        self.fingerprints: dict = {}
        self.url_keys: dict[str, str] = {}
        self.outbound: dict[str, list[str]] = {}
        self.entries: dict[str, tuple] = {}  # rel -> (record, Entry): see build.collect
        self.outputs: dict[str, tuple[str, str]] | None = None  # output path -> (memo key, stamp)
        self.site = None  # the last build's taxonomy.Site (its unchanged pages are reused)
        self.kept: set[str] = set()  # every file of the output folder as the last build left it
        from .plan import PlanCache  # (Jinja loads with it: not at import time)

        self.plan_cache = PlanCache()
        self.shortcut_kept = False  # the store holds the whole-build shortcut of the last cold build

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
        self.reset()

    # --- the store connection, kept open -------------------------------------------------
    def open_store(self, config: Config) -> Store:
        if self.store is not None and self.store.path.parent != config.cache_dir:
            self.close()
        if self.store is None:
            self.store = Store(config.cache_dir)
        return self.store

    def warm(self, config: Config, store: Store) -> bool:
        """True when the last build's state still describes the store and the site."""
        if self.outputs is None or self.config != config or self.data_version != store.data_version():
            self.reset()
            return False
        return True

    def filled(self, config: Config, store: Store, sources: dict, profiles, outputs: dict, kept: set[str]) -> None:
        """After a cold build: remember what it found (results are loaded by ``load_results``)."""
        self.config, self.sources, self.profiles, self.outputs = config, sources, profiles, outputs
        self.kept = kept
        self.data_version = store.data_version()
        self.shortcut_kept = True
        # The warm state lives as long as the process: keep the cycle collector from walking it
        # again and again (collected objects go on being freed by reference counting).
        # (Unfrozen first: what an earlier cold build froze and has since become garbage, an old
        # Jinja environment say, is collected now instead of never.)
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    # --- sources ----------------------------------------------------------------------------
    def updated_sources(self, content_dir: Path, changed: Iterable[str] | None) -> dict | None:
        """The sources after the watcher's ``changed`` paths (absolute), without a scan; None when
        a full scan is needed (no paths known, a folder appeared or moved, a path outside)."""
        from .build import SOURCE_EXT, Source, is_ignored_name

        if changed is None or self.sources is None:
            return None
        sources = dict(self.sources)
        root = str(content_dir)
        for p in changed:
            if not p.startswith(root + os.sep):
                return None
            rel = p[len(root) + 1:].replace(os.sep, "/")
            try:
                st = os.stat(p)
            except FileNotFoundError:  # removed (a file, or a folder and all under it)
                sources.pop(rel, None)
                prefix = rel + "/"
                for r in [r for r in sources if r.startswith(prefix)]:
                    del sources[r]
                continue
            except OSError:
                return None
            if not stat.S_ISREG(st.st_mode):
                return None  # a folder appeared or moved in: let the scan find what is inside
            parts = rel.split("/")
            if (any(x.startswith((".", "_")) for x in parts[:-1]) or is_ignored_name(parts[-1])
                    or not parts[-1].lower().endswith(SOURCE_EXT)):
                continue  # what scan_sources leaves out
            if any(os.path.islink(os.path.join(root, *parts[:i])) for i in range(1, len(parts))):
                return None  # scan_sources does not follow linked folders: let it decide
            sources[rel] = Source(rel, p, st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
        return sources

    # --- stored results ---------------------------------------------------------------------
    def load_results(self, store: Store, present: set[str], paths: Iterable[str] | None = None,
                     gone: Iterable[str] = ()) -> None:
        """Read the stored rows of ``paths`` (all when None) into the session; drop ``gone``."""
        if paths is None:
            rows, self.fingerprints, self.url_keys, self.outbound = store.site_meta()
            self.results = {r[0]: r for r in rows if r[0] in present}
            self.order = sorted(self.results)
            return
        paths = list(paths)
        gone = list(gone)
        known = set(self.results)
        for rel in gone + paths:
            for table in (self.results, self.fingerprints, self.url_keys, self.outbound, self.entries):
                table.pop(rel, None)
        if paths:
            rows, fps, url_keys, outbound = store.site_meta(paths)
            self.results.update((r[0], r) for r in rows)
            self.fingerprints.update(fps)
            self.url_keys.update(url_keys)
            self.outbound.update(outbound)
        if set(self.results) != known:  # only then: sorting 10,000 paths is not free
            self.order = sorted(self.results)

    def rows(self) -> list[tuple]:
        return [self.results[r] for r in self.order]
