"""sitegen: a static site generator for cleaned mirrors of news sites."""

__version__ = "0.1.0"
