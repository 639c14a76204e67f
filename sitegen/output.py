"""Atomic, minimal writes of the output folder.

Changed files are first written to a staging folder (flat: one file per output, named by a hash
of its path, so staging makes no folder per page and is removed in one cheap pass); only when the whole build has rendered
without error are they moved into place (one ``os.replace`` each) and files that no longer
belong removed. A build that fails before ``commit`` leaves the previous site exactly as it was,
and a reader never sees a half-written file.

When there is no output folder at all (a first build, or one after it was deleted), the
process that records the staged files (``add``: the build's, while the others render) also makes
the new site's folders, in ``site/`` of the staging folder, and moves each staged file into
them as it is recorded; ``commit`` renames ``site/`` into place: the site's folders (~11,500 at
10,000 articles, most of a cold build's write stage when the commit made them one by one) and the
moves are done meanwhile. (The files themselves are still written flat: written into ~11,500 new
folders, they cost the kernel ~1.5x the CPU, new inodes spread over the disk.) A file that cannot
go where its path says (a page where another output needs a folder) and those after it are
committed as the flat commit commits them. The stagers hand each file's stat to ``add`` (the
moves keep it), so a new site that went into place whole is not walked after the commit: what
the walk would find of it (``site_parts``, ``folder_parts``, the files' stamps) is known, but
for one stat of each folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

from .urls import safe_relpath


# Staging folders of a whole new site (``stage`` has nothing to compare with): set by ``Output``
# before the rendering processes are forked, so they see it too.
_TREES: set[str] = set()
TREE = "site"  # the new site's folders in a staging folder


class Output:
    def __init__(self, out_dir: Path, staging_dir: Path):
        self.out_dir = out_dir
        self.staging = staging_dir
        if self.staging.exists():
            shutil.rmtree(self.staging)
        _TREES.discard(str(self.staging))
        # No output folder (nor anything else at its path), and the staging folder outside it:
        # the new site is staged whole (see the module's docstring).
        self.tree = not os.path.lexists(out_dir) and not _inside(self.staging, out_dir)
        self.staging.mkdir(parents=True)
        if self.tree:
            (self.staging / TREE).mkdir()
            _TREES.add(str(self.staging))
        self._made: set[str] = set()  # the new site's folders made so far
        # Staged files moved into them as they come (``add``): until one cannot go (then it and
        # those after it stay flat, for the flat commit); their paths
        self._moving = self.tree
        self._in_tree: set[str] = set()
        self._moved = 0  # (how many of ``staged``: the first ones)
        # The stagers' (mode, size, mtime_ns, inode) of each staged file of a new site (the
        # commit's moves keep them): with all of them, the commit need not walk the new site for
        # ``site_parts``. None once a file came without them.
        self._stats: dict[str, tuple[int, int, int, int]] | None = {} if self.tree else None
        self.staged: list[str] = []
        self.kept: set[str] = set()
        # After ``commit``: what is left in the output folder, one ``site_part`` per entry (the
        # prune walk stats them, so the shortcut need not walk the folder again); None if unknown.
        self.site_parts: list[str] | None = None
        # ... and each folder's part of the shortcut's stat digest (shortcut.stat_digest; a file's
        # is its site_part), from the same stats: remembering the site stats none of them again
        self.folder_parts: dict[str, str] | None = None
        self._stamps: dict[str, str] = {}  # the stamps of the files the commit's walk saw

    def target(self, rel: str) -> Path:
        rel = safe_relpath(rel)
        path = (self.out_dir / rel)
        # Defence in depth: the resolved path must stay inside the output folder.
        if not path.resolve().is_relative_to(self.out_dir.resolve()):
            raise ValueError(f"output path escapes the output folder: {rel!r}")
        return path

    def keep(self, rel: str) -> None:
        """Mark an existing output as still belonging to the site (unchanged, not rewritten)."""
        self.kept.add(safe_relpath(rel))

    def put(self, rel: str, data: bytes) -> bool:
        """Stage ``data`` for ``rel`` if it differs from what is there. Returns True if staged."""
        rel = safe_relpath(rel)
        self.kept.add(rel)
        staged = stage(self.out_dir, self.staging, rel, data)
        if staged:
            self.add(rel, staged)
            return True
        return False

    def add(self, rel: str, staged) -> None:
        """Record an output that a worker process handled with ``stage`` (``staged``: what it
        returned). A new site's file goes into its folder now, while the other processes render."""
        self.kept.add(rel)
        if staged:
            self.staged.append(rel)
            if self._moving:
                stats = self._stats
                if stats is not None:
                    if staged is True:  # (no stat: the commit walks the new site)
                        self._stats = None
                    else:
                        stats[rel] = staged
                folder = rel.rpartition("/")[0]
                if folder and folder not in self._made:
                    self._make(folder)
                self._move(rel)

    def _move(self, rel: str) -> bool:
        """Move the staged file of ``rel`` into the new site's folders; False (and no more moves)
        if it cannot go there (a page where another output needs a folder): flat from here on."""
        try:
            os.replace(f"{self.staging}/{staged_name(rel)}", f"{self.staging}/{TREE}/{rel}")
        except OSError:
            self._moving = False
            return False
        self._in_tree.add(rel)
        self._moved += 1
        return True

    def _make(self, folder: str) -> None:
        """Make the new site's ``folder``, from the top down the folders not made yet (unlike
        os.makedirs, no stat of each parent; only this makes folders there)."""
        parent = folder.rpartition("/")[0]
        if parent and parent not in self._made:
            self._make(parent)
        try:
            os.mkdir(f"{self.staging}/{TREE}/{folder}")
        except FileExistsError:  # (made by an earlier build's process, or a file stands there)
            pass
        except FileNotFoundError:  # (the staging folder was removed meanwhile)
            os.makedirs(f"{self.staging}/{TREE}/{folder}", exist_ok=True)
        except NotADirectoryError:  # a file where a parent folder goes: the file's move fails
            pass
        self._made.add(folder)

    def staged_path(self, rel: str) -> str:
        """Where ``rel`` waits, staged by this build, until ``commit``."""
        if rel in self._in_tree:
            return f"{self.staging}/{TREE}/{rel}"
        return f"{self.staging}/{staged_name(rel)}"

    def stamp(self, rel: str) -> str | None:
        """size:mtime_ns:inode of an output file, or None if it is not there."""
        known = self._stamps.get(rel)  # (after the commit's walk: the stamps of what it saw)
        if known is not None:
            return known
        try:
            st = os.stat(f"{self.out_dir}/{rel}")
        except OSError:
            return None
        return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}" if stat.S_ISREG(st.st_mode) else None

    def commit(self, prune: bool = True) -> tuple[int, int]:
        """Move staged files into place, then remove outputs that no longer belong.
        Returns (files written, files removed)."""
        staged = self.staged
        if self.tree:
            _TREES.discard(str(self.staging))
            staged = self._commit_tree()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        root = self.out_dir.resolve()
        ready: set[str] = {""}  # folders checked and made (once each, not once per file)
        for rel in staged:
            folder = rel.rpartition("/")[0]
            if folder not in ready:
                self._folder(folder, root, ready)
            dest = f"{self.out_dir}/{rel}"
            try:
                os.replace(f"{self.staging}/{staged_name(rel)}", dest)
            except IsADirectoryError:  # a folder stands where the file goes (a section became a page)
                shutil.rmtree(dest)
                os.replace(f"{self.staging}/{staged_name(rel)}", dest)
        parts: list[str] = []
        if prune and self.tree and not staged and self._stats is not None and self._known_tree(parts):
            removed = 0  # (a new site holds only this build's files and their folders)
        else:
            parts = []
            removed = self._prune(parts) if prune else 0
        self.tree = False
        shutil.rmtree(self.staging, ignore_errors=True)
        inside = _inside(self.staging, self.out_dir)  # then the walk saw the staging folder
        self.site_parts = parts if prune and not inside else None
        if self.site_parts is None:
            self.folder_parts = None
        return len(self.staged), removed

    def _commit_tree(self) -> list[str]:
        """Rename the new site's folders, with the staged files ``add`` moved into them, into
        place; the staged files left for the flat commit: from the first that could not go where
        its path says (a page where another output needs a folder: the flat commit decides, in the
        same order), or all of them if something stands at the output folder's path now (those
        moved go back first). Leaves ``self.tree`` True only when the new site went into place."""
        tree = f"{self.staging}/{TREE}"
        staged = self.staged
        if not os.path.lexists(self.out_dir):
            if self._moving:
                for rel in staged[self._moved:]:
                    if not self._move(rel):
                        break
            try:
                self.out_dir.parent.mkdir(parents=True, exist_ok=True)
                os.rename(tree, self.out_dir)
            except OSError:  # (something came to stand there meanwhile): back to the flat commit
                pass
            else:
                return staged[self._moved:]
        for rel in self._in_tree:
            os.replace(f"{tree}/{rel}", f"{self.staging}/{staged_name(rel)}")
        self._in_tree, self._moved = set(), 0
        self.tree = False
        return staged

    def _known_tree(self, parts: list[str]) -> bool:
        """After a new site went into place whole: its ``site_parts``, ``folder_parts`` and stamps
        from the stagers' stats (the moves kept them) and a stat of each folder (after its last
        change), as the prune walk would find them; False (nothing set) if a folder is missing."""
        out_dir = str(self.out_dir)
        folder_parts: dict[str, str] = {}
        stamps: dict[str, str] = {}
        add = parts.append
        try:
            for folder in self._made:
                st = os.lstat(f"{out_dir}/{folder}")
                if not stat.S_ISDIR(st.st_mode):
                    return False
                add(f"{folder}/")
                folder_parts[f"{folder}/"] = f"{folder}/ {st.st_mtime_ns} {st.st_ino}"
        except OSError:
            return False
        for rel, (mode, size, mtime, ino) in self._stats.items():
            add(f"{rel} {mode} {size} {mtime} {ino}")
            stamps[rel] = f"{size}:{mtime}:{ino}"
        self.folder_parts, self._stamps = folder_parts, stamps
        return True

    def _folder(self, folder: str, root: Path, ready: set[str]) -> None:
        """Make sure ``folder`` (relative, normalised) is a folder inside the output folder, one
        segment at a time from the top: a segment this makes is a real folder inside a checked
        one, so only a symbolic link already standing there needs resolving (defence in depth:
        it must not lead out of the output folder); a file standing there is replaced (a page
        became a section). Adds what it checked to ``ready``."""
        parent = folder.rpartition("/")[0]
        if parent not in ready:
            self._folder(parent, root, ready)
        path = f"{self.out_dir}/{folder}"
        try:
            os.mkdir(path)
        except FileExistsError:
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                if not Path(path).resolve().is_relative_to(root):
                    raise ValueError(f"output path escapes the output folder: {folder!r}") from None
                if not os.path.isdir(path):
                    os.unlink(path)
                    os.mkdir(path)
            elif not stat.S_ISDIR(st.st_mode):
                os.unlink(path)
                os.mkdir(path)
        ready.add(folder)

    def abort(self) -> None:
        _TREES.discard(str(self.staging))
        shutil.rmtree(self.staging, ignore_errors=True)

    def _prune(self, parts: list[str]) -> int:
        """Remove every file of the output folder that is not part of the site, then the folders
        left empty (symbolic links to folders are left alone). ``parts`` gets a ``site_part`` for
        every entry left."""
        removed = 0
        kept = self.kept
        add = parts.append
        stamps = self._stamps = {}
        folder_parts = self.folder_parts = {}

        def part(entry: os.DirEntry, prefix: str) -> None:
            # (a folder's entry is stat'ed after its own entries were pruned: as it is left)
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                add(f"{prefix}{entry.name}: gone")
                return
            add(site_part(prefix, entry.name, st))
            rel = f"{prefix}{entry.name}"
            if stat.S_ISDIR(st.st_mode):
                folder_parts[rel + "/"] = f"{rel}/ {st.st_mtime_ns} {st.st_ino}"
            elif stat.S_ISREG(st.st_mode):  # (not a link: what os.stat would give)
                stamps[rel] = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"

        def prune(folder: str, prefix: str) -> bool:  # True when the folder is left empty
            nonlocal removed
            left = 0
            with os.scandir(folder) as it:
                entries = list(it)
            for entry in entries:
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    is_dir = False
                if is_dir:
                    if prune(entry.path, f"{prefix}{entry.name}/"):
                        try:
                            os.rmdir(entry.path)
                            continue
                        except OSError:
                            pass
                    part(entry, prefix)
                    left += 1
                elif f"{prefix}{entry.name}" in kept or _is_dir_link(entry):
                    part(entry, prefix)
                    left += 1
                else:
                    os.unlink(entry.path)
                    removed += 1
            return left == 0

        prune(str(self.out_dir), "")
        return removed


