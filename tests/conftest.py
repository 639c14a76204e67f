import os
import shutil
from pathlib import Path

import pytest

try:
    from hypothesis import settings

    # CI runs must be reproducible: the same examples every run (a failure found while developing
    # is kept in the local .hypothesis database and replayed there).
    settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
    settings.register_profile("dev", deadline=None)
    settings.load_profile("ci" if os.environ.get("CI") else "dev")
except ImportError:  # pragma: no cover
    pass

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "pages").is_dir():
        pytest.skip(f"the shared corpus is absent ({CORPUS}); it lives beside the clone in CI")
    return CORPUS


@pytest.fixture
def demo_site(tmp_path) -> Path:
    """A copy of the repository's own site (demo content + default theme) in a temp folder."""
    root = tmp_path / "demo"
    root.mkdir()
    shutil.copytree(REPO / "content", root / "content")
    if (REPO / "sitegen.toml").exists():
        shutil.copy(REPO / "sitegen.toml", root / "sitegen.toml")
    return root


def make_site(root: Path, pages: dict[str, str | bytes], config: str | None = None) -> Path:
    """Write a small site: {relative path under content/: text or bytes}."""
    for rel, data in pages.items():
        p = root / "content" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        p.write_bytes(data)
    if config is not None:
        (root / "sitegen.toml").write_text(config, encoding="utf-8")
    return root


def bump_mtime(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
