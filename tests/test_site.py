"""The built documentation site, looked at as a user would: in headless Chromium, offline.

Needs the built site (``docs/_build/html``, see README's build command) and Chromium (the system
package); without either every test here is skipped, unless ``BOOSTFOCAL_REQUIRE_SITE=1`` (set by
``.ci/run`` after it builds the site), which makes a missing site or browser a failure.

Three pages are opened: the home page, one API page with formulas and one gallery page with a
figure.  Each is copied with the whole site into a temporary folder and given a small script that,
once MathJax has typeset the page, writes each image's natural size into the DOM; Chromium runs
with every host name unresolvable, so a page that needed a CDN would show its TeX raw.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("BOOSTFOCAL_SITE", ROOT / "docs" / "_build" / "html"))
REQUIRED = os.environ.get("BOOSTFOCAL_REQUIRE_SITE") == "1"

#: Pages opened in the browser, relative to the site's root, and what each must show.
HOME = "index.html"
API_PAGE = "api/generated/boostfocal.BinaryFocalLoss.html"
GALLERY_PAGE = "auto_examples/plot_posterior_calibration.html"

#: Written into each page before ``</body>``: after MathJax's typesetting (or at once without
#: MathJax), record each image's natural size and mark the page checked.
PROBE = """<script>
window.addEventListener("load", function () {
  var ready = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
  ready.then(function () {
    Array.prototype.forEach.call(document.images, function (im) {
      im.setAttribute("data-natural", im.naturalWidth + "x" + im.naturalHeight);
    });
    document.body.setAttribute("data-site-check", "done");
  });
});
</script>"""


def _missing(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason + " (BOOSTFOCAL_REQUIRE_SITE=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / HOME).is_file():
        _missing(f"no built site at {SITE}")
    return SITE


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    _missing("no Chromium")
    raise AssertionError  # unreachable: _missing raises


@pytest.fixture(scope="module")
def site_copy(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, copied, each page to open given :data:`PROBE` as ``_probe_<name>``."""
    copy = tmp_path_factory.mktemp("site") / "html"
    shutil.copytree(site, copy)
    for page in (HOME, API_PAGE, GALLERY_PAGE):
        source = copy / page
        html = source.read_text(encoding="utf-8")
        assert "</body>" in html, page
        source.with_name(f"_probe_{source.name}").write_text(html.replace("</body>", PROBE + "</body>"), "utf-8")
    return copy


def _chromium_args(chromium: str, *extra: str) -> list[str]:
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: no host name resolves
        "--virtual-time-budget=30000",
        *extra,
    ]


