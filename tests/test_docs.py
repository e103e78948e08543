"""The documentation runs: README's Python blocks, the example scripts, and the API docstrings.

- Every fenced ``python`` block of ``README.md`` and every ``.. code-block:: python`` of the
  site's pages (``docs/*.rst``, ``docs/user_guide/*.rst``) is extracted from the file itself, saved as a
  script and run as a reader would run it, ``python block.py`` in a fresh process and an empty
  folder (the blocks are self-contained and use small data; all start at once, so the suite waits
  for the slowest, not their sum).  A block that needs an optional engine or extra (LightGBM,
  XGBoost, Dask, matplotlib) is skipped when it is absent, decided from the block's imports and
  the estimators and tuner engine it names.
- Every script under ``examples/`` runs in a subprocess on small data (``--rows``), exit status 0.
- Every public name (``__all__`` of ``boostfocal`` and of each public submodule) has a docstring,
  and so has every public method and property its classes define; the losses and the numeric
  functions give their formula or a reference: an equation (``a = b`` with spaces, not a
  ``name=value`` default), a mathematical expression (``sum_i``, ``dL/dz``, ``log``, ...) or a
  citation (``et al.``, a URL), outside doctest lines.
- The commands README promises (the test command CI runs, the one-line main job, the site's build
  that ``.ci/run`` runs) are there verbatim, README stays within 150 lines, and the repository files
  it links to exist.
- The docstring examples (``>>>``) of every module of the package pass as doctests.
- No ``.py`` file of the package holds a control character other than tab and newline (a ``\a``
  written in a non-raw docstring becomes a BEL character, and ``help()`` prints "lpha").
"""

from __future__ import annotations

import ast
import doctest
import importlib
import importlib.util
import inspect
import os
import pkgutil
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import boostfocal as bf

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))

sys.path.insert(0, str(ROOT / "docs"))
from sphinxext_gallery import GALLERY_ARGS, GALLERY_DEFAULT_ARGS  # noqa: E402  (the site's build uses the same)

#: Small-data arguments for each example script (all take ``--rows``; Dask's also ``--rounds``),
#: the same the site's build gives them.
EXAMPLE_ROWS = int(GALLERY_DEFAULT_ARGS[GALLERY_DEFAULT_ARGS.index("--rows") + 1])
EXAMPLE_ARGS = GALLERY_ARGS
DEFAULT_EXAMPLE_ARGS = GALLERY_DEFAULT_ARGS


# --------------------------------------------------------------------------------------------
# Finding the blocks and what they need
# --------------------------------------------------------------------------------------------


def python_blocks(text: str) -> list[tuple[int, str]]:
    """``(line number of the opening fence, code)`` of every fenced ``python`` block of ``text``."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            start, body = i + 1, []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise AssertionError(f"README.md:{start}: unclosed ```python block")
            blocks.append((start, "\n".join(body) + "\n"))
        i += 1
    return blocks


def requirements(code: str) -> set[str]:
    """Optional top-level modules ``code`` needs: imported ones, and those implied by the names used."""
    tree = ast.parse(code)
    needed: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            needed.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            needed.add(node.module.split(".")[0])
            if node.module == "boostfocal":  # from boostfocal import lightgbm as bfl, dask as bfd
                needed.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Attribute) and node.attr in ("FocalLGBMClassifier", "FocalXGBClassifier"):
            needed.add("lightgbm" if "LGBM" in node.attr else "xgboost")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "tune":
                engine = next((k.value for k in node.keywords if k.arg == "engine"), None)
                value = engine.value if isinstance(engine, ast.Constant) else "lightgbm"
                needed.add(str(value))
            elif node.func.attr == "plot":
                needed.add("matplotlib")
    if "dask" in needed and "lightgbm" in needed:
        needed.add("pyarrow")  # lightgbm.dask imports dask.dataframe, which needs pyarrow
    if "dask" in needed:
        needed.add("distributed")
    return needed


OPTIONAL = (
    "lightgbm",
    "xgboost",
    "dask",
    "distributed",
    "pyarrow",
    "matplotlib",
    "pandas",
    "shap",
    "onnxruntime",
    "onnx",
)


def skip_missing(needed: set[str]) -> None:
    for module in OPTIONAL:
        if module in needed:
            pytest.importorskip(module)


def pending_names(code: str) -> set[str]:
    """``bf.<name>`` attributes used by ``code`` that this build of boostfocal lacks."""
    used = {
        node.attr
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "bf"
    }
    return {name for name in used if not hasattr(bf, name)}


#: The environment of a README block's process: this checkout's boostfocal, no display, one
#: OpenMP thread per engine (on a loaded machine a multi-threaded engine spends most of a small
#: fit waiting at its barriers), and one core for joblib, so that ``bf.tune`` fits in its own
#: process instead of starting worker processes that each import the engines again (the tuner's
#: parallel path is tested in ``test_tuning_parallel.py``).
BLOCK_ENV = {
    "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    "MPLBACKEND": "Agg",
    "OMP_NUM_THREADS": "1",
    "LOKY_MAX_CPU_COUNT": "1",
}
#: Seconds a README block may take as a script, all blocks running at once on a loaded machine.
BLOCK_TIMEOUT = 600


def installed(needed: set[str]) -> bool:
    """Whether every optional module of ``needed`` is installed (found, not imported)."""
    return all(importlib.util.find_spec(m) is not None for m in OPTIONAL if m in needed)


def rst_python_blocks(text: str) -> list[tuple[int, str]]:
    """``(line number of the directive, code)`` of every ``.. code-block:: python`` of ``text``."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if lines[i].strip() == ".. code-block:: python":
            start, indent = i + 1, len(lines[i]) - len(lines[i].lstrip())
            i += 1
            while i < len(lines) and lines[i].strip().startswith(":"):  # directive options
                i += 1
            body = []
            while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                body.append(lines[i])
                i += 1
            code = textwrap.dedent("\n".join(body)).strip("\n")
            assert code, f"line {start}: an empty code block"
            blocks.append((start, code + "\n"))
        else:
            i += 1
    return blocks