def site_part(prefix: str, name: str, st: os.stat_result) -> str:
    """One entry of the output folder as the whole-build shortcut's site fingerprint sees it."""
    if stat.S_ISDIR(st.st_mode):
        return f"{prefix}{name}/"
    return f"{prefix}{name} {st.st_mode} {st.st_size} {st.st_mtime_ns} {st.st_ino}"


def _is_dir_link(entry: os.DirEntry) -> bool:
    try:
        return entry.is_symlink() and entry.is_dir()
    except OSError:
        return False


def staged_name(rel: str) -> str:
    """The staging file of output ``rel``: flat, fixed length, one per output path."""
    return hashlib.sha1(rel.encode("utf-8", "surrogateescape")).hexdigest()


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def stage(out_dir: Path, staging: Path, rel: str, data: bytes):
    """Write ``data`` to ``staging/rel`` unless ``out_dir/rel`` already holds exactly these bytes.
    Safe to call from several processes at once (each output path is handled by one of them).
    ``rel`` must already be checked with ``safe_relpath``. Returns False when not staged; when
    staged, for a whole new site the file's (mode, size, mtime_ns, inode) (``Output.add`` wants
    them), else True."""
    tree = str(staging) in _TREES
    if not tree:  # (a whole new site: nothing to compare with)
        current = f"{out_dir}/{rel}"
        try:
            if os.stat(current).st_size == len(data):
                with open(current, "rb") as fh:
                    if fh.read() == data:
                        return False
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            pass
    tmp = f"{staging}/{staged_name(rel)}"
    # (os.open: what open(tmp, "wb") does, without its buffered file object)
    try:
        fd = os.open(tmp, _WRITE, 0o666)
    except FileNotFoundError:
        os.makedirs(staging, exist_ok=True)
        fd = os.open(tmp, _WRITE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if tree:
            st = os.fstat(fd)
            return (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino)
    finally:
        os.close(fd)
    return True


_WRITE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
