"""The record store: an SQLite file under ``.sitegen/``, and how its records are keyed.

A stored result is reused while its key holds: the source's bytes (sha256; a file whose size,
mtime, ctime and inode are unchanged is trusted without reading it) and the *cleaner key* of the
part of the cleaner that made it (``CleanerKeys``): the cleaner's code, the settings it reads,
and only the profiles that could have decided the page. So an unchanged page is never cleaned
again, and a changed profile re-cleans the pages that profile claimed (plus the pages that fell
through to profiles tried after it, or to the generic extractor, if its ``[match]`` changed).

Render memo keys live here too, with the size and mtime of the file they produced, so an output
changed or removed behind the build's back is rewritten.

Deleting the folder is always safe: it only holds derived data. Every write is one SQLite
transaction (WAL journal), and every row is correct on its own, so a build killed at any point
leaves a store the next build can trust: at worst it redoes the work of the killed one.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import sqlite3
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Iterable, Iterator

from .links import fingerprint_of, normalise_url, outbound_links
from .record import ARTICLE, CleanResult, Record


SCHEMA_VERSION = 8
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    source_path TEXT PRIMARY KEY,
    source_hash TEXT NOT NULL,
    claim TEXT NOT NULL,       -- what decided the page: a profile name, GENERIC, MARKDOWN or ANY
    cleaner_key TEXT NOT NULL, -- CleanerKeys.key(claim) when it was cleaned
    stamp TEXT NOT NULL,       -- size:mtime_ns:ctime_ns:inode of the source when it was read
    kind TEXT NOT NULL,
    reason TEXT,
    warnings BLOB NOT NULL,    -- the result's warnings, a tuple (marshal format 2)
    record BLOB,               -- Record metadata, the fields but body_html in their order (marshal)
    links BLOB,                -- the body's outbound link targets, a list (links.outbound_links; marshal)
    dup TEXT,                  -- the record's duplicate fingerprint (links.fingerprint_of), its
                               -- parts joined by newlines ('' when it has none)
    url_key TEXT,              -- links.normalise_url of the record's original URL
    body_key TEXT              -- a digest of the stored body: it changes exactly when the body
                               -- does (a changed cleaner or profile changes bodies, not sources)
);
-- Bodies apart, written and removed with their results row in one transaction: results stays
-- compact (a few rows a page), so reading every record's metadata reads a few MB, not every body.
CREATE TABLE IF NOT EXISTS bodies (source_path TEXT PRIMARY KEY, body_html TEXT);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, key TEXT NOT NULL, stamp TEXT NOT NULL);
"""

# A record's metadata is stored as the tuple of its fields but the body, in their order, by
# marshal (format 2): decoding it is ~3x cheaper than JSON, and a rebuild decodes every record's.
# (record.py is part of every cleaner key: a stored tuple is always read by the code that wrote it.)
_META_FIELDS = tuple(f.name for f in fields(Record) if f.name != "body_html")
_BODY_AT = [f.name for f in fields(Record)].index("body_html")


_SOURCE_HASH_AT = _META_FIELDS.index("source_hash")
# Where each results column is in a row of ``Store._ALL`` (``Store.written_since_read``'s rows)
_META_COLS = "source_path, kind, reason, warnings, record, dup, url_key, links, body_key"
_STORED_COLS = "source_hash, claim, cleaner_key, stamp"
_AT = {name: i for i, name in enumerate(f"{_META_COLS}, {_STORED_COLS}".split(", "))}
_KIND, _RECORD, _LINKS, _BODY_KEY = _AT["kind"], _AT["record"], _AT["links"], _AT["body_key"]
# (what ``same_but_body`` compares as they are: kind, reason, warnings; dup, url_key)
_SAME = (_AT["kind"], _AT["reason"], _AT["warnings"], _AT["dup"], _AT["url_key"])


def _record_of(meta: bytes) -> Record:
    t = marshal.loads(meta)
    return Record(*t[:_BODY_AT], "", *t[_BODY_AT:])


def record_of_row(row: tuple) -> Record | None:
    """The record (without its body) of a ``Store.written_since_read`` row."""
    return _record_of(row[_RECORD]) if row[_RECORD] is not None else None


def body_key_of_row(row: tuple) -> str | None:
    return row[_BODY_KEY]


def is_article_row(row: tuple) -> bool:
    return row[_KIND] == ARTICLE


def body_differs(old: tuple, new: tuple) -> bool:
    """Two rows of a source whose body (or what is made of it: links, body key) differs."""
    return old[_LINKS] != new[_LINKS] or old[_BODY_KEY] != new[_BODY_KEY]


