"""The default theme ships inside the wheel: install into a fresh venv, build from another folder."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

from conftest import REPO


def test_wheel_install_builds_a_site_from_any_folder(tmp_path):
    wheels = tmp_path / "wheels"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    wheel = next(wheels.glob("sitegen-*.whl"))
    env_dir = tmp_path / "venv"
    # A fresh venv that may see the already installed dependencies but not the repository.
    venv.EnvBuilder(with_pip=True, system_site_packages=True).create(env_dir)
    py = env_dir / "bin/python"
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    site = tmp_path / "elsewhere"
    (site / "content/a").mkdir(parents=True)
    (site / "content/a/1.md").write_text("---\ntitle: 你好\ndate: 2024-02-03\ntags: [测试]\n---\n\n正文。\n", encoding="utf-8")
    r = subprocess.run([str(env_dir / "bin/sitegen"), "build"], cwd=site, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = site / "_site"
    assert "你好" in (out / "a/1.html").read_text(encoding="utf-8")
    assert (out / "static/style.css").is_file() and (out / "tags/测试/index.html").is_file()
    # it really ran the installed copy, not the repository
    r = subprocess.run([str(py), "-c", "import sitegen, sys; print(sitegen.__file__)"], cwd=site,
                       capture_output=True, text=True)
    assert str(env_dir) in r.stdout and str(REPO) not in r.stdout
