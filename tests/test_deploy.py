"""`sitegen deploy` for real: a folder, rsync to a local path, a local bare git repository.
Each round-trips: deploy, change one article, deploy again: only the changed files move."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.config import load_config

from conftest import bump_mtime
from test_pipeline import small_site


def _hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path):
    root = small_site(tmp_path / "site", n=4)
    build(load_config(root), jobs=1)
    return root


def _change_one_article(root: Path) -> tuple[set[str], set[str]]:
    """Edit an article's text, drop another, rebuild: (files changed or added, files removed)."""
    out = root / "_site"
    before = _hashes(out)
    page = root / "content/bnews/cbnews/20240101/100000.html"
    page.write_text(page.read_text(encoding="utf-8").replace("第2段", "第2段（更正）"), encoding="utf-8")
    bump_mtime(page)
    (root / "content/bnews/essay/900002.html").unlink()
    build(load_config(root), jobs=1)
    after = _hashes(out)
    changed = {p for p in after if before.get(p) != after[p]}
    assert "bnews/cbnews/20240101/100000.html" in changed
    return changed, set(before) - set(after)


def _deploy(root: Path, *args: str) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "sitegen", "deploy", "--root", str(root), "-v", *args],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r


def _moved(stderr: str) -> tuple[set[str], set[str]]:
    lines = stderr.splitlines()
    return ({line.split(": ", 1)[1] for line in lines if line.startswith("copied: ")},
            {line.split(": ", 1)[1] for line in lines if line.startswith("deleted: ")})


def test_deploy_to_a_folder(site, tmp_path):
    dest = tmp_path / "www"
    (dest / "stale").mkdir(parents=True)
    (dest / "stale/old.html").write_text("old", encoding="utf-8")
    copied, deleted = _moved(_deploy(site, "folder", str(dest)).stderr)
    assert _hashes(dest) == _hashes(site / "_site")
    assert copied == set(_hashes(site / "_site")) and deleted == {"stale/old.html"}
    assert not (dest / "stale").exists()
    inodes = {p: (dest / p).stat().st_ino for p in _hashes(dest)}
    changed, removed = _change_one_article(site)
    copied, deleted = _moved(_deploy(site, "folder", str(dest)).stderr)
    assert copied == changed and deleted == removed
    assert _hashes(dest) == _hashes(site / "_site")
    untouched = [p for p in _hashes(dest) if p not in changed]
    assert untouched and all((dest / p).stat().st_ino == inodes[p] for p in untouched)
    assert _moved(_deploy(site, "folder", str(dest)).stderr) == (set(), set())


def test_deploy_with_rsync(site, tmp_path):
    if shutil.which("rsync") is None:
        pytest.skip("rsync is not installed (apt-get install rsync)")
    dest = tmp_path / "rsync-dest"
    copied, _ = _moved(_deploy(site, "rsync", str(dest) + "/").stderr)
    assert copied == set(_hashes(site / "_site")) and _hashes(dest) == _hashes(site / "_site")
    changed, removed = _change_one_article(site)
    copied, deleted = _moved(_deploy(site, "rsync", str(dest) + "/").stderr)
    assert copied == changed and deleted == removed
    assert _hashes(dest) == _hashes(site / "_site")
    assert _moved(_deploy(site, "rsync", str(dest) + "/").stderr) == (set(), set())


def _git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", "-c", "core.quotepath=off", *args], capture_output=True, text=True, check=True, cwd=cwd).stdout.strip()


def test_deploy_to_a_git_branch(site, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    remote = tmp_path / "pages.git"
    _git("init", "--quiet", "--bare", str(remote))
    _deploy(site, "git", str(remote), "--branch", "gh-pages")
    first = _git("--git-dir", str(remote), "rev-parse", "gh-pages")
    files = set(_git("--git-dir", str(remote), "ls-tree", "-r", "--name-only", "gh-pages").splitlines())
    assert files == set(_hashes(site / "_site")) | {".nojekyll"}
    changed, removed = _change_one_article(site)
    _deploy(site, "git", str(remote), "--branch", "gh-pages")
    second = _git("--git-dir", str(remote), "rev-parse", "gh-pages")
    assert _git("--git-dir", str(remote), "rev-parse", "gh-pages~1") == first  # one commit per deploy
    diff = _git("--git-dir", str(remote), "diff", "--name-status", first, second).splitlines()
    moved = {line.split("\t", 1)[1] for line in diff if not line.startswith("D")}
    gone = {line.split("\t", 1)[1] for line in diff if line.startswith("D")}
    assert moved == changed and gone == removed
    # a checkout of the branch is the site
    checkout = tmp_path / "checkout"
    _git("clone", "--quiet", "--branch", "gh-pages", str(remote), str(checkout))
    shutil.rmtree(checkout / ".git")
    (checkout / ".nojekyll").unlink()
    assert _hashes(checkout) == _hashes(site / "_site")
    # nothing changed: no commit
    r = _deploy(site, "git", str(remote), "--branch", "gh-pages")
    assert _git("--git-dir", str(remote), "rev-parse", "gh-pages") == second
    assert "0 files copied, 0 deleted" in r.stderr