def links_of_row(row: tuple) -> list[str]:
    return marshal.loads(row[_LINKS]) if row[_LINKS] is not None else []


def same_but_body(old: tuple, new: tuple) -> bool:
    """Two ``Store.written_since_read`` rows of a source whose result differs at most in its body
    (and what is made of the body alone: its outbound links, its body key) and in the source's
    hash and stamp: same kind, reason, warnings, metadata, duplicate fingerprint and URL key."""
    if any(old[i] != new[i] for i in _SAME):
        return False
    if old[_RECORD] == new[_RECORD]:
        return True
    if old[_RECORD] is None or new[_RECORD] is None:
        return False
    a, b = marshal.loads(old[_RECORD]), marshal.loads(new[_RECORD])
    i = _SOURCE_HASH_AT
    return a[:i] == b[:i] and a[i + 1:] == b[i + 1:]


def result_rows(res: CleanResult, source_hash: str, claim: str, cleaner_key: str, stamp: str) -> tuple[tuple, tuple]:
    """The ``results`` and ``bodies`` rows of a result: its metadata, and what is derived from
    it once, when it is stored (outbound links, duplicate fingerprint, URL key). Plain strings
    and bytes, cheap to send from a worker process (a pickled record is not)."""
    rec = res.record
    meta = body = dup = url_key = body_key = None
    if rec is not None:
        body = rec.body_html
        meta = marshal.dumps(tuple(getattr(rec, name) for name in _META_FIELDS), 2)
        dup = "\n".join(fingerprint_of(rec.title, rec.summary, rec.date) or ())
        url_key = normalise_url(rec.url) if rec.url else None
        # (SHA-256 cut to 128 bits, as long as the BLAKE2b digest it replaced: with the
        # processor's SHA instructions, 5 us for a 10 KB body where BLAKE2b took 10. A store
        # written before keeps its keys: a body cleaned again then differs by its key once.)
        body_key = hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    links = marshal.dumps(outbound_links(body), 2) if body else None
    return ((res.path, source_hash, claim, cleaner_key, stamp, res.kind, res.reason,
             marshal.dumps(tuple(res.warnings), 2), meta, links, dup, url_key, body_key), (res.path, body))


# Claims that are not a profile name.
GENERIC = "\x00generic"  # no profile claimed the page: the generic extractor made it
MARKDOWN = "\x00markdown"  # a Markdown record: no profile is involved
ANY = "\x00any"  # unknown (an error before a profile was chosen): depends on everything

# The modules whose code decides what a source page becomes; their bytes are part of every key,
# so editing the cleaner re-cleans (no version number to forget to bump).
_CLEANER_MODULES = ("clean.py", "decode.py", "extract.py", "sanitize.py", "record.py", "mdsource.py",
                    "errors.py", "links.py", "profiles/__init__.py")