README_TEXT = README.read_text(encoding="utf-8")
README_BLOCKS = python_blocks(README_TEXT)
GUIDE = sorted((ROOT / "docs").glob("*.rst")) + sorted((ROOT / "docs" / "user_guide").glob("*.rst"))
#: Every Python block a reader may copy: README's and the site's pages', as ``(where, code)``.
DOC_BLOCKS = [(f"README.md:{line}", code) for line, code in README_BLOCKS] + [
    (f"{page.relative_to(ROOT)}:{line}", code)
    for page in GUIDE
    for line, code in rst_python_blocks(page.read_text(encoding="utf-8"))
]


# --------------------------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------------------------


def test_readme_has_python_blocks() -> None:
    assert len(README_BLOCKS) >= 5, "README.md: expected the losses, engines, saving and tuner blocks"


def test_the_site_pages_have_python_blocks() -> None:
    """The user guide's examples are found (and so run by :func:`test_doc_block_runs`)."""
    guide = [where for where, _ in DOC_BLOCKS if where.startswith("docs")]
    assert len(guide) >= 10, guide
    assert rst_python_blocks(".. code-block:: python\n   :caption: x\n\n   a = 1\n\n   b = 2\ntext\n") == [
        (1, "a = 1\n\nb = 2\n")
    ]