def render(chromium: str, site_copy: Path, page: str) -> str:
    """The DOM of ``page`` after its scripts ran (``--dump-dom``)."""
    probe = (site_copy / page).with_name(f"_probe_{Path(page).name}")
    proc = subprocess.run(
        [*_chromium_args(chromium, "--dump-dom"), probe.as_uri()], capture_output=True, text=True, timeout=180
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert 'data-site-check="done"' in dom, f"{page}: the page's scripts did not finish"
    return dom


def _without_scripts(dom: str) -> str:
    return re.sub(r"<script\b.*?</script>", "", dom, flags=re.S | re.I)


def assert_typeset(dom: str, page: str) -> int:
    """Every ``math`` element holds MathJax's output and no TeX is left in the page's text;
    the number of formulas."""
    body = _without_scripts(dom)
    starts = [m.end() for m in re.finditer(r'<(?:span|div) class="math notranslate nohighlight">', body)]
    raw = [body[s : s + 80] for s in starts if not body[s : s + 400].lstrip().startswith("<mjx-container")]
    assert not raw, f"{page}: formulas left untypeset: {raw[:3]}"
    text = re.sub(r"<[^>]+>", " ", body)
    tex = re.findall(r"\\[(\[]|\\(?:frac|gamma|alpha|sigma|log|sum)\b", text)
    assert not tex, f"{page}: raw TeX in the rendered text: {tex[:5]}"
    return len(starts)


def natural_sizes(dom: str) -> dict[str, tuple[int, int]]:
    """``src -> (naturalWidth, naturalHeight)`` of every image of the rendered page."""
    sizes = {}
    for tag in re.findall(r"<img\b[^>]*>", dom):
        src = re.search(r'\bsrc="([^"]*)"', tag)
        natural = re.search(r'\bdata-natural="(\d+)x(\d+)"', tag)
        assert src and natural, tag
        sizes[src.group(1)] = (int(natural.group(1)), int(natural.group(2)))
    return sizes


def test_home_page_typesets_its_formulas(chromium: str, site_copy: Path) -> None:
    dom = render(chromium, site_copy, HOME)
    assert assert_typeset(dom, HOME) >= 1
    assert "boostfocal" in dom


def test_api_page_typesets_its_formulas(chromium: str, site_copy: Path) -> None:
    dom = render(chromium, site_copy, API_PAGE)
    assert assert_typeset(dom, API_PAGE) >= 2  # the loss and its derivatives
    assert "grad_hess" in dom and "posterior" in dom


def test_gallery_page_shows_its_figure(chromium: str, site_copy: Path) -> None:
    dom = render(chromium, site_copy, GALLERY_PAGE)
    sizes = natural_sizes(dom)
    figures = {src: size for src, size in sizes.items() if "sphx_glr_" in src}
    assert figures, f"{GALLERY_PAGE}: no figure of the script"
    broken = {src: size for src, size in sizes.items() if min(size) == 0}
    assert not broken, f"{GALLERY_PAGE}: images that did not load: {broken}"
    assert "sphx-glr-script-out" in dom, f"{GALLERY_PAGE}: the script's printed output is missing"


def test_screenshot_of_the_gallery_page(chromium: str, site_copy: Path) -> None:
    """A screenshot of the rendered page is a non-trivial PNG (``BOOSTFOCAL_SCREENSHOTS=folder`` keeps it)."""
    folder = Path(os.environ.get("BOOSTFOCAL_SCREENSHOTS", site_copy.parent))
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "gallery_page.png"
    page = (site_copy / GALLERY_PAGE).with_name(f"_probe_{Path(GALLERY_PAGE).name}")
    proc = subprocess.run(
        [*_chromium_args(chromium, f"--screenshot={shot}", "--window-size=1280,1600"), page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_every_example_ran_during_the_build(site: Path) -> None:
    """Each script of ``examples/`` has its gallery page, with the output it printed when run."""
    scripts = sorted((ROOT / "examples").glob("*.py"))
    assert scripts
    not_run = []
    for script in scripts:
        page = site / "auto_examples" / f"{script.stem}.html"
        if not page.is_file() or "sphx-glr-script-out" not in page.read_text(encoding="utf-8"):
            not_run.append(script.name)
    assert not not_run, f"gallery pages without the script's output (not executed): {not_run}"


def test_no_raw_tex_on_pages_without_mathjax(site: Path) -> None:
    """A page that does not load MathJax shows no TeX (a title with math, linked from elsewhere,
    would show ``\\(\\sigma(z)\\)`` there)."""
    raw = {}
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if "mathjax/tex-chtml.js" in html:
            continue
        text = re.sub(r"<[^>]+>", " ", _without_scripts(html))
        found = re.findall(r"\\\(.{0,30}", text)
        if found:
            raw[str(page.relative_to(site))] = found[:2]
    assert not raw, f"raw TeX on pages without MathJax: {raw}"


def test_no_page_loads_from_another_host(site: Path) -> None:
    """Scripts, style sheets and images of every built page are files of the site (no CDN)."""
    remote = re.compile(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="(?:https?:)?//[^"]*"', re.I)
    found = {
        str(page.relative_to(site)): remote.findall(page.read_text(encoding="utf-8"))[:2]
        for page in site.rglob("*.html")
        if remote.search(page.read_text(encoding="utf-8"))
    }
    assert not found, f"pages loading from other hosts: {found}"
