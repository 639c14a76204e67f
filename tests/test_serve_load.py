"""Load on `sitegen serve` (a real subprocess on 127.0.0.1): 200 concurrent keep-alive clients for
10 s while content and template edits trigger rebuilds. No request may fail and no page may be
served half-written (every page is whole: its Content-Length, one document, closed `</html>`)."""

from __future__ import annotations

import http.client
import json
import threading
import time
from urllib.parse import quote

from serve_helpers import ServeProcess, serve_site, set_article_template, wait_until

CLIENTS = 200
DURATION = 10.0
MIN_REBUILDS = 3
HARD_STOP = 40.0
ARTICLES = 9  # serve_site dates them 2024-01-01 .. 2024-01-09


def rel(i: int) -> str:
    return f"bnews/cbnews/2024010{i + 1}/10000{i}.html"


def test_200_clients_during_rebuilds_never_see_a_failed_or_partial_page(tmp_path):
    root = serve_site(tmp_path / "site", n=ARTICLES)
    articles = ["/" + rel(i) for i in range(ARTICLES)]
    pages = ["/", "/tags/" + quote("公共") + "/", "/tags/index.html", *articles]
    proc = ServeProcess(["serve", "--root", str(root), "--port", "0", "--jobs", "1"])
    try:
        url = proc.url()
        host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
        port = int(port)
        # Clients run for DURATION seconds and at least until the editor has seen MIN_REBUILDS
        # rebuilds (a loaded machine builds slower), never past HARD_STOP.
        started = time.monotonic()
        stop = threading.Event()
        failures: list[str] = []
        counts = {"pages": 0, "css": 0, "missing": 0}
        lock = threading.Lock()
        start = threading.Barrier(CLIENTS + 1)

        def client(n: int) -> None:
            conn = http.client.HTTPConnection(host, port, timeout=30)
            done = {"pages": 0, "css": 0, "missing": 0}
            i = n
            start.wait()
            while not stop.is_set():
                i += 1
                kind = "css" if i % 10 == 0 else "missing" if i % 10 == 1 else "pages"
                path = ("/static/style.css" if kind == "css" else "/bnews/" + quote("不存在") + f"/{i}.html"
                        if kind == "missing" else pages[i % len(pages)])
                try:
                    conn.request("GET", path)
                    resp = conn.getresponse()
                    body = resp.read()  # raises IncompleteRead when short of Content-Length
                except Exception as e:  # noqa: BLE001 - every kind of failure counts
                    with lock:
                        failures.append(f"{path}: {type(e).__name__}: {e}")
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=30)
                    continue
                want = 404 if kind == "missing" else 200
                problem = None
                if resp.status != want:
                    problem = f"status {resp.status}, expected {want}"
                elif kind != "css":
                    text = body.decode("utf-8")
                    if not text.lstrip().lower().startswith("<!doctype html") or text.count("</html>") != 1 \
                            or not text.rstrip().endswith("</html>") or text.count("data-sitegen-build=") != 1:
                        problem = f"not one whole page ({len(body)} bytes)"
                elif b"h1" not in body:
                    problem = "stylesheet without its rule"
                if problem:
                    with lock:
                        failures.append(f"{path}: {problem}")
                done[kind] += 1
            conn.close()
            with lock:
                for k, v in done.items():
                    counts[k] += v

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        start.wait()

        # the editor: alternate content and template edits, each waited for (a new build id)
        def build_id() -> str:
            c = http.client.HTTPConnection(host, port, timeout=30)
            try:
                c.request("GET", "/__sitegen/status")
                return json.loads(c.getresponse().read())["id"]
            finally:
                c.close()

        rebuilds, edit = 0, 0
        while (time.monotonic() - started < DURATION - 1.0 or rebuilds < MIN_REBUILDS) \
                and time.monotonic() - started < HARD_STOP:
            before = build_id()
            if edit % 2 == 0:
                i = (edit // 2) % ARTICLES
                page = root / "content" / rel(i)
                page.write_text(page.read_text(encoding="utf-8").replace("正文内容", f"正文内容{edit}", 1), encoding="utf-8")
            else:
                set_article_template(root, f"gen{edit}")
            edit += 1
            wait_until(lambda: build_id() != before, timeout=20, interval=0.05, what="a rebuild under load")
            rebuilds += 1
        while time.monotonic() - started < DURATION:
            time.sleep(0.05)
        stop.set()
        elapsed = time.monotonic() - started
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads)
        assert failures == [], f"{len(failures)} failed requests, e.g. {failures[:5]}"
        assert rebuilds >= MIN_REBUILDS, f"only {rebuilds} rebuilds in {elapsed:.1f} s"
        assert counts["pages"] > 1000 and counts["missing"] > 100 and counts["css"] > 100, counts
        assert not any("build failed" in line or "Traceback" in line for line in proc.lines), proc.lines
        print("\n".join(l for l in proc.lines if "built" in l or "rebuil" in l)); print(f"\n{sum(counts.values())} requests ({counts}) from {CLIENTS} clients in {elapsed:.1f} s, "
              f"{rebuilds} rebuilds")
    finally:
        code = proc.stop()
    assert code == 0
