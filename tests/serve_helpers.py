"""Shared helpers of the serve tests: a small site with its own template overrides, polling waits,
and a `sitegen serve` subprocess whose URL is read from its output."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import make_site
from test_pipeline import wp_page

ARTICLE = "bnews/cbnews/20240101/100000.html"
ARTICLE_URL = "/" + ARTICLE
ARTICLE_TEMPLATE = ('{% extends "base.html" %}\n{% block main %}\n<h1>{{ article.title }}</h1>\n'
                    '<p class="marker">{marker}</p>\n<div class="article-body">{{ body | safe }}</div>\n{% endblock %}\n')
STYLE = "h1 { color: rgb(1, 2, 3); }\n"


def serve_site(root: Path, n: int = 4) -> Path:
    """A few articles (one tag shared by all, in Chinese), an article.html override with a
    marker and a site stylesheet, both of which the tests edit."""
    pages = {f"bnews/cbnews/2024010{i + 1}/10000{i}.html": wp_page(f"测试文章{i}", ["公共", f"标签{i}"])
             for i in range(n)}
    make_site(root, pages, 'title = "预览测试"\nsearch = false\n')  # the search index is not what these tests test
    set_article_template(root, "v1")
    (root / "templates/static").mkdir(parents=True, exist_ok=True)
    (root / "templates/static/style.css").write_text(STYLE, encoding="utf-8")
    return root


def set_article_template(root: Path, marker: str, text: str | None = None) -> None:
    (root / "templates").mkdir(exist_ok=True)
    body = text if text is not None else ARTICLE_TEMPLATE.replace("{marker}", marker)
    (root / "templates/article.html").write_text(body, encoding="utf-8")


def retitle(root: Path, old: str, new: str, rel: str = ARTICLE, atomic: bool = False) -> None:
    page = root / "content" / rel
    text = page.read_text(encoding="utf-8").replace(old, new)
    if atomic:  # what editors do: write a temp file beside it, then rename it over the page
        tmp = page.with_name(page.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, page)
    else:
        page.write_text(text, encoding="utf-8")


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class ServeProcess:
    """`python -m sitegen <args>` in a subprocess; its stderr lines are collected as they come."""

    def __init__(self, args: list[str], cwd: Path | None = None, ignore_sigint: bool = False):
        import signal

        # ignore_sigint: start as `cmd &` from a shell script does, with SIGINT ignored
        preexec = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignore_sigint else None
        self.proc = subprocess.Popen([sys.executable, "-m", "sitegen", *args], cwd=cwd, preexec_fn=preexec,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))
            self._queue.put(line)

    def wait_for_line(self, pattern: str, timeout: float = 60.0) -> re.Match:
        deadline = time.monotonic() + timeout
        for line in list(self.lines):
            if m := re.search(pattern, line):
                return m
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.proc.poll() is not None and self._queue.empty():
                raise AssertionError(f"no line matching {pattern!r}; output so far:\n" + "\n".join(self.lines))
            try:
                line = self._queue.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            if m := re.search(pattern, line):
                return m

    def url(self, timeout: float = 60.0) -> str:
        return self.wait_for_line(r"serving (http://\S+)", timeout).group(1)

    def stop(self, sig=None, timeout: float = 15.0) -> int:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(sig or signal.SIGINT)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        self._reader.join(5)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