@pytest.fixture(scope="module")
def block_scripts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, subprocess.Popen[str]]]:
    """Every block of :data:`DOC_BLOCKS` that can run here, saved as ``block.py`` in an empty folder
    of its own and started as ``python block.py``, all at once; the processes by the block's place."""
    procs: dict[str, subprocess.Popen[str]] = {}
    for n, (where, code) in enumerate(DOC_BLOCKS):
        if not installed(requirements(code)) or pending_names(code):
            continue
        folder = tmp_path_factory.mktemp(f"block_{n}")
        (folder / "block.py").write_text(code, encoding="utf-8")
        procs[where] = subprocess.Popen(
            [sys.executable, "block.py"],
            cwd=folder,
            env={**os.environ, **BLOCK_ENV},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    yield procs
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.mark.parametrize(("where", "code"), DOC_BLOCKS, ids=[where for where, _ in DOC_BLOCKS])
def test_doc_block_runs(where: str, code: str, block_scripts: dict[str, subprocess.Popen[str]]) -> None:
    """One block of README or of the site's pages, saved as a script, runs in a fresh process with
    exit status 0."""
    needed = requirements(code)
    for module in OPTIONAL:
        if module in needed and importlib.util.find_spec(module) is None:
            pytest.skip(f"{where} needs {module}, which is not installed")
    missing = pending_names(code)
    assert not missing, f"{where} uses {sorted(missing)}, which boostfocal does not have"
    proc = block_scripts[where]
    _, err = proc.communicate(timeout=BLOCK_TIMEOUT)
    assert proc.returncode == 0, f"{where} failed as a script (exit status {proc.returncode}):\n{err[-4000:]}"


def test_requirements_are_detected() -> None:
    """The skip logic reads imports, estimator names and the tuner's engine."""
    assert {"lightgbm", "xgboost"} <= requirements("import lightgbm as lgb\nimport xgboost\n")
    assert "lightgbm" in requirements("import boostfocal as bf\nbf.FocalLGBMClassifier()\n")
    assert "xgboost" in requirements("import boostfocal as bf\nbf.tune(X, y, engine='xgboost')\n")
    assert "lightgbm" in requirements("import boostfocal as bf\nbf.tune(X, y)\n")
    assert {"dask", "distributed"} <= requirements("from boostfocal import dask as bfd\n")
    assert "matplotlib" in requirements("r.plot()\n")
    assert not requirements("import numpy as np\nimport boostfocal as bf\n") & set(OPTIONAL)


def test_readme_commands_are_verbatim() -> None:
    """CI runs the test command as README writes it; the main job is one line on the built-in data."""
    assert (
        'python3 -m venv .venv && .venv/bin/pip install -q -e ".[test]" && .venv/bin/python -m pytest -q'
        in README_TEXT.splitlines()
    )
    main_job = [line for line in README_TEXT.splitlines() if line.startswith("python3 -m venv") and " tune" in line]
    assert len(main_job) == 1
    assert re.fullmatch(r"python3 -m venv \.venv && \.venv/bin/pip install -q -e \"\.\[[a-z,]+\]\" && "
                        r"\.venv/bin/boostfocal tune", main_job[0]), main_job[0]  # fmt: skip


def test_readme_is_short() -> None:
    assert len(README_TEXT.splitlines()) <= 150  # the front door: the rest is in the site (docs/)


#: The command that builds the site: README gives it, ``.ci/run`` runs its build step.
SITE_BUILD = "python -m sphinx -W --keep-going -n -b html docs docs/_build/html"


def test_site_build_command_is_the_one_ci_runs() -> None:
    """README's one-line build of the site (warnings as errors, nitpicky) is what ``.ci/run`` runs."""
    readme = [line for line in README_TEXT.splitlines() if SITE_BUILD in line]
    assert readme == [f'python3 -m venv .venv && .venv/bin/pip install -q -e ".[docs]" && .venv/bin/{SITE_BUILD}'], (
        readme
    )
    assert f".venv/bin/{SITE_BUILD}" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _relative_links(text: str) -> set[str]:
    links = set(re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text))
    return {link for link in links if not re.match(r"[a-z]+://", link)}


@pytest.mark.parametrize("doc", ["README.md", "benchmarks/README.md", "CHANGELOG.md"])
def test_linked_files_exist(doc: str) -> None:
    """Every relative link of the user-facing documents points at a file of the repository."""
    path = ROOT / doc
    links = _relative_links(path.read_text(encoding="utf-8"))
    missing = sorted(link for link in links if not (path.parent / link).exists())
    assert not missing, f"{doc} links to missing files: {missing}"


def test_license_is_the_mit_text_pyproject_names() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'license\s*=\s*\{\s*text\s*=\s*"MIT"\s*\}', pyproject)
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text


def test_changelog_has_the_current_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[?{re.escape(bf.__version__)}\]?", text, re.M), bf.__version__


# --------------------------------------------------------------------------------------------
# Examples
# --------------------------------------------------------------------------------------------


