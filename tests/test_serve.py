"""`sitegen serve` and `sitegen build --watch` without a browser: HTTP behaviour, watching,
debouncing, the polling fallback, failed builds, ports, Ctrl-C."""

from __future__ import annotations

import errno
import http.client
import json
import os
import shutil
import signal
import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from sitegen import serve as sv
from sitegen.config import load_config
from sitegen.serve import Preview, Rebuilder, ServeError, SourceFilter, bind_server

from serve_helpers import (ARTICLE, ARTICLE_URL, ServeProcess, retitle, serve_site, set_article_template,
                           wait_until)


@pytest.fixture
def site(tmp_path) -> Path:
    return serve_site(tmp_path / "site")


@pytest.fixture
def preview(site):
    logs: list[str] = []
    p = Preview(site, port=0, jobs=1, log=logs.append)
    p.logs = logs
    with p:
        yield p


def get(url_or_preview, path: str, method: str = "GET", headers: dict | None = None):
    base = url_or_preview.url if isinstance(url_or_preview, Preview) else url_or_preview
    host, port = base.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def status_id(p: Preview) -> str:
    return p.state.status.id


# --- HTTP ------------------------------------------------------------------------------------
def test_serves_pages_with_types_charset_and_no_store(preview):
    status, headers, body = get(preview, "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert int(headers["Content-Length"]) == len(body)
    assert "预览测试".encode() in body
    status, headers, body = get(preview, "/static/style.css")
    assert (status, headers["Content-Type"]) == (200, "text/css; charset=utf-8")
    assert b"rgb(1, 2, 3)" in body and b"EventSource" not in body
    assert headers["Cache-Control"] == "no-store"


def test_directory_index_redirect_and_chinese_paths(preview):
    tag = "/tags/" + quote("公共")
    status, headers, _ = get(preview, tag + "?x=1")
    assert status == 302 and headers["Location"] == tag + "/?x=1"
    status, headers, body = get(preview, tag + "/")
    assert status == 200 and "测试文章3".encode() in body
    status, _, body2 = get(preview, tag + "/index.html")
    assert status == 200 and body2 == body


def test_missing_page_is_the_theme_404_with_status_404(preview, site):
    status, headers, body = get(preview, "/bnews/" + quote("不存在") + ".html")
    assert status == 404 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert body.startswith((site / "_site/404.html").read_bytes()[:200])
    assert b"sitegen-events" in body  # the 404 page reloads too (e.g. when the page appears)
    status, _, body = get(preview, "/nope", method="HEAD")
    assert status == 404 and body == b""


def test_head_sends_headers_only(preview):
    status, headers, body = get(preview, ARTICLE_URL, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


@pytest.mark.parametrize("path", [
    "/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2f..%2fetc%2fpasswd",
    "/..%5c..%5cetc%5cpasswd", "/index.html%00.css", "//etc/passwd", "/%ff%fe",
])
def test_no_path_escapes_the_site_folder(preview, path):
    status, _, body = get(preview, path)
    assert status == 404 and b"root:" not in body


def test_symlink_out_of_the_site_is_not_followed(preview, site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    (site / "_site/leak.txt").symlink_to(secret)
    (site / "_site/leakdir").symlink_to(tmp_path, target_is_directory=True)
    assert get(preview, "/leak.txt")[0] == 404
    assert get(preview, "/leakdir/secret.txt")[0] == 404


def test_reload_script_is_served_but_never_written(preview, site):
    _, _, body = get(preview, ARTICLE_URL)
    assert body.count(b"data-sitegen-build=") == 1
    assert body.index(b"data-sitegen-build=") < body.rindex(b"</body>")
    retitle(site, "测试文章0", "改过的标题")
    wait_until(lambda: "改过的标题" in (site / "_site" / ARTICLE).read_text(encoding="utf-8"), what="rebuild")
    for f in (site / "_site").rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert b"sitegen-build" not in data and b"EventSource" not in data and b"__sitegen" not in data, f


def test_events_stream_sends_the_current_build_on_connect(preview, site):
    host, port = preview.url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/__sitegen/events")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("Content-Type") == "text/event-stream; charset=utf-8"

    def next_event() -> dict:
        data = None
        while True:
            line = resp.fp.readline().decode("utf-8").rstrip("\n")
            if line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "" and data is not None:
                return data

    first = next_event()
    assert first == {"id": status_id(preview), "ok": True, "error": None, "css": False, "since": first["since"]}
    retitle(site, "测试文章1", "新标题", rel="bnews/cbnews/20240102/100001.html")
    second = next_event()
    assert second["ok"] and second["id"] != first["id"] and second["since"] == first["id"] and not second["css"]
    (site / "templates/static/style.css").write_text("h1 { color: red; }\n", encoding="utf-8")
    third = next_event()
    assert third["css"] and third["since"] == second["id"]
    conn.close()


# --- builds, failures --------------------------------------------------------------------------
def test_template_error_keeps_last_good_site_and_recovers(preview, site):
    before = (site / "_site" / ARTICLE).read_bytes()
    good = status_id(preview)
    set_article_template(site, "", text='{% extends "base.html" %}\n{% block main %}\n{{ article.title }\n{% endblock %}\n')
    wait_until(lambda: not preview.state.status.ok, what="failed build")
    st = preview.state.status
    assert st.id == good and st.error.startswith("templates/article.html:3:"), st.error
    code, _, body = get(preview, ARTICLE_URL)
    assert code == 200 and body.startswith(before[:-200])  # still the last good page
    set_article_template(site, "v2")
    wait_until(lambda: preview.state.status.ok, what="recovery")
    assert status_id(preview) != good and b'class="marker">v2<' in get(preview, ARTICLE_URL)[2]


def test_bad_config_is_reported_with_its_line_and_recovers(preview, site):
    (site / "sitegen.toml").write_text('title = "预览测试"\npage_size = "many"\n', encoding="utf-8")
    wait_until(lambda: not preview.state.status.ok, what="failed build")
    assert "sitegen.toml" in preview.state.status.error and "page_size" in preview.state.status.error
    (site / "sitegen.toml").write_text('title = "改名了"\nbroken =\n', encoding="utf-8")
    wait_until(lambda: "line 2" in (preview.state.status.error or ""), what="TOML error with its line")
    (site / "sitegen.toml").write_text('title = "改名了"\nsearch = false\n', encoding="utf-8")
    wait_until(lambda: preview.state.status.ok, what="recovery")
    assert "改名了".encode() in get(preview, "/")[2]


def test_deletions_renames_and_folder_moves_are_seen(preview, site):
    out = site / "_site"
    (site / "content" / ARTICLE).unlink()
    wait_until(lambda: not (out / ARTICLE).exists(), what="deleted page removed")
    assert get(preview, ARTICLE_URL)[0] == 404
    src = site / "content/bnews/cbnews/20240102/100001.html"
    src.rename(src.with_name("renamed.html"))
    wait_until(lambda: (out / "bnews/cbnews/20240102/renamed.html").is_file()
               and not (out / "bnews/cbnews/20240102/100001.html").exists(), what="renamed page")
    (site / "content/bnews/cbnews").rename(site / "content/bnews/moved")
    wait_until(lambda: (out / "bnews/moved/20240103/100002.html").is_file() and not (out / "bnews/cbnews").exists(),
               what="moved folder")
    (site / "content/new/sub").mkdir(parents=True)
    (site / "content/new/sub/20240301/1.html").parent.mkdir()
    (site / "content/new/sub/20240301/1.html").write_text(
        (site / "content/bnews/moved/20240103/100002.html").read_text(encoding="utf-8").replace("测试文章2", "新文件夹"),
        encoding="utf-8")
    wait_until(lambda: (out / "new/sub/20240301/1.html").is_file(), what="page in a new folder")


def test_templates_folder_created_after_start_is_watched(tmp_path):
    root = serve_site(tmp_path / "s")
    shutil.rmtree(root / "templates")
    with Preview(root, port=None, jobs=1, serve=False, log=lambda _: None) as p:
        set_article_template(root, "late")
        wait_until(lambda: 'class="marker">late<' in (root / "_site" / ARTICLE).read_text(encoding="utf-8"),
                   what="template in a new templates/ folder")
        set_article_template(root, "later")
        wait_until(lambda: 'class="marker">later<' in (root / "_site" / ARTICLE).read_text(encoding="utf-8"),
                   what="edit in that folder")
        assert p.site.state.status.ok


# --- watching ----------------------------------------------------------------------------------
def test_source_filter_ignores_temp_files_output_and_cache(site):
    flt = SourceFilter(load_config(site))
    c, t = site / "content/bnews", site / "templates"
    cases = {
        c / "a.html": "content", c / "a.md": "content", c / "a.htm": "content", c / "sub": "content",
        c / "a.jpg": None, c / ".a.html.swp": None, c / ".a.html.swx": None, c / "4913": None,
        c / "a.html~": None, c / ".#a.html": None, c / "a.html.tmp": None, c / ".goutputstream-X1Y2": None,
        c / ".hidden/a.html": None, c / "_drafts/a.html": None,
        t / "article.html": "template", t / "static/style.css": "css", t / "strings.toml": "template",
        t / ".article.html.swp": None, site / "profiles/my.toml": "profile", site / "profiles/notes.txt": None,
        site / "sitegen.toml": "config", site / "sitegen.toml.swp": None, site / "4913": None,
        site / "_site/index.html": None, site / "_site": None, site / ".sitegen/records.sqlite": None,
        site / "README.md": None, site / ".git/index": None,
    }
    for path, kind in cases.items():
        assert flt.classify(str(path), is_dir=path.suffix == "" and path.name not in ("4913",)) == kind, path


def test_watcher_reports_real_changes_and_nothing_else(site):
    seen: list[tuple[set, list]] = []
    lock = threading.Lock()

    def on_change(kinds, paths):
        with lock:
            seen.append((set(kinds), list(paths)))

    (site / "_site").mkdir()
    (site / ".sitegen").mkdir()
    watcher = sv.Watcher(load_config(site), on_change, log=lambda _: None).start()
    try:
        c = site / "content/bnews"
        for name in (".a.html.swp", "4913", "a.html~", ".#a.html", "a.html.tmp", ".goutputstream-AB12", "pic.jpg"):
            (c / name).write_text("x", encoding="utf-8")
            (c / name).unlink()
        (site / "_site/junk.html").write_text("x", encoding="utf-8")
        (site / ".sitegen/junk").write_text("x", encoding="utf-8")
        (site / "4913").write_text("x", encoding="utf-8")
        (site / "4913").unlink()
        # sentinels, one per watched folder (events of one folder arrive in order)
        (c / "sentinel.html").write_text("x", encoding="utf-8")
        (site / "sitegen.toml").write_text('title = "x"\n', encoding="utf-8")
        wanted = {str(c / "sentinel.html"), str(site / "sitegen.toml")}
        wait_until(lambda: wanted <= {p for _, ps in list(seen) for p in ps}, what="sentinel events")
        with lock:
            paths = {p for _, ps in seen for p in ps}
            kinds = set().union(*(k for k, _ in seen))
        assert paths == wanted and kinds == {"content", "config"}
    finally:
        watcher.stop()


def test_atomic_save_is_seen(preview, site):
    retitle(site, "测试文章0", "原子保存", atomic=True)
    wait_until(lambda: "原子保存" in (site / "_site" / ARTICLE).read_text(encoding="utf-8"), what="atomic save")
    assert not any(p.name.endswith(".tmp") for p in (site / "_site").rglob("*"))


def test_a_burst_of_saves_is_one_build(site):
    with Preview(site, port=0, jobs=1, quiet=0.3, log=lambda _: None) as p:
        # every event waits the whole quiet window here: with save hints on, each write's close
        # ends a save and starts a build 5 ms later (QUIET_SAVED; test_a_finished_save_shortens_
        # the_quiet_window), so on a busy machine the four writes became three builds
        p.watcher.save_hints = False
        builds = p.site.builds
        for i in range(4):
            retitle(site, f"测试文章{i}", f"批量{i}", rel=f"bnews/cbnews/2024010{i + 1}/10000{i}.html")
        wait_until(lambda: p.site.builds > builds, what="a build")
        assert p.rebuilder.wait_idle(10)
        assert p.site.builds == builds + 1
        assert "批量3".encode() in get(p, "/")[2]


def test_save_during_a_build_queues_exactly_one_more_build():
    started, release = threading.Event(), threading.Event()
    calls: list[frozenset] = []

    def slow_build(kinds, paths):
        calls.append(kinds)
        started.set()
        release.wait(10)

    rb = Rebuilder(slow_build, quiet=0.01).start()
    try:
        rb.request({"content"})
        assert started.wait(10)
        for kind in ("content", "template", "css", "content"):  # four saves while building
            rb.request({kind})
        release.set()
        wait_until(lambda: len(calls) == 2, what="the queued build")
        assert rb.wait_idle(10)
        assert calls == [frozenset({"content"}), frozenset({"content", "template", "css"})]
    finally:
        release.set()
        rb.stop(10)


def test_a_finished_save_shortens_the_quiet_window():
    """After an event that ends a save (closed after writing, renamed into place) the build waits
    ``quiet_saved``; after any other event the whole ``quiet`` window, restarted by each event."""
    starts: list[float] = []
    rb = Rebuilder(lambda kinds, paths: starts.append(time.monotonic()), quiet=0.6, quiet_saved=0.02).start()
    try:
        t0 = time.monotonic()
        rb.request({"content"}, ["a.html"])  # modified: more of the same save may follow
        time.sleep(0.2)
        assert starts == []
        rb.request({"content"}, ["a.html"], saved=True)  # closed after writing: done
        wait_until(lambda: len(starts) == 1, what="the build after the save")
        assert 0.2 <= starts[0] - t0 < 0.5
        t1 = time.monotonic()
        rb.request({"content"}, ["b.html"])
        wait_until(lambda: len(starts) == 2, what="the build after a plain event")
        assert starts[1] - t1 >= 0.6
    finally:
        rb.stop(10)


def test_watcher_tells_which_events_end_a_save(site):
    seen: list[tuple] = []
    watcher = sv.Watcher(load_config(site), lambda kinds, paths, saved=False: seen.append((paths, saved)),
                         log=lambda _: None)
    watcher.save_hints = True
    watcher.start()
    try:
        page = site / "content" / "new-page.html"
        page.write_text("<p>新</p>", encoding="utf-8")  # created, modified, closed
        wait_until(lambda: any(s for _, s in seen), what="a closed-after-writing event")
        tmp = site / "content" / ".new-page.html.swp"
        tmp.write_text("<p>再</p>", encoding="utf-8")
        seen.clear()
        tmp.rename(page)  # an atomic save: renamed into place
        wait_until(lambda: any(s and str(page) in p for p, s in seen), what="the rename into place")
    finally:
        watcher.stop()


def test_polling_fallback_when_inotify_watches_run_out(site, monkeypatch):
    import ctypes

    from watchdog.observers import inotify_c

    def exhausted(fd, path, mask):  # what the kernel does when max_user_watches is reached
        ctypes.set_errno(errno.ENOSPC)
        return -1

    monkeypatch.setattr(inotify_c, "inotify_add_watch", exhausted)
    logs: list[str] = []
    with Preview(site, port=0, jobs=1, poll_interval=0.1, log=logs.append) as p:
        assert p.watcher.polling
        assert any("inotify watch limit reached" in line and "polling" in line for line in logs)
        retitle(site, "测试文章0", "轮询看到了")
        wait_until(lambda: "轮询看到了".encode() in get(p, ARTICLE_URL)[2], what="rebuild seen by polling")


# --- ports, command line, Ctrl-C ---------------------------------------------------------------
def _listening_socket() -> socket.socket:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s


def test_busy_default_port_moves_on_explicit_busy_port_is_an_error(monkeypatch):
    busy = _listening_socket()
    port = busy.getsockname()[1]
    state = sv.LiveState(sv.BuildStatus(id="x", ok=True))
    try:
        monkeypatch.setattr(sv, "DEFAULT_PORT", port)
        server = bind_server("127.0.0.1", None, state)
        try:
            assert server.server_address[1] > port
        finally:
            server.server_close()
        with pytest.raises(ServeError, match=f"port {port} on 127.0.0.1 is already in use"):
            bind_server("127.0.0.1", port, state)
    finally:
        busy.close()


def test_cli_explicit_busy_port_exits_with_a_clear_error(site):
    busy = _listening_socket()
    try:
        proc = ServeProcess(["serve", "--root", str(site), "--port", str(busy.getsockname()[1])])
        assert proc.proc.wait(30) == 2
        proc._reader.join(5)
        assert any("already in use" in line for line in proc.lines), proc.lines
        assert not (site / "_site").exists()  # failed before building anything
    finally:
        busy.close()


def test_ctrl_c_stops_server_watcher_and_open_connections(site):
    proc = ServeProcess(["serve", "--root", str(site), "--port", "0", "--jobs", "1"])
    try:
        url = proc.url()
        host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
        assert get(url, "/")[0] == 200
        events = http.client.HTTPConnection(host, int(port), timeout=10)  # an open SSE stream
        events.request("GET", "/__sitegen/events")
        assert events.getresponse().status == 200
        idle = socket.create_connection((host, int(port)))  # a connection that never sends a request
        code = proc.stop(signal.SIGINT, timeout=15)
        assert code == 0, proc.lines
        assert not any("Traceback" in line for line in proc.lines), proc.lines
        with pytest.raises(ConnectionRefusedError):  # nothing listens any more
            socket.create_connection((host, int(port)), timeout=5)
        idle.close()
        events.close()
    finally:
        proc.kill()


def test_build_watch_rebuilds_without_a_server(site):
    proc = ServeProcess(["build", "--watch", "--root", str(site), "--jobs", "1"])
    try:
        proc.wait_for_line("watching for changes")
        retitle(site, "测试文章0", "监视模式")
        wait_until(lambda: "监视模式" in (site / "_site" / ARTICLE).read_text(encoding="utf-8"), what="rebuild")
        set_article_template(site, "", text="{% extends 'base.html' %}{% block main %}{{ oops( }}{% endblock %}")
        proc.wait_for_line(r"build failed", timeout=10)
        assert proc.stop(signal.SIGINT) == 0
        assert not any("Traceback" in line for line in proc.lines), proc.lines
        text = (site / "_site" / ARTICLE).read_text(encoding="utf-8")
        assert "监视模式" in text and "sitegen-build" not in text
    finally:
        proc.kill()


def test_site_with_a_base_path_is_served_under_it(site):
    cfg = site / "sitegen.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + 'base_url = "https://example.org/mirror/"\n', encoding="utf-8")
    with Preview(site, port=0, jobs=1, log=lambda _: None) as p:
        assert p.url.endswith("/mirror/")
        status, headers, _ = get(p, "/")
        assert status == 302 and headers["Location"] == "/mirror/"
        assert get(p, "/mirror/")[0] == 200
        assert get(p, "/mirror" + ARTICLE_URL)[0] == 200
        assert get(p, ARTICLE_URL)[0] == 404  # outside the base path


def test_reading_sources_makes_no_inotify_events(site, monkeypatch):
    """A build reads every source; at 10,000 pages open/close events alone would overflow the
    inotify queue, so the watches do not ask for them."""
    raw: list[str] = []
    original = sv._EventHandler.on_any_event
    monkeypatch.setattr(sv._EventHandler, "on_any_event", lambda self, e: (raw.append(e.event_type), original(self, e)))
    watcher = sv.Watcher(load_config(site), lambda kinds, paths: None, log=lambda _: None).start()
    try:
        for page in sorted((site / "content").rglob("*.html")) * 5:
            page.read_bytes()
        (site / "content/sentinel.md").write_text("x", encoding="utf-8")
        wait_until(lambda: "closed" in raw, what="the sentinel's events")
        assert not {"opened", "closed_no_write"} & set(raw), raw
    finally:
        watcher.stop()


def test_no_search_overrides_the_config_for_the_preview_only(site):
    cfg = site / "sitegen.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("search = false", "search = true"), encoding="utf-8")
    with Preview(site, port=0, jobs=1, search=False, log=lambda _: None) as p:
        assert p.site.config.search is False
        assert not (site / "_site/pagefind").exists()
    assert load_config(site).search is True  # sitegen.toml itself is untouched


def test_ctrl_c_during_the_first_build_interrupts_it(tmp_path):
    root = serve_site(tmp_path / "big", n=4)
    (root / "content/bulk").mkdir()
    for i in range(1500):  # enough pages that the first build is still running when Ctrl-C comes
        (root / f"content/bulk/{i}.md").write_text(f"---\ntitle: 批量{i}\ntags: [批量]\n---\n\n正文{i}。\n",
                                                     encoding="utf-8")
    # started with SIGINT ignored (as `sitegen serve &` in a script is): Ctrl-C must still work
    proc = ServeProcess(["serve", "--root", str(root), "--port", "0", "--jobs", "1"], ignore_sigint=True)
    try:
        wait_until(lambda: (root / ".sitegen").exists(), what="the first build to start")
        code = proc.stop(signal.SIGINT, timeout=30)
        assert code == 130, proc.lines
        assert not any("Traceback" in line for line in proc.lines), proc.lines
        assert not any(line.startswith("serving") for line in proc.lines)
    finally:
        proc.kill()


def test_compiled_templates_are_reused_until_a_template_changes(site):
    from sitegen.build import build

    config = load_config(site)
    build(config, jobs=1)
    from sitegen.render import _ENV_CACHE

    env = next(iter(_ENV_CACHE.values()))[0]
    retitle(site, "测试文章0", "只改内容")
    build(config, jobs=1)
    assert next(iter(_ENV_CACHE.values()))[0] is env  # same theme: not recompiled
    set_article_template(site, "v2")
    build(config, jobs=1)
    assert next(iter(_ENV_CACHE.values()))[0] is not env
    assert '<p class="marker">v2</p>' in (site / "_site" / ARTICLE).read_text(encoding="utf-8")


def test_index_step_gives_way_to_a_newer_change(site, monkeypatch):
    """A save while Pagefind runs cancels it: that save's build (and reload) does not wait for the
    index; the index is rebuilt after it."""
    import sitegen.search as search

    started = threading.Event()
    real = search._run_cancellable

    def slow(cmd, cancel):
        started.set()
        return real(["sh", "-c", "sleep 5; exec \"$@\"", "sh", *cmd], cancel)

    logs: list[str] = []
    with Preview(site, port=0, jobs=1, search=True, log=logs.append) as p:
        monkeypatch.setattr(search, "_run_cancellable", slow)
        first = status_id(p)
        retitle(site, "测试文章0", "第一次")
        wait_until(lambda: started.is_set(), what="the index step")
        assert status_id(p) != first  # already reloaded
        second = status_id(p)
        started.clear()
        retitle(site, "第一次", "第二次")
        wait_until(lambda: status_id(p) != second, timeout=3, what="the second build, not waiting for pagefind")
        assert any("given up" in line for line in logs)
        monkeypatch.setattr(search, "_run_cancellable", real)
        wait_until(lambda: not p.site.index_stale and p.rebuilder.wait_idle(0.1), timeout=30, what="the index")
