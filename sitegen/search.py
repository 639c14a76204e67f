"""Full-text search: a Pagefind index of the article pages, made as a build step.

Pagefind (``pagefind[extended]`` from PyPI, which ships the binary with Chinese segmentation)
runs over a scratch copy of the article pages (hard links, as the committed site will hold them)
in the cache and writes its bundle there; every file of it is then staged into the site's
``Output`` like any other page. So the index takes part in the build's atomic commit: it is pruned with the
site, never half-replaced, and a build that fails leaves the previous site (index included)
exactly as it was.

Memoised like pages: the index's key is a hash of every article's path and render key (and of
Pagefind's version). When it is unchanged, the files already in the site are kept as they are.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable

from . import urls
from .errors import BuildError
from .output import Output

PREFIX = urls.SEARCH_DIR + "/"


def _pagefind_version() -> str:
    try:
        return version("pagefind")
    except PackageNotFoundError:
        return ""


def search_key(articles: list[tuple[str, str]], language: str) -> str:
    h = hashlib.sha256(f"pagefind {_pagefind_version()} {language}\0".encode())
    for path, key in sorted(articles):
        h.update(f"{path}\0{key}\0".encode())
    return h.hexdigest()


class Cancelled(BuildError):
    """The index step was given up because ``cancel()`` said so (a newer change is waiting)."""


def index_site(articles: list[tuple[str, str]], old_keys: dict[str, str], out: Output, language: str,
               scratch: Path, cancel: Callable[[], bool] | None = None) -> dict[str, str]:
    """Stage the search index of ``articles`` ((output path, render key) of every article page,
    already put into ``out``) into ``out`` under ``pagefind/``. Returns {file: key} of the index
    files, for the output keys the build stores after its commit."""
    key = search_key(articles, language)
    previous = sorted(p for p, k in old_keys.items() if p.startswith(PREFIX) and k == key)
    if previous and all(out.target(p).is_file() for p in previous) and \
            not any(p.startswith(PREFIX) and k != key for p, k in old_keys.items()):
        for p in previous:
            out.keep(p)
        return {p: key for p in previous}

    staged = set(out.staged)
    if scratch.exists():
        shutil.rmtree(scratch)
    pages, bundle = scratch / "site", scratch / "bundle"
    try:
        # The pages as the committed site will hold them, as hard links (no copy): staged if
        # rewritten in this build, else the file already in the site.
        for path, _ in sorted(articles):
            src = out.staged_path(path) if path in staged else out.target(path)
            dest = pages / path
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(src, dest)
            except OSError:
                shutil.copyfile(src, dest)
        _run_pagefind(pages, bundle, cancel)
        files: dict[str, str] = {}
        for f in sorted(bundle.rglob("*")):
            if f.is_file():
                rel = PREFIX + f.relative_to(bundle).as_posix()
                out.put(rel, f.read_bytes())
                files[rel] = key
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if not any(p.endswith("pagefind-ui.js") for p in files):
        raise BuildError("search: pagefind wrote no UI bundle")
    return files


def keep_index(articles: list[tuple[str, str]], old_keys: dict[str, str], out: Output,
               language: str) -> tuple[dict[str, str], bool]:
    """The index step deferred (``sitegen serve`` reloads the page first): keep the index files
    already in the site as they are, under their old keys (so the commit does not prune them and a
    later build with the index step sees they are stale). Returns ({file: old key}, stale)."""
    key = search_key(articles, language)
    kept: dict[str, str] = {}
    for p, k in old_keys.items():  # only looked at, never written: no need for out.target's resolve()
        if p.startswith(PREFIX) and os.path.isfile(out.out_dir / p):
            out.keep(p)
            kept[p] = k
    stale = not kept or any(k != key for k in kept.values())
    return kept, stale


def _run_pagefind(site: Path, bundle: Path, cancel: Callable[[], bool] | None = None) -> None:
    """Run the Pagefind CLI (``python -m pagefind`` runs the binary shipped by pagefind[extended]).
    Its Python API answers one page per 100 ms poll: far too slow for a mirror."""
    cmd = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(bundle),
           "--keep-index-url", "--quiet"]
    try:
        if cancel is None:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
        else:
            r = _run_cancellable(cmd, cancel)
    except OSError as e:
        raise BuildError(f"search: cannot run pagefind ({e}); install pagefind[extended] or set search = false") from e
    if r.returncode != 0:
        detail = (r.stderr or r.stdout).strip().splitlines()[-5:]
        raise BuildError(f"search: pagefind failed ({r.returncode}): " + " | ".join(detail))


def _run_cancellable(cmd: list[str], cancel: Callable[[], bool]) -> subprocess.CompletedProcess:
    """``subprocess.run`` that kills the command and raises Cancelled as soon as ``cancel()``."""
    with tempfile.TemporaryFile("w+") as err, subprocess.Popen(cmd, stdout=err, stderr=err,
                                                                text=True) as proc:
        while True:
            try:
                proc.wait(0.02)
                break
            except subprocess.TimeoutExpired:
                if cancel():
                    proc.kill()
                    proc.wait()
                    raise Cancelled("search: index step cancelled") from None
        err.seek(0)
        return subprocess.CompletedProcess(cmd, proc.returncode, "", err.read())
