"""Jinja2 rendering with memoisation.

Each output file is a template plus a small, JSON-serialisable context. Its memo key is a hash
of that exact context, the body it shows and the theme's files, so an unchanged key means
unchanged bytes: correct by construction, with no dependency graph to drift.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.compiler
import jinja2.filters
import jinja2.nodes
import jinja2.runtime
import jinja2.utils
import markupsafe

from . import __version__
from .links import rewrite


def default_theme_dir() -> Path:
    """The default theme: inside the installed package, or the repository's templates/."""
    here = Path(__file__).resolve().parent
    packaged = here / "theme"
    if packaged.is_dir():
        return packaged
    return here.parent / "templates"


@dataclass(slots=True, unsafe_hash=True)  # immutable by convention: see taxonomy.Entry
class Job:
    path: str  # output path
    template: str
    context: dict | None  # None: made on demand by the plan (``Plan.context``) from ``spec``
    body_id: str | None = None  # source path of the article whose body the page shows
    body_key: str | None = None  # changes whenever that body changes
    memo: str | None = None  # digest of everything the (not yet built) context is made from
    spec: tuple | None = None  # how the plan makes the context: small and picklable


def _theme_files(dirs: list[Path]) -> list[tuple[str, Path]]:
    seen: dict[str, Path] = {}
    for d in dirs:  # earlier dirs override later ones
        if not d.is_dir():
            continue
        for p in sorted(d.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                seen.setdefault(p.relative_to(d).as_posix(), p)
    return sorted(seen.items())


# What ``{{ x }}`` writes under autoescape. Jinja's ``escape`` wraps every escaped string in a
# ``Markup`` (a Python-level constructor: ~30% of a list page's render time); its result only ever
# goes into the joined output (a page, or a macro's or a block's text, which Jinja marks as Markup
# itself), where a plain escaped ``str`` gives the same characters. Strings are escaped by
# MarkupSafe's own C function; anything else (Markup, numbers, undefined) by ``escape`` itself.
_escape_inner = getattr(markupsafe, "_escape_inner", None)  # (MarkupSafe >= 3.0)


def _escape_str(s, _inner=_escape_inner, _str=str, _escape=markupsafe.escape):
    return _inner(s) if type(s) is _str else _escape(s)


# _CodeGenerator, _Context and _Environment.make_globals below override internals of Jinja 3.1
# (its code generator's methods, Context.call, make_globals), compared with Jinja's own code by
# tests/test_render_fast.py on 3.1 only: with any other Jinja the environment is Jinja's own way
# (the same pages, rendered more slowly), so a new Jinja cannot change what a site renders.
_TUNED = _escape_inner is not None and jinja2.__version__.startswith("3.1.")


_DICT_ATTRS = frozenset(dir(dict))
_STR_ATTRS = frozenset(a for a in dir(str) if a.isidentifier() and not a.startswith("_"))
_BUILTIN = type(len)  # a function or method written in C: it cannot carry a ``jinja_pass_arg``
# A template's macro: Jinja's ``Macro``, whose ``__call__`` (and nothing else) asks for the eval
# context (checked here, so that another Jinja's macros take Jinja's own way).
_MACRO = jinja2.runtime.Macro
_MACRO_TAKES_EVAL_CTX = (not hasattr(_MACRO, "jinja_pass_arg")
                         and getattr(_MACRO.__call__, "jinja_pass_arg", None) is jinja2.utils._PassArg.eval_context)


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, with the same results from cheaper code:

    - ``_escape_str`` (written inline) for the output of ``{{ ... }}`` where autoescape is known
      to be on at compile time (where an ``{% autoescape %}`` block makes it depend on run time,
      Jinja's own code is kept);
    - the parts of one output node (text and ``{{ ... }}`` between two statements) yielded as one
      string, joined, and so is the whole output of a block, or of the template extended (a part
      yielded passes through every generator of the page, the blocks and the templates they
      extend: now through one);
    - ``x.name`` looked up in a plain dict inline, and a str's own method (``s.format``) taken
      from a str inline, with ``_Environment.getattr`` (a Python call per lookup) asked only for
      anything else: the same value, or the same undefined."""

    def visit_Template(self, node, frame=None) -> None:
        super().visit_Template(node, frame)
        # (run before any render)
        self.writeline(f"from {__name__} import _escape_str as _sitegen_escape, _escape_inner as _sitegen_escape_inner, "
                       "_join as _sitegen_join")
        self.writeline("from markupsafe import escape as _sitegen_markup_escape")

    def _output_child_pre(self, node, frame, finalize) -> None:
        if not frame.eval_ctx.volatile and frame.eval_ctx.autoescape:
            if finalize.src is None:  # (_escape_str, inline)
                self.write("(_sitegen_escape_inner(_sitegen_v) if type(_sitegen_v := ")
            else:
                self.write("_sitegen_escape(" + finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node, frame, finalize) -> None:
        if not frame.eval_ctx.volatile and frame.eval_ctx.autoescape and finalize.src is None:
            self.write(") is str else _sitegen_markup_escape(_sitegen_v))")
        else:
            super()._output_child_post(node, frame, finalize)

    def visit_Output(self, node, frame) -> None:
        """Jinja's ``visit_Output`` (3.1), with the parts of the node yielded as one string
        when there is no buffer (a macro's, a filter block's: these extend it, as Jinja does)."""
        if frame.buffer is not None:
            return super().visit_Output(node, frame)
        if frame.require_output_check:
            if self.has_known_extends:
                return
            self.writeline("if parent_template is None:")
            self.indent()
        finalize = self._make_finalize()
        body: list = []
        for child in node.nodes:
            try:
                if not (finalize.const or isinstance(child, jinja2.nodes.TemplateData)):
                    raise jinja2.nodes.Impossible()
                const = self._output_child_to_const(child, frame, finalize)
            except (jinja2.nodes.Impossible, Exception):
                body.append(child)
                continue
            if body and isinstance(body[-1], list):
                body[-1].append(const)
            else:
                body.append([const])
        if len(body) > 1:
            self.writeline("yield _sitegen_join((")
            self.indent()
        for item in body:
            if isinstance(item, list):
                self.writeline(("yield " if len(body) == 1 else "") + self._output_const_repr(item)
                               + ("," if len(body) > 1 else ""))
            else:
                if len(body) == 1:
                    self.writeline("yield ", item)
                else:
                    self.newline(item)
                self._output_child_pre(item, frame, finalize)
                self.visit(item, frame)
                self._output_child_post(item, frame, finalize)
                if len(body) > 1:
                    self.write(",")
        if len(body) > 1:
            self.outdent()
            self.writeline("))")
        if frame.require_output_check:
            self.outdent()

    def writeline(self, x: str, node=None, extra: int = 0) -> None:
        if x.startswith("yield from context.blocks[") or x == "yield from parent_template.root_render_func(context)":
            x = "yield _sitegen_join(" + x[len("yield from "):] + ")"  # (a block, or the template extended)
        super().writeline(x, node, extra)

    @jinja2.compiler.optimizeconst
    def visit_Getattr(self, node, frame) -> None:
        if self.environment.is_async or node.attr in _DICT_ATTRS:
            return jinja2.compiler.CodeGenerator.visit_Getattr.__wrapped__(self, node, frame)
        name = repr(node.attr)
        self.write("(_sitegen_o[" + name + "] if type(_sitegen_o := ")
        self.visit(node.node, frame)
        self.write(") is dict and " + name + " in _sitegen_o else ")
        if node.attr in _STR_ATTRS:  # (a str's own method: ``t.date_format.format``)
            self.write("_sitegen_o." + node.attr + " if type(_sitegen_o) is str else ")
        self.write("environment.getattr(_sitegen_o, " + name + "))")


_join = "".join


class _Context(jinja2.runtime.Context):
    """Jinja's context, whose ``call`` (every ``f(...)`` of a template) calls a C function or
    method (``t.date_format.format(...)``, once per list item) straight away, and a macro with
    the eval context first: that is all Jinja's own ``call`` does for them, after looking for a
    ``jinja_pass_arg`` twice (a C function cannot carry one; a macro's ``__call__`` asks for the
    eval context), and dropping the loop and block variables it is handed."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        kind = type(__obj)
        if kind is _MACRO and _MACRO_TAKES_EVAL_CTX:
            args = (__self.eval_ctx, *args)  # (what Jinja's call hands a macro's __call__)
        elif kind is not _BUILTIN:
            return jinja2.runtime.Context.call(__self, __obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


class _Environment(jinja2.Environment):
    """Jinja's environment, with ``item.name`` on a plain dict looked up as the key directly,
    ``_CodeGenerator``'s code, ``_Context``'s calls and plain dicts of globals (``make_globals``).

    Jinja tries ``getattr(obj, name)`` first and falls back to ``obj[name]``: on the plain dicts
    every render context is made of, that raises and catches an AttributeError per ``{{ x.y }}``
    (~150 a page). A dict has no attributes but those of ``dict`` itself, so for any other name
    the fallback is all Jinja would do: the same value, or the same undefined."""

    def getattr(self, obj, attribute: str):
        if type(obj) is dict and attribute not in _DICT_ATTRS:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    if _TUNED:
        code_generator_class = _CodeGenerator
        context_class = _Context

        def make_globals(self, d):
            """Jinja's ``ChainMap(d, self.globals)`` as one dict of the same items: a Python-level
            ChainMap was copied item by item into every page's context, and compared key by key
            with the render's for each ``{% from ... import %}``. (Renderer sets the environment's
            globals once, before it loads any template: a ChainMap would show no later change.)"""
            merged = dict(self.globals)
            if d:
                merged.update(d)
            return merged


# The JSON the theme's ``tojson`` writes (the environment's ``json.dumps_kwargs`` policy), and an
# encoder of it made once: ``json.dumps`` makes one per call for any argument but the defaults.
_JSON_KWARGS = {"sort_keys": True, "ensure_ascii": False}
_JSON_ENCODER = json.JSONEncoder(**_JSON_KWARGS)


@jinja2.pass_eval_context
def _tojson(eval_ctx, value, indent=None):
    """Jinja's ``tojson`` (``htmlsafe_json_dumps``), by ``_JSON_ENCODER`` while the policies are
    the renderer's own."""
    policies = eval_ctx.environment.policies
    if indent is not None or policies["json.dumps_function"] is not None or policies["json.dumps_kwargs"] != _JSON_KWARGS:
        return jinja2.filters.do_tojson(eval_ctx, value, indent)
    return markupsafe.Markup(_JSON_ENCODER.encode(value).replace("<", "\\u003c").replace(">", "\\u003e")
                             .replace("&", "\\u0026").replace("'", "\\u0027"))


# (template folders, theme hash, language) -> (environment, strings, compiled templates)
_ENV_CACHE: dict[tuple, tuple[jinja2.Environment, dict, dict[str, jinja2.Template]]] = {}


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Never fails a build: the folder is made when missing (the cache folder may be deleted at
    any time, even while ``sitegen serve`` runs) and a write that fails is skipped."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        # (the compiled code depends on the code generator too: never one of another generator)
        return super().get_cache_key(f"{name}\0{_CODEGEN}", filename)

    def dump_bytecode(self, bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


_CODEGEN = "sitegen-4" if _TUNED else "jinja"


def _bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache | None:
    return None if folder is None else _BytecodeCache(str(folder))


class Renderer:
    def __init__(self, site_templates: Path | None, language: str, bytecode_dir: Path | None = None):
        """``bytecode_dir``: where compiled templates are kept between processes (Jinja's
        ``FileSystemBytecodeCache``: each entry is checked against its template's source
        checksum and Jinja's bytecode version, and written atomically); compiling the theme was
        ~50 ms of every rebuild that renders anything."""
        self.dirs = [d for d in (site_templates, default_theme_dir()) if d is not None and d.is_dir()]
        # De-duplicate (in this repository the site's templates/ *is* the default theme).
        uniq: list[Path] = []
        for d in self.dirs:
            if d.resolve() not in [u.resolve() for u in uniq]:
                uniq.append(d)
        self.dirs = uniq
        h = hashlib.sha256(__version__.encode())
        for rel, p in _theme_files(self.dirs):
            h.update(rel.encode() + b"\0" + p.read_bytes() + b"\0")
        self.theme_hash = h.hexdigest()
        # The compiled environment is reused by later builds in the same process (``sitegen serve``)
        # while the theme's files are byte for byte the same: compiling the templates is most of a
        # small rebuild's render time. Any edit changes the hash, hence a fresh environment.
        cache_key = (tuple(str(d) for d in self.dirs), self.theme_hash, language, str(bytecode_dir))
        cached = _ENV_CACHE.get(cache_key)
        if cached is not None:
            self.env, self.strings, self._templates = cached
            return
        self.env = _Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            auto_reload=False,  # the cache key above is what decides when templates are stale
            bytecode_cache=_bytecode_cache(bytecode_dir),
        )
        self.strings = self._strings(language)
        self.env.policies["json.dumps_kwargs"] = dict(_JSON_KWARGS)
        self.env.filters["tojson"] = _tojson
        # Interface strings are the same for every page: a global, so imported macros see them too.
        self.env.globals["t"] = self.strings
        self._templates: dict[str, jinja2.Template] = {}
        _ENV_CACHE.clear()  # one theme at a time: an edited theme's old environment is garbage
        _ENV_CACHE[cache_key] = (self.env, self.strings, self._templates)

    def _strings(self, language: str) -> dict:
        table: dict = {}
        for d in reversed(self.dirs):  # site overrides theme
            f = d / "strings.toml"
            if f.is_file():
                for lang, strings in tomllib.loads(f.read_text(encoding="utf-8")).items():
                    table.setdefault(lang, {}).update(strings)
        lang = language if language in table else next(
            (k for k in table if k.split("-")[0] == language.split("-")[0]), "zh-CN")
        base = dict(table.get("zh-CN", {}))
        base.update(table.get(lang, {}))
        return base

    def static_files(self) -> list[tuple[str, Path]]:
        """(output path, file) of the theme's static assets, site overrides first."""
        return [(f"static/{rel[len('static/'):]}", p) for rel, p in _theme_files(self.dirs)
                if rel.startswith("static/")]

    def key(self, job: Job) -> str:
        """The memo key: the theme, the template and the context (or the digest of what it is
        made from), and the body."""
        h = hashlib.sha256(self.theme_hash.encode())
        h.update(job.template.encode() + b"\0")
        if job.memo is not None:
            h.update(b"memo\0" + job.memo.encode())
        else:
            h.update(json.dumps(job.context, ensure_ascii=False, sort_keys=True, default=str).encode())
        h.update(b"\0" + (job.body_key or "").encode())
        return h.hexdigest()

    def render(self, job: Job, body: str | None = None, context: dict | None = None) -> bytes:
        """Render a job; ``context``: its context when the job carries none."""
        template = self._templates.get(job.template)
        if template is None:
            template = self._templates[job.template] = self.env.get_template(job.template)
        ctx = dict(job.context if context is None else context)
        if body is not None:
            rules = ctx.get("body_rules")
            if rules:
                body = rewrite(body, rules["links"], rules["images"])
            ctx["body"] = body
        return template.render(ctx).encode("utf-8")
