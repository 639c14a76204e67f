"""Site configuration: an optional ``sitegen.toml`` at the site root, typed and validated on load.

Every problem is reported at once (unknown keys included), like MkDocs' ``Config.validate()``,
but with a frozen dataclass instead of a descriptor framework.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError

CONFIG_FILE = "sitegen.toml"


@dataclass(frozen=True)
class ProfilesConfig:
    """``[profiles]``: where a site's own cleaning profiles live and which to switch off."""

    dirs: tuple[str, ...] = ("profiles",)
    disabled: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    root: Path = Path(".")
    title: str = "新闻镜像"
    description: str = ""
    base_url: str | None = None  # absolute URL of the deployed site, e.g. https://example.org/mirror/
    language: str = "zh-CN"
    page_size: int = 20
    feed_size: int = 20
    content: str = "content"
    output: str = "_site"
    templates: str = "templates"
    cache: str = ".sitegen"
    permalink: str = "{path}.html"  # tokens: {path} {stem} {year} {month} {day}
    jobs: int = 0  # 0 = all cores
    max_page_bytes: int = 10_000_000
    images: str = "link"  # keep | link | drop; private by default: no request to the original host
    search: bool = True
    profiles: ProfilesConfig = field(default_factory=ProfilesConfig)

    @property
    def content_dir(self) -> Path:
        return self.root / self.content

    @property
    def output_dir(self) -> Path:
        return self.root / self.output

    @property
    def templates_dir(self) -> Path:
        return self.root / self.templates

    @property
    def cache_dir(self) -> Path:
        return self.root / self.cache

    @property
    def effective_jobs(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)


_SIMPLE = {f.name: f for f in fields(Config) if f.name not in ("root", "profiles")}
_TYPES: dict[str, tuple[type, ...]] = {
    "title": (str,), "description": (str,), "base_url": (str,), "language": (str,),
    "page_size": (int,), "feed_size": (int,), "content": (str,), "output": (str,),
    "templates": (str,), "cache": (str,), "permalink": (str,), "jobs": (int,),
    "max_page_bytes": (int,), "images": (str,), "search": (bool,),
}
_PERMALINK_TOKENS = ("{path}", "{stem}", "{year}", "{month}", "{day}")


def _check(key: str, value: Any, problems: list[str]) -> None:
    want = _TYPES[key]
    if isinstance(value, bool) and bool not in want:
        problems.append(f"{key}: expected {want[0].__name__}, got a boolean")
        return
    if not isinstance(value, want):
        problems.append(f"{key}: expected {want[0].__name__}, got {type(value).__name__}")
        return
    if key in ("page_size", "feed_size") and value < 1:
        problems.append(f"{key}: must be at least 1 (got {value})")
    if key == "jobs" and value < 0:
        problems.append(f"jobs: must be 0 (all cores) or more (got {value})")
    if key == "max_page_bytes" and value < 1024:
        problems.append(f"max_page_bytes: must be at least 1024 (got {value})")
    if key == "images" and value not in ("keep", "link", "drop"):
        problems.append(f"images: must be one of keep, link, drop (got {value!r})")
    if key == "base_url":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(f"base_url: must be an absolute http(s) URL (got {value!r})")
    if key == "permalink":
        if not any(t in value for t in ("{path}", "{stem}")):
            problems.append("permalink: must contain {path} or {stem} so that pages stay distinct")
        if value.startswith("/") or ".." in value.split("/"):
            problems.append("permalink: must be a relative path without '..'")
        if not (value.endswith(".html") or value.endswith("/")):
            problems.append("permalink: must end with .html or /")
    if key in ("content", "output", "templates", "cache") and not value.strip():
        problems.append(f"{key}: must not be empty")


def config_from_dict(data: dict, root: Path, source: str = CONFIG_FILE) -> Config:
    problems: list[str] = []
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key == "profiles":
            if not isinstance(value, dict):
                problems.append("profiles: expected a table")
                continue
            pkw: dict[str, Any] = {}
            for pk, pv in value.items():
                if pk not in ("dirs", "disabled"):
                    problems.append(f"profiles.{pk}: unknown key (known: dirs, disabled)")
                elif not (isinstance(pv, list) and all(isinstance(x, str) for x in pv)):
                    problems.append(f"profiles.{pk}: expected a list of strings")
                else:
                    pkw[pk] = tuple(pv)
            kwargs["profiles"] = ProfilesConfig(**pkw)
        elif key in _SIMPLE:
            before = len(problems)
            _check(key, value, problems)
            if len(problems) == before:
                kwargs[key] = value
        else:
            known = ", ".join(sorted([*_SIMPLE, "profiles"]))
            problems.append(f"{key}: unknown key (known: {known})")
    if problems:
        raise ConfigError(problems, source)
    cfg = Config(root=root, **kwargs)
    if cfg.base_url and not cfg.base_url.endswith("/"):
        cfg = Config(**{**{f.name: getattr(cfg, f.name) for f in fields(cfg)}, "base_url": cfg.base_url + "/"})
    return cfg


def load_config(root: Path | str = ".", overrides: dict | None = None) -> Config:
    """Read ``root/sitegen.toml`` (optional), apply ``overrides`` (from the command line), validate."""
    root = Path(root).resolve()
    path = root / CONFIG_FILE
    data: dict = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise ConfigError([f"not valid TOML: {e}"], str(path)) from e
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError([f"cannot read: {e}"], str(path)) from e
    data.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return config_from_dict(data, root, str(path))
