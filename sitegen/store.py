"""The record store: an SQLite file under ``.sitegen/``.

Records are keyed by source path + content hash + cleaner key (cleaner version and profiles
fingerprint), so an unchanged page is never cleaned twice and a changed rule re-cleans what it
touches. Render memo keys live here too. Deleting the folder is always safe: it is a cache.
SQLite's journal makes every transaction atomic, so a killed build leaves the last committed state.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from .links import outbound_links
from .record import CleanResult, Record

SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    source_path TEXT PRIMARY KEY,
    source_hash TEXT NOT NULL,
    cleaner_key TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT,
    warnings TEXT NOT NULL,
    record TEXT,            -- Record metadata as JSON, without body_html
    body_html TEXT,
    links TEXT              -- the body's outbound link targets as JSON (links.outbound_links)
);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, key TEXT NOT NULL);
"""


class Store:
    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "store.sqlite"
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            row = db.execute("PRAGMA user_version").fetchone()
            if row[0] not in (0, SCHEMA_VERSION):
                db.close()
                raise sqlite3.DatabaseError("old schema")
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.execute("SELECT count(*) FROM results").fetchone()
            return db
        except sqlite3.DatabaseError:
            # A corrupt or foreign cache is thrown away: it only ever holds derived data.
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
    def stamps(self) -> dict[str, tuple[str, str, int, int]]:
        """source_path -> (source_hash, cleaner_key, size, mtime_ns) for every stored result."""
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in
                self.db.execute("SELECT source_path, source_hash, cleaner_key, size, mtime_ns FROM results")}

    def put_results(self, items: list[tuple[CleanResult, str, str, int, int]]) -> None:
        """Store results: (result, source_hash, cleaner_key, size, mtime_ns) in one transaction."""
        rows = []
        for res, source_hash, cleaner_key, size, mtime_ns in items:
            rec = res.record
            meta = None
            body = None
            if rec is not None:
                d = rec.to_dict()
                body = d.pop("body_html")
                meta = json.dumps(d, ensure_ascii=False, sort_keys=True)
            links = json.dumps(outbound_links(body), ensure_ascii=False) if body else None
            rows.append((res.path, source_hash, cleaner_key, size, mtime_ns, res.kind, res.reason,
                         json.dumps(list(res.warnings), ensure_ascii=False), meta, body, links))
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)

    def touch(self, source_path: str, size: int, mtime_ns: int) -> None:
        self.db.execute("UPDATE results SET size=?, mtime_ns=? WHERE source_path=?",
                        (size, mtime_ns, source_path))

    def forget_except(self, keep: set[str]) -> None:
        gone = [p for (p,) in self.db.execute("SELECT source_path FROM results") if p not in keep]
        if gone:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("DELETE FROM results WHERE source_path=?", [(p,) for p in gone])

    def results_meta(self):
        """Yield (source_path, kind, reason, warnings, record-without-body) for every stored page."""
        for path, kind, reason, warnings, meta in self.db.execute(
                "SELECT source_path, kind, reason, warnings, record FROM results ORDER BY source_path"):
            rec = None
            if meta is not None:
                d = json.loads(meta)
                d["body_html"] = ""
                rec = Record.from_dict(d)
            yield path, kind, reason, tuple(json.loads(warnings)), rec

    def outbound_links(self) -> dict[str, list[str]]:
        """source_path -> the link targets in its body (for rewriting links between articles)."""
        return {p: json.loads(v) for p, v in
                self.db.execute("SELECT source_path, links FROM results WHERE links IS NOT NULL")}

    def body(self, source_path: str) -> str:
        row = self.db.execute("SELECT body_html FROM results WHERE source_path=?", (source_path,)).fetchone()
        return (row[0] or "") if row else ""

    # --- render memo ---------------------------------------------------------------------
    def output_keys(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT path, key FROM outputs"))

    def set_output_keys(self, keys: dict[str, str]) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("DELETE FROM outputs")
            self.db.executemany("INSERT INTO outputs VALUES (?,?)", sorted(keys.items()))
