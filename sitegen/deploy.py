"""``sitegen deploy``: publish the built site to a folder, an rsync target or a git branch.

Each target moves only what changed, judged by content (not by time stamps, which a rebuild on
another machine changes anyway):

- ``folder``: a local folder, synced with delete; a changed file is replaced atomically
  (temp file + rename), an unchanged one is not touched.
- ``rsync``: any rsync destination (``host:path`` or a local path) with ``--checksum --delete``,
  so rsync compares contents; what moved is read from its ``--itemize-changes`` output.
- ``git``: a branch of a git repository (GitHub Pages style): one commit per deploy whose tree
  is exactly the site (plus ``.nojekyll``), pushed to the branch; no commit when the tree is
  unchanged. A bare scratch repository under the cache folder does the work, so the user's own
  checkout is never touched. ``SOURCE_DATE_EPOCH`` sets the commit time when given.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


class DeployError(Exception):
    pass


@dataclass
class DeployResult:
    copied: list[str] = field(default_factory=list)  # new or changed files
    deleted: list[str] = field(default_factory=list)
    commit: str | None = None  # git: the commit pushed (None: nothing changed)

    def summary(self, target: str) -> str:
        extra = f", commit {self.commit[:12]}" if self.commit else ""
        return f"deployed to {target}: {len(self.copied)} files copied, {len(self.deleted)} deleted{extra}"


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_site(site: Path) -> None:
    if not (site / "index.html").is_file():
        raise DeployError(f"{site} does not look like a built site (no index.html): run `sitegen build` first")


# --- folder -----------------------------------------------------------------------------------
def to_folder(site: Path, dest: Path) -> DeployResult:
    _check_site(site)
    site, dest = site.resolve(), dest.resolve()
    if dest == site or dest.is_relative_to(site) or site.is_relative_to(dest):
        raise DeployError("the destination must not contain, or be inside, the site folder")
    dest.mkdir(parents=True, exist_ok=True)
    result = DeployResult()
    src, old = _files(site), _files(dest)
    for rel, path in src.items():
        target = dest / rel
        if rel in old and old[rel].stat().st_size == path.stat().st_size and _digest(old[rel]) == _digest(path):
            continue
        if target.is_dir():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".sitegen-")
        os.close(fd)
        shutil.copyfile(path, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        result.copied.append(rel)
    for rel in sorted(set(old) - set(src)):
        (dest / rel).unlink()
        result.deleted.append(rel)
    for dirpath, _, _ in sorted(os.walk(dest), key=lambda t: -t[0].count(os.sep)):
        if dirpath != str(dest):
            try:
                os.rmdir(dirpath)  # only empty ones
            except OSError:
                pass
    return result


# --- rsync ------------------------------------------------------------------------------------
def to_rsync(site: Path, target: str, extra_args: tuple[str, ...] = ()) -> DeployResult:
    _check_site(site)
    if shutil.which("rsync") is None:
        raise DeployError("rsync is not installed")
    cmd = ["rsync", "--recursive", "--checksum", "--delete", "--chmod=D755,F644", "--itemize-changes",
           "--out-format=%i %n", *extra_args, f"{site}/", target]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise DeployError(f"rsync failed ({r.returncode}): {r.stderr.strip()}")
    result = DeployResult()
    for line in r.stdout.splitlines():  # "%i %n": 11 flag characters, a space, the name
        if line.startswith("*deleting"):
            name = line[len("*deleting"):].lstrip(" ")
            if not name.endswith("/"):
                result.deleted.append(name)
        elif len(line) > 12 and line[1] == "f" and line[0] in "<>c":
            result.copied.append(line[12:])
    return result


# --- git --------------------------------------------------------------------------------------
def _git(args: list[str], git_dir: Path, env: dict | None = None, input: str | None = None) -> str:
    full_env = {**os.environ, "GIT_DIR": str(git_dir), "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    cwd = full_env.get("GIT_WORK_TREE")  # paths given to `git add` are relative to the site
    r = subprocess.run(["git", "-c", "core.quotepath=off", *args], capture_output=True, text=True, env=full_env, input=input, cwd=cwd)
    if r.returncode != 0:
        raise DeployError(f"git {' '.join(args[:2])} failed: {r.stderr.strip()}")
    return r.stdout.strip()


def to_git(site: Path, repo: str, branch: str, work: Path, message: str | None = None) -> DeployResult:
    _check_site(site)
    if shutil.which("git") is None:
        raise DeployError("git is not installed")
    site, work = site.resolve(), work.resolve()
    if Path(repo).exists():
        repo = str(Path(repo).resolve())
    if not (work / "HEAD").is_file():
        work.mkdir(parents=True, exist_ok=True)
        _git(["init", "--quiet", "--bare"], work)
    remote_ref = f"refs/deploy/{branch}"
    ls = _git(["ls-remote", "--heads", repo, branch], work)
    parent = None
    if ls:
        _git(["fetch", "--quiet", "--no-tags", repo, f"+refs/heads/{branch}:{remote_ref}"], work)
        parent = _git(["rev-parse", remote_ref], work)
    index = {"GIT_INDEX_FILE": str(work / "deploy-index"), "GIT_WORK_TREE": str(site)}
    (work / "deploy-index").unlink(missing_ok=True)
    _git(["add", "--all", "--force", "."], work, index)
    empty = _git(["hash-object", "-w", "--stdin"], work, input="")
    _git(["update-index", "--add", "--cacheinfo", f"100644,{empty},.nojekyll"], work, index)
    tree = _git(["write-tree"], work, index)
    if parent and _git(["rev-parse", f"{parent}^{{tree}}"], work) == tree:
        return DeployResult()
    when = os.environ.get("SOURCE_DATE_EPOCH")
    who = {"GIT_AUTHOR_NAME": "sitegen", "GIT_AUTHOR_EMAIL": "sitegen@localhost",
           "GIT_COMMITTER_NAME": "sitegen", "GIT_COMMITTER_EMAIL": "sitegen@localhost"}
    if when:
        who |= {"GIT_AUTHOR_DATE": f"{when} +0000", "GIT_COMMITTER_DATE": f"{when} +0000"}
    args = ["commit-tree", tree, "-m", message or "Deploy the site with sitegen"]
    if parent:
        args += ["-p", parent]
    commit = _git(args, work, who)
    _git(["push", "--quiet", repo, f"{commit}:refs/heads/{branch}"], work)
    _git(["update-ref", remote_ref, commit], work)
    result = DeployResult(commit=commit)
    diff = _git(["diff-tree", "-r", "--no-renames", "--name-status", *([parent] if parent else ["--root"]), commit], work)
    for line in diff.splitlines():
        status, _, name = line.partition("\t")
        if name and name != commit:
            (result.deleted if status == "D" else result.copied).append(name)
    return result
