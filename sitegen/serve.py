"""``sitegen serve`` and ``sitegen build --watch``: rebuild on change, serve, reload the browser.

Four small parts, each usable alone:

- ``LiveSite`` builds the site (the ordinary ``build.build``) and publishes each outcome as a
  ``BuildStatus``: a new build id when the output changed, or the error of a failed build (the
  last good site stays in place, since the build's staged output is only committed on success);
- ``Rebuilder`` waits for file events to go quiet, then builds once; events that arrive during a
  build queue exactly one more build;
- ``Watcher`` watches the site's sources with watchdog (inotify) and falls back to polling when
  inotify runs out of watches or instances;
- ``PreviewServer`` serves the last good build over HTTP on 127.0.0.1, injects the live-reload
  script (``livereload.js``) into the HTML it serves (never into ``_site/``) and pushes build
  statuses to the pages by Server-Sent Events at ``/__sitegen/events``.

``Preview`` wires them together for ``serve``; ``watch`` does the same without the server.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import signal
import socket
import socketserver
import sys
import threading
import time
import traceback
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import quote, unquote_to_bytes, urlsplit

from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileClosedEvent, FileCreatedEvent,
                             FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileSystemEvent,
                             FileSystemEventHandler)
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .build import SOURCE_EXT, BuildReport, build, is_ignored_name
from .config import CONFIG_FILE, Config, load_config
from .errors import BuildError, ConfigError, SitegenError
from .search import Cancelled
from .session import Session

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
PORT_TRIES = 50  # a busy default port moves on to the next free one, this many times
QUIET = 0.05  # seconds without file events before a rebuild starts
# ... when the last event ends a save (a file closed after writing, or renamed into place): the
# editor is done with it, so the build need not wait as long for more of the same save.
QUIET_SAVED = 0.005
# Changes after which a build can start from the session's warm state (the others read everything).
WARM_KINDS = frozenset({"content", "template", "css", "index"})
POLL_INTERVAL = 0.5  # seconds between scans when inotify is unavailable
EVENTS_PATH = "/__sitegen/events"
STATUS_PATH = "/__sitegen/status"
KEEPALIVE = 15.0  # seconds between SSE comments that detect gone clients
STOP_GRACE = 5.0  # seconds Ctrl-C waits for a build in progress to finish
INDEX_DELAY = 0.3  # seconds the deferred search index waits after a build: the reload has the CPU

LIVERELOAD_JS = (Path(__file__).with_name("livereload.js")).read_text(encoding="utf-8")

Log = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class ServeError(SitegenError):
    """The preview server cannot start (e.g. an explicit --port is taken)."""


# --- build status ------------------------------------------------------------------------------
@dataclass(frozen=True)
class BuildStatus:
    id: str  # the last good build; changes whenever a build changed the output
    ok: bool  # False: the latest build failed and ``error`` says why (file:line: message)
    error: str | None = None
    css: bool = False  # the change from ``since`` to ``id`` touched stylesheets only
    since: str | None = None  # the id before this one
    site_dir: Path | None = None  # the folder the last good build wrote

    def message(self) -> dict:
        return {"id": self.id, "ok": self.ok, "error": self.error, "css": self.css, "since": self.since}


class LiveState:
    """The current BuildStatus plus a condition that listeners (SSE streams) wait on."""

    def __init__(self, status: BuildStatus):
        self._cond = threading.Condition()
        self._status = status
        self._version = 0
        self.closed = False

    @property
    def status(self) -> BuildStatus:
        return self._status

    def publish(self, status: BuildStatus) -> None:
        with self._cond:
            self._status = status
            self._version += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> tuple[int, BuildStatus]:
        """Block until a status newer than version ``seen`` exists (or timeout, or close)."""
        with self._cond:
            self._cond.wait_for(lambda: self._version != seen or self.closed, timeout)
            return self._version, self._status

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


class LiveSite:
    """Builds the site on request and publishes the outcome to a LiveState."""

    def __init__(self, root: Path | str, *, out: str | None = None, jobs: int | None = None,
                 search: bool | None = None, log: Log = _stderr, verbose: bool = False):
        self.root = Path(root).resolve()
        self.overrides = {"output": out, "search": search}  # None: as sitegen.toml says
        self.jobs = jobs
        self.log = log
        self.verbose = verbose
        self.session = secrets.token_hex(4)
        self.builds = 0  # completed builds, good or bad
        self.index_stale = False  # the last build deferred the search index step: run index() next
        self._changes = 0
        self.config = self._default_config()
        self.session = Session()  # warm state between builds: an edit at 10,000 pages costs ~an edit at 10
        self.state = LiveState(BuildStatus(id=self._new_id(), ok=True, site_dir=self.config.output_dir))
        self.on_config: Callable[[Config], None] | None = None  # the watcher retargets itself

    def _default_config(self) -> Config:
        try:
            return load_config(self.root, self.overrides)
        except ConfigError:
            return Config(root=self.root, **{k: v for k, v in self.overrides.items() if v is not None})

    def _new_id(self) -> str:
        self._changes += 1
        return f"{self.session}-{self._changes}"

    def _relative(self, text: str) -> str:
        return text.replace(str(self.root) + "/", "")

    def build(self, kinds: Iterable[str] = ("initial",), paths: Iterable[str] = (),
              waited: float | None = None, defer_search: bool = False) -> BuildStatus:
        """Build once and publish the outcome. ``waited``: seconds since the change (for -v).
        ``defer_search``: leave the search index as it is (``index_stale`` says whether ``index()``
        has work to do), so the page reloads without waiting for Pagefind."""
        return self._build(kinds, paths, waited, "defer" if defer_search else None, None)

    def index(self, cancel: Callable[[], bool] | None = None) -> BuildStatus | None:
        """The deferred search index step: a build with the index step (everything else memo-hits).
        When it changed only ``pagefind/`` the browser is not told (no reload for an index update:
        the search page loads the new index the next time it is opened). None: ``cancel()`` said a
        newer change is waiting, and the index stays stale for the next round."""
        return self._build(("index",), (), None, None, cancel)

    def _build(self, kinds: Iterable[str], paths: Iterable[str], waited: float | None, search: str | None,
               cancel: Callable[[], bool] | None) -> BuildStatus | None:
        kinds = frozenset(kinds)
        index_only = kinds == {"index"}
        if kinds - WARM_KINDS:
            self.session.reset()  # profiles, config or a first build: read everything again
        changed = [p for p in paths if p.startswith(str(self.config.content_dir) + os.sep)] if kinds <= WARM_KINDS else None
        paths = sorted(self._relative(p) for p in paths)
        before = self.state.status
        t0 = time.perf_counter()
        report: BuildReport | None = None
        try:
            config = load_config(self.root, self.overrides)
            if config != self.config:
                self.config = config
                if self.on_config:
                    self.on_config(config)
            report = build(config, jobs=self.jobs, search=search, cancel=cancel, session=self.session,
                           changed=changed)
        except Cancelled:
            self.log(f"search index: given up for a newer change ({(time.perf_counter() - t0) * 1000:.0f} ms)")
            return None
        except ConfigError as e:
            error = self._relative(f"{e.path}: " + "\n".join(e.problems) if len(e.problems) > 1 else str(e))
        except BuildError as e:
            error = self._relative(str(e))
        except Exception as e:  # a bug must not kill the server; show it like any failed build
            self.log("".join(traceback.format_exception(e)).rstrip())
            error = f"internal error: {type(e).__name__}: {e}"
        else:
            error = None
        self.builds += 1
        ms = (time.perf_counter() - t0) * 1000
        if error is not None:
            self.log(f"build failed ({ms:.0f} ms), still serving the last good build:\n  {error}")
            status = replace(before, ok=False, error=error, css=False)
        else:
            assert report is not None
            self.index_stale = report.search_stale
            if index_only:
                return self._indexed(report, before, ms, config)
            for path, reason in report.errors:
                self.log(f"error: {path}: {reason}")
            if self.verbose:
                if waited is not None:
                    self.log(f"  {'quiet':<10} {waited * 1000:9.1f} ms  (first change -> build start)")
                for stage, secs in report.timings.items():
                    self.log(f"  {stage:<10} {secs * 1000:9.1f} ms")
                self.log(f"  {'wall':<10} {ms:9.1f} ms  (whole build)")
            why = ", ".join(sorted(kinds)) if not paths else paths[0] + (f" +{len(paths) - 1}" if len(paths) > 1 else "")
            self.log(report.summary() + f" ({why})")
            if self.verbose and report.search_stale:
                self.log("search index: stale, updating it after the reload")
            changed = report.written + report.removed > 0
            if changed or not before.ok or before.site_dir != config.output_dir:
                new_id = self._new_id() if changed else before.id
                status = BuildStatus(id=new_id, ok=True, css=changed and kinds == {"css"},
                                     since=before.id, site_dir=config.output_dir)
            else:
                status = before
        if status != before:
            self.state.publish(status)
        return status

    def _indexed(self, report: BuildReport, before: BuildStatus, ms: float, config: Config) -> BuildStatus:
        """After the index follow-up: publish only if it changed more than ``pagefind/`` (a page
        saved in between, or the previous build failed), which is then a build like any other."""
        if report.rendered == 0 and before.ok and before.site_dir == config.output_dir:
            if self.verbose:
                self.log(f"search index updated ({ms:.0f} ms, {report.written} files written; no reload)")
            return before
        self.log(report.summary() + " (index)")
        status = BuildStatus(id=self._new_id(), ok=True, since=before.id, site_dir=config.output_dir)
        self.state.publish(status)
        return status


# --- debounced rebuilds ------------------------------------------------------------------------
class Rebuilder:
    """Runs ``build_once(kinds, paths)`` on its own thread after file events go quiet for ``quiet``
    seconds. Events during a build are collected and cause exactly one more build."""

    def __init__(self, build_once: Callable[[frozenset[str], frozenset[str]], object], quiet: float = QUIET,
                 quiet_saved: float = QUIET_SAVED):
        self.build_once = build_once
        self.quiet = quiet
        self.quiet_saved = min(quiet, quiet_saved)
        self._deadline = 0.0
        self._cond = threading.Condition()
        self._kinds: set[str] = set()
        self._paths: set[str] = set()
        self._last = self._first = 0.0
        self.waited = 0.0  # seconds from the first change of the batch being built to its start
        self._pending = False
        self._building = False
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="sitegen-rebuild", daemon=True)

    def start(self) -> "Rebuilder":
        self._thread.start()
        return self

    def request(self, kinds: Iterable[str], paths: Iterable[str] = (), saved: bool = False) -> None:
        """``saved``: the event ends a save (closed after writing, renamed into place): the quiet
        window after it is ``quiet_saved`` instead of ``quiet``."""
        with self._cond:
            self._kinds.update(kinds)
            self._paths.update(paths)
            self._last = time.monotonic()
            self._deadline = self._last + (self.quiet_saved if saved else self.quiet)
            if not self._pending:
                self._first = self._last
            self._pending = True
            self._cond.notify_all()

    @property
    def pending(self) -> bool:
        """Changes are waiting for a build (polled by the index step to give way)."""
        return self._pending

    @property
    def building(self) -> bool:
        return self._building and self._thread.is_alive()

    def wait_pending(self, timeout: float) -> bool:
        """True as soon as a change is waiting for a build; False after ``timeout`` without one."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending or self._stopping, timeout)

    def wait_idle(self, timeout: float) -> bool:
        """True once nothing is pending or building (for tests and tools)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._building, timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._stopping)
                while not self._stopping:
                    remaining = self._deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                if self._stopping:
                    return
                kinds, paths = frozenset(self._kinds), frozenset(self._paths)
                self._kinds.clear()
                self._paths.clear()
                self._pending = False
                self._building = True
                self.waited = time.monotonic() - self._first
            try:
                self.build_once(kinds, paths)
            finally:
                with self._cond:
                    self._building = False
                    self._cond.notify_all()

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the build in progress, if any (a build is never cut in half)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)


# --- watching ----------------------------------------------------------------------------------
def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


class SourceFilter:
    """Decides what a changed path means for the build: 'content', 'template', 'css', 'profile',
    'config', or None (ignored: output, cache, editor temp files, hidden folders, other files)."""

    def __init__(self, config: Config):
        self.config_file = config.root / CONFIG_FILE
        self.ignored = (config.output_dir, config.cache_dir)
        self.dirs: list[tuple[Path, str]] = [(config.content_dir, "content"), (config.templates_dir, "template")]
        self.dirs += [(config.root / d, "profile") for d in config.profiles.dirs]

    def watch_dirs(self) -> list[Path]:
        """Folders to watch recursively (those that exist), most specific rule first."""
        out: list[Path] = []
        for d, _ in self.dirs:
            if d.is_dir() and not any(_within(d, o) for o in out) and not any(_within(d, i) for i in self.ignored):
                out = [o for o in out if not _within(o, d)] + [d]
        return sorted(out)

    def classify(self, path: str, is_dir: bool) -> str | None:
        p = Path(path)
        if any(_within(p, i) for i in self.ignored) or is_ignored_name(p.name):
            return None
        if p == self.config_file:
            return "config"
        for folder, kind in self.dirs:
            if p == folder:
                return kind  # the folder itself appeared, vanished or moved
            if folder not in p.parents:
                continue
            parts = p.relative_to(folder).parts
            if any(is_ignored_name(x) for x in parts) or (kind == "content" and any(x.startswith("_") for x in parts)):
                return None
            if is_dir:
                return kind
            suffix = p.suffix.lower()
            if kind == "content":
                return kind if p.name.lower().endswith(SOURCE_EXT) else None
            if kind == "profile":
                return kind if suffix == ".toml" else None
            return "css" if suffix == ".css" else "template"
        return None


class _EventHandler(FileSystemEventHandler):
    def __init__(self, watcher: "Watcher"):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # a folder's mtime changes when anything, even a temp file, is made in it
        flt = self.watcher.filter
        paths = [str(event.src_path)]
        if event.event_type == "moved":  # an atomic save is a rename from an ignored temp name
            paths.append(str(event.dest_path))
        hits = [(flt.classify(p, event.is_directory), p) for p in paths]
        hits = [(k, p) for k, p in hits if k is not None]
        if hits:
            kinds, changed = {k for k, _ in hits}, [p for _, p in hits]
            if self.watcher.save_hints:
                saved = not event.is_directory and event.event_type in ("closed", "moved")
                self.watcher.on_change(kinds, changed, saved)
            else:
                self.watcher.on_change(kinds, changed)


# Only what can change a build. Not "opened"/"closed without writing": a build reads every source,
# and at 10,000 pages those events alone overflow the inotify queue (16,384 by default).
EVENT_FILTER = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
                DirCreatedEvent, DirDeletedEvent, DirMovedEvent]


def _inotify_exhausted(e: OSError) -> bool:
    return e.errno in (errno.ENOSPC, errno.EMFILE)


class Watcher:
    """Watches the site's sources and calls ``on_change(kinds, paths)``. Uses inotify through
    watchdog and falls back to polling when inotify watches or instances run out."""

    def __init__(self, config: Config, on_change: Callable[[set[str], list[str]], None], *, log: Log = _stderr,
                 poll_interval: float = POLL_INTERVAL, force_polling: bool = False):
        self.on_change = on_change
        # True: on_change also takes ``saved`` (the event ends a save; Rebuilder.request)
        self.save_hints = False
        self.log = log
        self.poll_interval = poll_interval
        self.polling = force_polling
        self.filter = SourceFilter(config)
        self.root = config.root
        self._handler = _EventHandler(self)
        self._lock = threading.Lock()
        self._observer = None
        self._targets: list[Path] = []

    def start(self) -> "Watcher":
        with self._lock:
            self._start()
        return self

    def _make_observer(self):
        return PollingObserver(timeout=self.poll_interval) if self.polling else Observer()

    def _start(self) -> None:
        self._targets = self.filter.watch_dirs()
        observer = None
        try:
            observer = self._make_observer()
            # the root itself, not recursively: sitegen.toml, and source folders appearing
            observer.schedule(self._handler, str(self.root), recursive=False, event_filter=EVENT_FILTER)
            for d in self._targets:
                observer.schedule(self._handler, str(d), recursive=True, event_filter=EVENT_FILTER)
            observer.start()
        except OSError as e:
            if self.polling or not _inotify_exhausted(e):
                raise
            if observer is not None:  # never started: release its emitters and inotify instance
                with contextlib.suppress(Exception):
                    observer.unschedule_all()
                    observer.stop()
            self.log(f"warning: {e.strerror or e}; watching by polling every {self.poll_interval:g} s instead")
            self.polling = True
            self._start()
            return
        self._observer = observer

    def retarget(self, config: Config) -> None:
        """The config (or the set of existing folders) changed: watch what it now names."""
        flt = SourceFilter(config)
        with self._lock:
            self.filter = flt
            unchanged = flt.watch_dirs() == self._targets and config.root == self.root
            if unchanged or self._observer is None:
                return
            self._stop()
            self.root = config.root
            self._start()

    def refresh(self) -> None:
        """Watch folders that appeared since the last start (e.g. templates/ created)."""
        with self._lock:
            if self._observer is None or self.filter.watch_dirs() == self._targets:
                return
            self._stop()
            self._start()

    def _stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
            self._observer = None

    def stop(self) -> None:
        with self._lock:
            self._stop()


# --- HTTP ----------------------------------------------------------------------------------------
CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".mjs": "text/javascript", ".json": "application/json", ".xml": "application/xml",
    ".txt": "text/plain", ".md": "text/plain", ".svg": "image/svg+xml", ".png": "image/png",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
    ".avif": "image/avif", ".ico": "image/x-icon", ".woff": "font/woff", ".woff2": "font/woff2",
    ".ttf": "font/ttf", ".otf": "font/otf", ".wasm": "application/wasm", ".pdf": "application/pdf",
    ".webmanifest": "application/manifest+json", ".map": "application/json",
}
_TEXTUAL = ("text/", "application/json", "application/xml", "image/svg+xml", "application/manifest+json")

FALLBACK_404 = (b'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>404</title></head>'
                b"<body><h1>404</h1><p>Not found (the site has no 404.html yet).</p></body></html>\n")


def content_type(path: Path) -> str:
    ctype = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return ctype + "; charset=utf-8" if ctype.startswith(_TEXTUAL) else ctype


def inject_reload_script(html: bytes, status: BuildStatus) -> bytes:
    # An async module script: the page's DOMContentLoaded does not wait for it (a classic script
    # at the end of the body would make it wait for the stylesheets as well).
    tag = (f'<script type="module" async data-sitegen-build="{status.id}" data-sitegen-events="{EVENTS_PATH}">\n'
           f"{LIVERELOAD_JS}</script>\n").encode("utf-8")
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


def resolve_in_site(site_dir: Path, rel: str) -> Path | None:
    """The file or folder ``rel`` (decoded, '/'-separated) names inside ``site_dir``, or None if
    it does not exist or would leave the folder (``..``, NUL, symlinks pointing outside)."""
    if "\x00" in rel:
        return None
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None
    try:
        base = site_dir.resolve(strict=True)
        real = base.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real.is_relative_to(base) else None


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = False  # Ctrl-C joins every thread: SSE streams end, idle sockets are shut
    block_on_close = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], state: LiveState, base_path: str = "/"):
        self.state = state
        self.base_path = base_path
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), which can hang for seconds on bad DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[0], self.server_address[1]

    def process_request(self, request, client_address) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Unblock handler threads waiting on idle keep-alive connections."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    @property
    def url(self) -> str:
        host, port = self.server_address[0], self.server_address[1]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}{self.base_path}"


class PreviewHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sitegen-serve"
    timeout = 60  # an idle keep-alive connection is closed after this many seconds
    server: PreviewServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as two writes; without TCP_NODELAY the second one waits for
        # the peer's delayed ACK (~40 ms on Linux) on every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args) -> None:  # noqa: A002 - the stdlib's signature
        pass

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        raw = self.path.split("#", 1)[0]
        raw_path, _, query = raw.partition("?")
        try:
            path = unquote_to_bytes(raw_path.encode("latin-1")).decode("utf-8")
        except UnicodeError:
            return self._not_found(head)
        if path == EVENTS_PATH:
            return self._events()
        status = self.server.state.status  # read before the file: a page is never older than its id
        if path == STATUS_PATH:
            data = json.dumps(status.message(), ensure_ascii=False).encode("utf-8")
            return self._send(200, "application/json; charset=utf-8", data, head)
        base = self.server.base_path
        if not path.startswith(base):
            if path + "/" == base or path == "/":
                return self._redirect(base)
            return self._not_found(head)
        rel = path[len(base):]
        target = resolve_in_site(status.site_dir, rel) if status.site_dir else None
        if target is not None and target.is_dir():
            if not path.endswith("/"):
                return self._redirect(quote(path + "/") + (f"?{query}" if query else ""))
            target = resolve_in_site(status.site_dir, rel + "/index.html")
        try:
            data = target.read_bytes() if target is not None else None
        except OSError:  # not a file, or removed by a build since it was resolved
            data = None
        if data is None:
            return self._not_found(head)
        ctype = content_type(target)
        if ctype.startswith("text/html"):
            data = inject_reload_script(data, status)
        self._send(200, ctype, data, head)

    def _not_found(self, head: bool) -> None:
        status = self.server.state.status
        data = FALLBACK_404
        if status.site_dir is not None:
            try:
                data = (status.site_dir / "404.html").read_bytes()
            except OSError:
                pass
        self._send(404, "text/html; charset=utf-8", inject_reload_script(data, status), head)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _send(self, code: int, ctype: str, data: bytes, head: bool) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self) -> None:
        """Server-Sent Events: the current build status at once, then every new one."""
        self.close_connection = True
        state = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        seen = -1
        try:
            self.wfile.write(b"retry: 300\n\n")
            while not state.closed:
                version, status = state.wait(seen, KEEPALIVE)
                if state.closed:
                    break
                if version != seen:
                    seen = version
                    payload = json.dumps(status.message(), ensure_ascii=False)
                    self.wfile.write(f"event: build\ndata: {payload}\n\n".encode("utf-8"))
                else:
                    self.wfile.write(b": ping\n\n")
        except OSError:  # the page went away
            pass


def bind_server(host: str, port: int | None, state: LiveState, base_path: str = "/") -> PreviewServer:
    """Bind ``port``, or with ``port=None`` the first free port from DEFAULT_PORT on."""
    candidates = [port] if port is not None else range(DEFAULT_PORT, DEFAULT_PORT + PORT_TRIES)
    last: OSError | None = None
    for p in candidates:
        try:
            return PreviewServer((host, p), state, base_path)
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise ServeError(f"cannot listen on {host}:{p}: {e.strerror or e}") from e
            last = e
    if port is not None:
        raise ServeError(f"port {port} on {host} is already in use (choose another with --port, "
                         "or leave --port out to take the next free one)") from last
    raise ServeError(f"no free port on {host} between {DEFAULT_PORT} and {DEFAULT_PORT + PORT_TRIES - 1}") from last


# --- wiring ----------------------------------------------------------------------------------
class Preview:
    """Build, watch, serve, reload. ``start()`` returns once the first build is done and the server
    accepts connections; ``close()`` stops everything (also the context manager's exit)."""

    def __init__(self, root: Path | str = ".", *, host: str = DEFAULT_HOST, port: int | None = None,
                 out: str | None = None, jobs: int | None = None, search: bool | None = None, serve: bool = True,
                 quiet: float = QUIET, poll_interval: float = POLL_INTERVAL, force_polling: bool = False,
                 log: Log = _stderr, verbose: bool = False, index_delay: float = INDEX_DELAY):
        self.site = LiveSite(root, out=out, jobs=jobs, search=search, log=log, verbose=verbose)
        self.index_delay = index_delay
        self.log = log
        self.host, self.port, self.serve = host, port, serve
        self.rebuilder = Rebuilder(self._rebuild, quiet)
        self.watcher = Watcher(self.site.config, self.rebuilder.request, log=log,
                               poll_interval=poll_interval, force_polling=force_polling)
        self.watcher.save_hints = True
        self.site.on_config = self.watcher.retarget
        self.server: PreviewServer | None = None
        self._server_thread: threading.Thread | None = None

    @property
    def state(self) -> LiveState:
        return self.site.state

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def _rebuild(self, kinds: frozenset[str], paths: frozenset[str]) -> None:
        self.watcher.refresh()  # first: whatever is saved after this is seen, before it the build reads
        # The page reloads first; the search index (Pagefind reads every article: ~0.5 s on the
        # demo) follows, unless a newer change is waiting, and gives way to one that comes in.
        self.site.build(kinds, paths, waited=self.rebuilder.waited, defer_search=True)
        # Pagefind uses every core: started at once it would slow the reload it lets go first.
        if self.site.index_stale and not self.rebuilder.wait_pending(self.index_delay):
            self.site.index(cancel=lambda: self.rebuilder.pending)

    def start(self) -> "Preview":
        if self.serve:  # bind first: a busy explicit port fails before any build work
            base = urlsplit(self.site.config.base_url).path if self.site.config.base_url else "/"
            self.server = bind_server(self.host, self.port, self.site.state, base or "/")
        try:
            self.watcher.start()  # before the first build, so no edit made during it is lost
            self.site.build(("initial",))
            self.rebuilder.start()  # only now: builds never overlap
            if self.server is not None:
                self._server_thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                                       name="sitegen-http", daemon=True)
                self._server_thread.start()
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        self.watcher.stop()
        self.rebuilder.stop(STOP_GRACE)
        if self.rebuilder.building:
            self.log(f"a build still running after {STOP_GRACE:g} s is abandoned (files already in place are "
                     "whole; the next build completes the site)")
        if not self.rebuilder.building:
            self.site.session.close()
        self.site.state.close()  # ends the SSE streams
        if self.server is not None:
            if self._server_thread is not None:
                self.server.shutdown()
                self._server_thread.join()
            self.server.close_connections()
            self.server.server_close()  # joins the handler threads
            self.server = None

    def __enter__(self) -> "Preview":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def _run_until_interrupted(preview: Preview, banner: Callable[[Preview], str],
                           after_start: Callable[[Preview], None] | None = None) -> int:
    """Start, then block until SIGINT/SIGTERM and stop cleanly. The handlers are ours from the
    start (SIGINT may be ignored when launched from a script, SIGTERM would kill outright): during
    the first build they interrupt it, afterwards they ask for a clean stop."""
    stop = threading.Event()
    started = False

    def on_signal(signum, frame):
        if not started:
            raise KeyboardInterrupt
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            preview.start()
            started = True
            if after_start:
                after_start(preview)
            preview.log(banner(preview))
            while not stop.wait(0.5):
                pass
            preview.log("stopping")
        finally:
            preview.close()  # idempotent: start() closes what it opened when it fails
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0


def _open_browser(preview: Preview) -> None:
    import webbrowser

    threading.Thread(target=webbrowser.open, args=(preview.url,), daemon=True).start()


def serve(root: Path | str = ".", *, host: str = DEFAULT_HOST, port: int | None = None, out: str | None = None,
          jobs: int | None = None, search: bool | None = None, open_browser: bool = False,
          verbose: bool = False) -> int:
    """``sitegen serve``: returns the exit status once stopped by Ctrl-C (or SIGTERM)."""
    preview = Preview(root, host=host, port=port, out=out, jobs=jobs, search=search, verbose=verbose)
    return _run_until_interrupted(preview, lambda p: f"serving {p.url} (live reload; Ctrl-C to stop)",
                                  _open_browser if open_browser else None)


def watch(root: Path | str = ".", *, out: str | None = None, jobs: int | None = None, verbose: bool = False) -> int:
    """``sitegen build --watch``: build, then rebuild on every change until Ctrl-C."""
    preview = Preview(root, out=out, jobs=jobs, serve=False, verbose=verbose)
    return _run_until_interrupted(preview, lambda p: "watching for changes (Ctrl-C to stop)")