def file_stamp(st) -> str:
    """What the fast path trusts: a source whose stamp is unchanged is not read again."""
    return stamp_of(st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def stamp_of(size: int, mtime_ns: int, inode: int, ctime_ns: int) -> str:
    """``file_stamp`` of these stat fields (in ``build.Source``'s order)."""
    return f"{size}:{mtime_ns}:{ctime_ns}:{inode}"


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of the cleaner's code, read once per process: the code that runs is the code
    that was imported (a long-lived ``sitegen serve`` re-reading the files at every build only
    made its one-page rebuilds slower)."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in _CLEANER_MODULES:
        p = here / name
        h.update(name.encode() + b"\0" + (p.read_bytes() if p.is_file() else b"") + b"\0")
    # The stored duplicate fingerprints are OpenCC conversions: a new OpenCC re-makes them.
    # (Its package's files by stat, as shortcut._library_stamps does: importing it costs ~15 ms
    # of a small rebuild, where nothing converts anything.)
    h.update(f"opencc {_package_stamp('opencc')}".encode())
    return h.hexdigest()


def _package_stamp(name: str) -> str:
    """The size, mtime and inode of a package's entry file (what shortcut._library_stamps
    records of each library): a reinstall or an upgrade changes it."""
    from importlib.util import find_spec

    try:
        origin = find_spec(name).origin  # type: ignore[union-attr]
        st = os.stat(origin)  # type: ignore[arg-type]
    except (ImportError, ValueError, AttributeError, TypeError, OSError):
        return "-"
    return f"{origin}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


@dataclass(frozen=True)
class CleanerKeys:
    """The cleaner key of each claim, from the cleaner's version and code, the settings the
    cleaner reads, and the profiles in the order they are tried.

    A page claimed by profile *i* depends on profile *i*'s data and on the ``[match]`` of every
    profile tried before it (any of them could now claim the page); a page no profile claimed
    depends on every profile's ``[match]``; a Markdown record on no profile at all.
    """

    keys: dict[str, str]
    names: tuple[str, ...]

    @classmethod
    def of(cls, profiles, version: str, settings: Iterable = ()) -> "CleanerKeys":
        base = hashlib.sha256(f"{version}\0{code_fingerprint()}\0{list(settings)!r}".encode()).hexdigest()
        keys: dict[str, str] = {MARKDOWN: _h(base, "markdown")}
        matches: list[str] = []
        everything: list[str] = []
        for p in profiles:
            keys[p.name] = _h(base, "profile", p.name, p.data, *matches)
            matches.append(repr((p.name, p.priority, p.hosts, p.paths, p.signatures)))
            everything.append(p.name + "\0" + p.data)
        keys[GENERIC] = _h(base, "generic", *matches)
        keys[ANY] = _h(base, "any", *everything)
        return cls(keys, tuple(p.name for p in profiles))

    def claim_of(self, result: CleanResult, is_markdown: bool) -> str:
        """Which part of the cleaner decided this result (read from its explain lines)."""
        if is_markdown:
            return MARKDOWN
        for line in result.explain:
            if line.startswith("no profile claims the page"):
                return GENERIC
            if " claims the page" in line:
                for name in self.names:
                    if line.startswith(f"profile {name!r} ("):
                        return name
        return ANY

    def key(self, claim: str) -> str | None:
        return self.keys.get(claim)


def _h(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:24]


@dataclass(slots=True, unsafe_hash=True)  # immutable by convention: see taxonomy.Entry
class Stored:
    """What the store knows of one source without its record."""

    source_hash: str
    claim: str
    cleaner_key: str
    stamp: str


class Store:
    # ``read_all``'s rows, the data_version they were read at, the paths written since (class
    # defaults: a worker's connection is made without __init__, see parallel._worker_store)
    _snap: dict[str, tuple] | None = None
    _snap_version = -1
    _written: set[str] = frozenset()  # type: ignore[assignment]

    def __init__(self, folder: Path, readonly: bool = False):
        self.path = folder / "store.sqlite"
        if readonly:
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            return
        folder.mkdir(parents=True, exist_ok=True)
        self.db = self._open()

    @classmethod
    def attach(cls, folder: Path, checkpoints: bool = True) -> "Store":
        """Another process's connection to the store a ``Store(folder)`` opened (a clean
        worker's): no schema written, nothing ever removed; writers wait for each other (WAL:
        one at a time; the busy timeout waits for the other). ``checkpoints=False``: its commits
        never copy the journal into the file (SQLite's automatic checkpoint, with its two
        fsyncs): another connection does (``checkpoint``)."""
        store = cls.__new__(cls)
        store.path = folder / "store.sqlite"
        store.db = sqlite3.connect(store.path, isolation_level=None, timeout=600, check_same_thread=False)
        store.db.execute("PRAGMA synchronous=NORMAL")  # as the opener's (per connection; WAL is per file)
        if not checkpoints:
            store.db.execute("PRAGMA wal_autocheckpoint=0")
        return store

    def checkpoint(self) -> None:
        """Copy what the journal (WAL) holds into the file, as far as no other connection's
        transaction is in the way (never waiting for one: SQLite's PASSIVE checkpoint, the one
        a commit runs once the journal passes 1,000 pages). One that cannot run now (another
        process's checkpoint under way) is left for the next: it is never needed for correctness."""
        try:
            self.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.OperationalError:
            pass

    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            row = db.execute("PRAGMA user_version").fetchone()
            if row[0] not in (0, SCHEMA_VERSION):
                db.close()
                raise sqlite3.DatabaseError("old schema")
            if row[0] == 0:  # a new file (only then: writing it again would tell every other
                db.executescript(_SCHEMA)  # connection, by its data_version, that the store changed)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            # Each table is read once here, so a foreign or broken file is found now. (One row
            # each: a count(*) of ``bodies`` read every page of it, ~40 MB at 10,000 pages.)
            for table in ("results", "outputs", "bodies"):
                db.execute(f"SELECT * FROM {table} LIMIT 1").fetchall()
            # (No memory map: with one reading of the table per build it saved little, and every
            # page it mapped counted in the process's memory, 41 MB of 166 at 10,000 pages.)
            return db
        except sqlite3.DatabaseError:
            # A corrupt, old or foreign cache is thrown away: it only ever holds derived data.
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            return self._open()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- records -------------------------------------------------------------------------
    def _select(self, sql: str, paths: Iterable[str] | None, order: str = "") -> Iterator[tuple]:
        """Rows of ``sql`` (a SELECT ... FROM results with an optional WHERE), for every source or
        only ``paths`` (queried in chunks, so any number of paths is fine)."""
        if paths is None:
            yield from self.db.execute(sql + order)
            return
        paths = sorted(set(paths))
        glue = " AND " if " WHERE " in sql else " WHERE "
        for i in range(0, len(paths), 500):
            chunk = paths[i:i + 500]
            yield from self.db.execute(f"{sql}{glue}source_path IN ({','.join('?' * len(chunk))}){order}", chunk)

    # The columns site_meta() decodes, then those stored() reads (the fields of ``Stored``, in its
    # order): one list, so a snapshot row is the two queries' rows end to end.
    _META_COLS, _STORED_COLS = _META_COLS, _STORED_COLS
    _N_META = _META_COLS.count(",") + 1
    _ALL = f"SELECT {_META_COLS}, {_STORED_COLS} FROM results"

    def read_all(self) -> None:
        """Read every row of ``results`` (but bodies) once: ``stored()`` and ``site_meta()`` for
        every page then answer from it, re-reading only the rows this connection wrote since,
        as long as no other connection wrote (``PRAGMA data_version``; a worker process that
        stores its own results is another connection, and then everything is read again).
        A build reads the table once instead of twice."""
        self._snap_version = self.data_version()
        self._snap = {r[0]: r for r in self.db.execute(self._ALL)}
        self._written = set()

    def _snapshot(self) -> dict[str, tuple] | None:
        """``read_all``'s rows brought up to date, or None when another connection wrote."""
        if self._snap is None:
            return None
        if self.data_version() != self._snap_version:
            self._snap = None
            return None
        if self._written:
            for p in self._written:
                self._snap.pop(p, None)
            self._snap.update((r[0], r) for r in self._select(self._ALL, self._written))
            self._written = set()
        return self._snap

    def stored(self, paths: Iterable[str] | None = None) -> dict[str, Stored]:
        """source_path -> what is known of it, for every stored result (or those of ``paths``;
        no records loaded)."""
        snap = self._snapshot() if paths is None else None
        if snap is not None:
            n = self._N_META
            return {p: Stored(*r[n:]) for p, r in snap.items()}
        return {r[0]: Stored(*r[1:]) for r in self._select(f"SELECT source_path, {self._STORED_COLS} FROM results", paths)}

    def written_since_read(self) -> dict[str, tuple[tuple | None, tuple | None]] | None:
        """{path: (its row as ``read_all`` read it, its row now)} of every path this connection
        wrote since ``read_all`` (None for no row); None when there was no ``read_all`` or
        another connection wrote meanwhile (a worker process). Rows are the results columns
        ``_META_COLS`` then ``_STORED_COLS``; the snapshot is left as it is."""
        if self._snap is None or self.data_version() != self._snap_version:
            return None
        paths = sorted(self._written)
        now = {r[0]: r for r in self._select(self._ALL, paths)}
        return {p: (self._snap.get(p), now.get(p)) for p in paths}

    def data_version(self) -> int:
        """Changes whenever another connection (another sitegen process) commits to the store."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def put_results(self, items: list[tuple[CleanResult, str, str, str, str]]) -> None:
        """Store results, (result, source_hash, claim, cleaner_key, stamp) each, in one transaction."""
        self.put_rows([result_rows(*item) for item in items])

    def put_rows(self, rows: list[tuple[tuple, tuple]]) -> None:
        """Store ``result_rows`` (made where the result was made: a worker) in one transaction."""
        if self._snap is not None:
            self._written.update(r[0] for r, _ in rows)
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", [r for r, _ in rows])
            self.db.executemany("INSERT OR REPLACE INTO bodies VALUES (?,?)", [b for _, b in rows])

    def restamp(self, items: list[tuple[str, str]]) -> None:
        """(source_path, stamp): the file was touched but its bytes are the same."""
        if self._snap is not None:
            self._written.update(p for p, _ in items)
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("UPDATE results SET stamp=? WHERE source_path=?", [(s, p) for p, s in items])

    def forget_except(self, keep: set[str]) -> int:
        return self.forget([p for (p,) in self.db.execute("SELECT source_path FROM results") if p not in keep])

    def forget(self, gone: list[str]) -> int:
        """Drop the stored results of these sources (they no longer exist)."""
        if gone:
            if self._snap is not None:
                self._written.update(gone)
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("DELETE FROM results WHERE source_path=?", [(p,) for p in gone])
                self.db.executemany("DELETE FROM bodies WHERE source_path=?", [(p,) for p in gone])
        return len(gone)

    def results_meta(self, paths: Iterable[str] | None = None
                     ) -> list[tuple[str, str, str | None, tuple[str, ...], Record | None, str | None]]:
        """(source_path, kind, reason, warnings, record-without-body, body key) of every stored
        page (or those of ``paths``), in path order: metadata only, bodies stay on disk. The body
        key is a digest of the stored body (None without a record)."""
        return self.site_meta(paths)[0]

    def site_meta(self, paths: Iterable[str] | None = None) -> tuple[list[tuple], dict, dict, dict]:
        """``results_meta``, ``fingerprints``, ``url_keys`` and ``outbound_links`` of every stored
        page (or those of ``paths``) from one reading of the table (four readings cost three
        times as much at 10,000 pages, most of it in system calls)."""
        rows, fps, url_keys, outbound = [], {}, {}, {}
        loads = marshal.loads
        snap = self._snapshot() if paths is None else None
        if snap is not None:  # used once: a long-lived connection (sitegen serve) does not keep it
            self._snap = None
        n = self._N_META
        found = ([snap[p][:n] for p in sorted(snap)] if snap is not None else
                 self._select(f"SELECT {self._META_COLS} FROM results", paths, " ORDER BY source_path"))
        for path, kind, reason, warnings, meta, dup, url_key, links, body_key in found:
            rows.append((path, kind, reason, loads(warnings), _record_of(meta) if meta is not None else None,
                         body_key))
            if dup is not None:  # title and summary have no whitespace left (links._PUNCT): the date takes the rest
                fps[path] = tuple(dup.split("\n", 2)) if dup else None
            if url_key is not None:
                url_keys[path] = url_key
            if links is not None:
                outbound[path] = loads(links)
        return rows, fps, url_keys, outbound

    def fingerprints(self, paths: Iterable[str] | None = None) -> dict[str, tuple[str, str, str] | None]:
        """source_path -> the duplicate fingerprint of its record (``links.fingerprint_of``),
        made when the record was stored."""
        return self.site_meta(paths)[1]

    def url_keys(self, paths: Iterable[str] | None = None) -> dict[str, str]:
        """source_path -> ``links.normalise_url`` of its record's original URL (when it has one)."""
        return self.site_meta(paths)[2]

    def outbound_links(self, paths: Iterable[str] | None = None) -> dict[str, list[str]]:
        """source_path -> the link targets in its body (for rewriting links between articles)."""
        return self.site_meta(paths)[3]

    def bodies(self, source_paths: Iterable[str]) -> dict[str, str]:
        """source_path -> body_html ('' when there is none), for many at once."""
        out: dict[str, str] = {}
        paths = sorted(set(source_paths))
        for i in range(0, len(paths), 500):
            chunk = paths[i:i + 500]
            out.update((p, b or "") for p, b in self.db.execute(
                f"SELECT source_path, body_html FROM bodies WHERE source_path IN ({','.join('?' * len(chunk))})", chunk))
        return out

    # --- small values (the whole-build shortcut) ---------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    def delete_meta(self, key: str) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("DELETE FROM meta WHERE key=?", (key,))

    # --- render memo ---------------------------------------------------------------------
    def output_keys(self) -> dict[str, str]:
        """output path -> memo key of the last build."""
        return dict(self.db.execute("SELECT path, key FROM outputs"))

    def output_stamps(self) -> dict[str, tuple[str, str]]:
        """output path -> (memo key, stamp of the file it produced)."""
        return {p: (k, s) for p, k, s in self.db.execute("SELECT path, key, stamp FROM outputs")}

    def update_output_keys(self, changed: dict[str, tuple[str, str]], gone: Iterable[str]) -> None:
        """Change the memo of some outputs only: {output path: (key, stamp)}, and forget ``gone``."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("DELETE FROM outputs WHERE path=?", [(p,) for p in gone])
            self.db.executemany("INSERT OR REPLACE INTO outputs VALUES (?,?,?)",
                                sorted((p, k, s) for p, (k, s) in changed.items()))
