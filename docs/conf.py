"""Sphinx configuration of the boostfocal documentation site.

Build it (warnings are errors, every reference checked, every example executed) with::

    python -m sphinx -W --keep-going -n -b html docs docs/_build/html

The API reference is generated at build time from the ``__all__`` of ``boostfocal`` and of each
public submodule (:data:`API_MODULES`), so the site documents whatever the package exports.  The
formulas are typeset by MathJax 3, copied into the built site by ``sphinx-mathjax-offline``: no page
loads anything from another host.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import sys
from pathlib import Path
from typing import Any

from sphinx.pycode import ModuleAnalyzer

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))  # sphinxext_gallery
sys.path.insert(0, str(ROOT))  # this checkout's boostfocal, also when it is not installed
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("OMP_NUM_THREADS", "1")  # small examples: one thread per engine is fastest
os.environ.setdefault("LOKY_MAX_CPU_COUNT", "1")

import boostfocal  # noqa: E402

project = "boostfocal"
author = "the boostfocal authors"
copyright = "the boostfocal authors, MIT licence"
release = version = boostfocal.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static/mathjax: no CDN
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "api/generated/*.examples"]
nitpicky = True
default_role = "py:obj"

# --------------------------------------------------------------------------------------------
# API reference: one page per public module, one page per public name, from ``__all__``
# --------------------------------------------------------------------------------------------

#: The modules users import, in the order the reference lists them.  A name exported by several
#: (``boostfocal.tune`` and ``boostfocal.tuning.tune``) is documented once (:func:`_home`).
LISTED_MODULES = (
    "boostfocal",
    "boostfocal.lightgbm",
    "boostfocal.xgboost",
    "boostfocal.dask",
    "boostfocal.tuning",
    "boostfocal.tables",
    "boostfocal.datasets",
)
#: Public submodules the reference leaves out: the command line has its user-guide page.
UNLISTED_MODULES = frozenset({"boostfocal.cli"})


def _api_modules() -> tuple[str, ...]:
    """:data:`LISTED_MODULES`, then every other public submodule with an ``__all__`` that exports
    a name none of those does (``boostfocal.losses``, whose names ``boostfocal`` exports, is not
    one): the reference follows the package as it is."""
    exported = {id(getattr(m, a)) for m in map(importlib.import_module, LISTED_MODULES) for a in m.__all__}
    extra = []
    for info in pkgutil.iter_modules(boostfocal.__path__, "boostfocal."):
        name = info.name
        if name.split(".")[-1].startswith("_") or name in LISTED_MODULES or name in UNLISTED_MODULES:
            continue
        module = importlib.import_module(name)  # the docs extra installs every optional dependency
        if any(id(getattr(module, a)) not in exported for a in getattr(module, "__all__", ())):
            extra.append(name)
    return (*LISTED_MODULES, *sorted(extra))


API_MODULES = _api_modules()


def _home(obj: object, exporters: list[str]) -> str:
    """The module whose page documents ``obj``: of the modules exporting it (the listed ones
    first), the one its ``__module__`` lies deepest in (``tune`` is ``boostfocal.tuning``'s),
    else the first."""
    listed = [m for m in exporters if m in LISTED_MODULES] or exporters
    defined = getattr(obj, "__module__", None) or ""
    inside = [m for m in listed if defined == m or defined.startswith(m + ".")]
    return max(inside, key=len) if inside else listed[0]


def _directive(obj: object) -> str:
    if inspect.isclass(obj):
        return "py:exception" if issubclass(obj, BaseException) else "py:class"
    return "py:function" if callable(obj) else "py:data"


def _is_data(obj: object) -> bool:
    return not (inspect.isclass(obj) or callable(obj) or inspect.ismodule(obj))


def _data_lines(attr: str, obj: object) -> list[str]:
    """A ``py:data`` entry for the constant ``attr``: its value when short, and the ``#:`` comment
    above its assignment in whichever module of the package assigns it."""
    value = repr(obj)
    lines = [f".. py:data:: {attr}"] + ([f"   :value: {value}"] if len(value) <= 70 and "\n" not in value else [])
    lines.append("")
    for info in pkgutil.walk_packages(boostfocal.__path__, "boostfocal."):
        module = sys.modules.get(info.name)
        if module is None or getattr(module, attr, None) is not obj:
            continue
        comment = ModuleAnalyzer.for_module(info.name).find_attr_docs().get(("", attr))
        if comment:
            lines += [f"   {line}" for line in comment]
            break
    return [*lines, ""]


def _write_api_pages() -> None:
    """Write ``api/<module>.rst`` for each of :data:`API_MODULES` from its ``__all__``.

    A name several modules export is documented (autosummary, its own page) under its home
    (:func:`_home`); the other modules list it with a cross-reference target of their own, so that
    ``boostfocal.tune`` and ``boostfocal.tuning.tune`` both resolve.
    """
    out = HERE / "api"
    out.mkdir(exist_ok=True)
    modules = {name: importlib.import_module(name) for name in API_MODULES}
    exporters: dict[int, list[str]] = {}
    for name, module in modules.items():
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                exporters.setdefault(id(obj), []).append(name)
    for name, module in modules.items():
        documented, aliases = [], []
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isclass(obj) and obj.__name__ != attr:  # ``Loss = _Loss``: its exported name
                obj.__name__ = obj.__qualname__ = attr
            home = _home(obj, exporters[id(obj)]) if id(obj) in exporters else name
            (documented if home == name else aliases).append((attr, home))
        title = f"``{name}``"
        lines = [
            title,
            "=" * len(title),
            "",
            f".. automodule:: {name}",
            "   :no-members:",
            "",
            f".. currentmodule:: {name}",
            "",
            ".. autosummary::",
            "   :toctree: generated",
            "   :nosignatures:",
            "",
            *(f"   {attr}" for attr, _ in documented if not _is_data(getattr(module, attr))),
            "",
        ]
        constants = [attr for attr, _ in documented if _is_data(getattr(module, attr))]
        if constants:
            lines += [".. rubric:: Constants", ""]
            for attr in constants:
                lines += _data_lines(attr, getattr(module, attr))
        for attr, home in aliases:
            lines += [
                f".. {_directive(getattr(module, attr))}:: {attr}",
                "   :no-index-entry:",
                "",
                f"   The same as :py:obj:`{home}.{attr}`, documented there.",
                "",
            ]
        (out / f"{name}.rst").write_text("\n".join(lines), encoding="utf-8")
    index = [
        "API reference",
        "=============",
        "",
        "Every name in the ``__all__`` of ``boostfocal`` and of the submodules users import.",
        "``boostfocal.FocalLGBMClassifier`` and ``boostfocal.FocalXGBClassifier`` are",
        ":class:`boostfocal.lightgbm.FocalLGBMClassifier` and :class:`boostfocal.xgboost.FocalXGBClassifier`,",
        "imported with their engine on first use.",
        "",
        ".. toctree::",
        "   :maxdepth: 1",
        "",
        *(f"   {name}" for name in API_MODULES),
        "",
    ]
    (out / "index.rst").write_text("\n".join(index), encoding="utf-8")


_write_api_pages()

autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # the numpydoc Parameters/Returns sections give the types
autodoc_member_order = "bysource"
numpydoc_show_class_members = False  # the class template lists the members itself
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()


def _skip_foreign_member(app: object, what: str, name: str, obj: object, skip: bool, options: object) -> bool | None:
    """Skip a member a class inherits from outside boostfocal (``LGBMClassifier.fit``,
    ``BaseEstimator.get_params``): the class pages show boostfocal's own API, inherited or not."""
    target = obj.fget if isinstance(obj, property) else getattr(obj, "__func__", obj)
    module = getattr(target, "__module__", None)
    if what == "class" and (inspect.isroutine(target) or isinstance(obj, property)) and module:
        return True if not module.startswith("boostfocal") else None
    return None


def _resolve_short_name(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve a reference to one of boostfocal's documented objects by the end of its name
    (``SoftmaxOutput`` in a docstring of ``boostfocal.BinaryFocalLoss`` is
    ``boostfocal.losses.SoftmaxOutput``) when exactly one object ends so; anything else stays
    unresolved, and ``-n -W`` reports it."""
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    domain = env.get_domain("py")
    matches = {
        name
        for name in domain.objects
        if name.startswith("boostfocal")
        and "._" not in name  # autodoc's canonical aliases (``boostfocal.losses._kinds.X``)
        and (name == target or name.endswith("." + target))
    }
    if len(matches) != 1:
        return None
    return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], matches.pop(), node, contnode)


def setup(app: Any) -> None:
    app.connect("autodoc-skip-member", _skip_foreign_member)
    app.connect("missing-reference", _resolve_short_name)


# --------------------------------------------------------------------------------------------
# Gallery: every script of examples/ runs at build time, on small data
# --------------------------------------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # execute every script, not only plot_*.py
    "reset_argv": "sphinxext_gallery.reset_argv",  # --rows 4000: small data
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "capture_repr": (),
    "matplotlib_animations": False,
    "show_memory": False,
    "write_computation_times": False,  # its pages load DataTables from a CDN
    "plot_gallery": "True",
}

# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"boostfocal {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
}
html_show_sourcelink = False

#: Names outside boostfocal that docstrings mention as references; no inventory of theirs is
#: loaded (the build is offline), so each is listed here, explicitly.
nitpick_ignore: list[tuple[str, str]] = []