def _script_requirements(path: Path) -> set[str]:
    return requirements(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_on_small_data(script: Path) -> None:
    skip_missing(_script_requirements(script))
    args = EXAMPLE_ARGS.get(script.name, DEFAULT_EXAMPLE_ARGS)
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        MPLBACKEND="Agg",
        OMP_NUM_THREADS="1",
    )
    proc = subprocess.run(
        [sys.executable, str(script), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, f"{script.name} {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    assert f"{EXAMPLE_ROWS:,} rows" in proc.stdout, f"{script.name} ignored --rows {EXAMPLE_ROWS}:\n{proc.stdout}"


def test_there_are_examples() -> None:
    assert {p.name for p in EXAMPLES} >= {
        "lightgbm_example.py",
        "xgboost_example.py",
        "dask_example.py",
        "plot_tuning.py",
        "plot_posterior_calibration.py",
        "plot_hessian_policies.py",
    }


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_is_a_gallery_script(script: Path) -> None:
    """sphinx-gallery needs a module docstring that opens with a reStructuredText title."""
    doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8")), clean=True) or ""
    lines = doc.splitlines()
    assert len(lines) >= 2 and lines[0].strip(), f"{script.name}: the docstring has no title line"
    assert set(lines[1]) == {"="} and len(lines[1]) >= len(lines[0]), f"{script.name}: title not underlined with '='"


# --------------------------------------------------------------------------------------------
# Docstrings: the API reference
# --------------------------------------------------------------------------------------------


def _public_modules() -> list[str]:
    return ["boostfocal"] + [
        f"boostfocal.{info.name}" for info in pkgutil.iter_modules(bf.__path__) if not info.name.startswith("_")
    ]


def _import_or_skip(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as exc:  # an engine module without its engine
        pytest.skip(f"{name}: {exc}")


def _public_callables(module) -> list[tuple[str, object]]:
    """``(qualified name, object)`` for each function/class in ``__all__`` and each public member
    (method, property, class/static method) its classes define themselves."""
    out: list[tuple[str, object]] = []
    for name in module.__all__:
        obj = getattr(module, name)
        if not (inspect.isclass(obj) or callable(obj)):
            continue  # constants carry no docstring of their own
        out.append((f"{module.__name__}.{name}", obj))
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(value, (property, staticmethod, classmethod)) or inspect.isfunction(value):
                    member = value if isinstance(value, property) else getattr(obj, attr)
                    out.append((f"{module.__name__}.{name}.{attr}", member))
    return out


@pytest.mark.parametrize("module_name", _public_modules())
def test_every_public_name_has_a_docstring(module_name: str) -> None:
    """A name in ``__all__`` (or a public member of such a class) without a docstring fails.

    Inherited docstrings count (``inspect.getdoc``): an override of an engine's method keeps the
    engine's documentation.
    """
    module = _import_or_skip(module_name)
    assert inspect.getdoc(module), f"{module_name} has no module docstring"
    assert hasattr(module, "__all__"), f"{module_name} has no __all__: its public names are undefined"
    missing = [name for name, obj in _public_callables(module) if not (inspect.getdoc(obj) or "").strip()]
    assert not missing, f"no docstring: {missing}"


#: A doctest line (code, not prose).
_CODE_LINE = re.compile(r"^\s*(>>>|\.\.\.)")
#: An equation: ``=`` (or ``≈``) with a space on each side between two terms; ``default=None`` or
#: ``reference=train`` (a parameter and its value) is not one.
_EQUATION = re.compile(r"[\w)\]}|`]\s+[=≈]\s+[-\w(|`\\σ∑Σ√]")
#: Mathematical notation: a sum, a derivative, a named function of analysis, a power.
_MATH = re.compile(r"\bsum_|[Σ∑∂√∇σ]|\bd\w*/d\w+|\bargmin|\blog\b|\bexp\b|\bsoftmax\b|\bsigmoid\b|\^|\*\*|\bbincount\(")
#: A citation: "et al.", a URL, a DOI, two authors ("Nadeau & Bengio").
_REFERENCE = re.compile(r"et al\.|https?://|\bdoi\b|\b[A-Z][a-z]+ (?:&|and) [A-Z][a-z]+\b")


def _formula_or_reference(doc: str) -> bool:
    """Whether a line of ``doc`` outside its doctests states an equation, uses mathematical
    notation, or cites a source."""
    prose = [line for line in doc.splitlines() if not _CODE_LINE.match(line)]
    return any(_EQUATION.search(ln) or _MATH.search(ln) or _REFERENCE.search(ln) for ln in prose)


def test_the_formula_check_can_fail() -> None:
    """A default value, a keyword argument or a doctest is no formula; an equation, a derivative,
    a sum or a citation is."""
    for vague in (
        "Build a thing.\n\nx : int, default=None",
        "Pass it as params={'objective': f} or reference=train.",
        "A helper.\n\n>>> z = f(x)",
        "Returns the model.",
    ):
        assert not _formula_or_reference(vague), vague
    for precise in (
        "L = -alpha (1-p)^gamma log p",
        "``w_i dL/dz``",
        "``sum_i w_i L(y_i, z_i) / sum_i w_i``",
        "Inverts the minimiser (Charoenphakdee et al., CVPR 2021).",
        "Nadeau & Bengio's corrected test",
    ):
        assert _formula_or_reference(precise), precise


#: Public names that compute nothing mathematical (file input/output): they need a docstring
#: (``test_every_public_name_has_a_docstring``), not a formula.
NO_MATHEMATICS = frozenset({"save_model", "load_model"})

FORMULA_METHODS = ("loss", "grad_hess", "init_score", "posterior", "link")


@pytest.mark.parametrize("cls", sorted(bf.LOSSES.values(), key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_losses_document_their_formulas(cls: type) -> None:
    doc = inspect.getdoc(cls) or ""
    assert _EQUATION.search(doc) and re.search(r"\blog\b", doc), f"{cls.__name__}: the class docstring gives no formula"
    for method in FORMULA_METHODS:
        mdoc = inspect.getdoc(getattr(cls, method)) or ""
        assert _formula_or_reference(mdoc), f"{cls.__name__}.{method}: no formula or reference in {mdoc[:80]!r}"


@pytest.mark.parametrize("module_name", ["boostfocal", "boostfocal.lightgbm", "boostfocal.xgboost", "boostfocal.dask"])
def test_public_functions_and_classes_give_a_formula_or_reference(module_name: str) -> None:
    """Every function and class of ``boostfocal.__all__`` and of the engine modules states what it
    computes as a formula (an ``=``, a derivative) or cites its source."""
    module = _import_or_skip(module_name)
    vague = [
        name
        for name in module.__all__
        if callable(getattr(module, name))
        and name not in NO_MATHEMATICS
        and not _formula_or_reference(inspect.getdoc(getattr(module, name)) or "")
    ]
    assert not vague, f"{module_name}: no formula or reference in the docstrings of {vague}"


# --------------------------------------------------------------------------------------------
# Doctests and control characters
# --------------------------------------------------------------------------------------------


def _package_modules() -> list[str]:
    return ["boostfocal"] + [info.name for info in pkgutil.walk_packages(bf.__path__, "boostfocal.")]


@pytest.mark.parametrize("module_name", _package_modules())
def test_docstring_examples_pass(module_name: str) -> None:
    """The ``>>>`` examples of the module's docstrings run and print what they show."""
    module = _import_or_skip(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(module, module_name) if t.examples]
    for test in tests:
        runner.run(test, out=lambda _text: None)
    failed, attempted = runner.summarize(verbose=False)
    assert failed == 0, (
        f"{module_name}: {failed} of {attempted} doctest examples failed "
        f"(python -m pytest --doctest-modules {module.__file__} shows them)"
    )


#: Control characters other than tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def test_no_control_characters_in_the_package() -> None:
    """Every ``.py`` file of the package is free of control characters other than tab, LF and CR."""
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line!r}"
        for path in sorted((ROOT / "boostfocal").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1)  # not splitlines: it splits at \x0b
        if _CONTROL.search(line)
    ]
    assert not found, 'control characters (write TeX in raw strings, r"""..."""):\n' + "\n".join(found)


def test_the_control_character_check_can_fail() -> None:
    """``"\\alpha"`` outside a raw string is BEL + "lpha": the check finds it, not tab or newline."""
    assert _CONTROL.search("-\x07lpha (1-p)")
    assert _CONTROL.search("\x0b") and _CONTROL.search("\x7f")
    assert not _CONTROL.search("tab\tand newline\r\n")


def test_the_package_ships_its_type_hints() -> None:
    """PEP 561: ``py.typed`` is in the package and in its package data; mypy is strict on it, and
    the libraries without hints are named one by one, not ignored wholesale."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    assert (ROOT / "boostfocal" / "py.typed").is_file()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    assert "py.typed" in config["setuptools"]["package-data"]["boostfocal"]
    mypy = config["mypy"]
    assert mypy["strict"] is True and mypy["files"] == ["boostfocal"]
    assert "ignore_missing_imports" not in mypy, "a blanket ignore_missing_imports"
    for override in mypy.get("overrides", []):
        assert all(m.split(".")[0] != "boostfocal" for m in override["module"]), override
