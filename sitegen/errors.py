"""Exceptions shared across stages."""


class SitegenError(Exception):
    """Base class for errors sitegen reports to the user."""


class PageError(SitegenError):
    """One source page cannot be turned into a record (unreadable, empty, binary, too big...).

    The message is the reason, one line; the build reports it with the page's path and goes on.
    """


class ConfigError(SitegenError):
    """sitegen.toml is invalid. ``problems`` lists every problem found, not only the first."""

    def __init__(self, problems: list[str], path: str = "sitegen.toml"):
        self.problems = list(problems)
        self.path = path
        super().__init__(f"{path}: " + "; ".join(self.problems))


class BuildError(SitegenError):
    """The build cannot complete (template error...). The previous site is left untouched."""
