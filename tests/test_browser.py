"""A real browser test: JupyterLab on loopback, every chapter opened in headless Chromium (Debian's package, driven by
Playwright with its executable path; never a browser download) and run with "Run All" on the fast path that
`make test` runs (cells marked `#| slow` or `#| notest` are left out of the copy that is opened). `make test` runs a
few chapters live in the browser (`ALWAYS_LIVE`) and opens a sample of the others (`SHOWN_SAMPLE`) from the copy its
notebook run just executed (`_build/executed`, newer than the source), the same checks reading its outputs; the rest
of the chapters are opened that way by `make test-slow` (or with `MINIPRE_BROWSER_ALL=1`), which also runs every
chapter live except the minute-long ones (`SLOW_CHAPTERS`). Without a fresh executed copy, a chapter runs live.

For each chapter, in the rendered page: exactly one `h1` (the title), every `##` section of the source present as an
`h2`, every code cell executed with no error output, and every figure that the run produced shown as an image. A
screenshot per chapter is saved under `_build/browser/` for a person to look at. The widgets chapter is also driven: a
slider moved changes the output."""

import json, os, re, shutil, socket, subprocess, sys, time
from pathlib import Path
import pytest
from conftest import headings, md_cells

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
SHOTS = ROOT / "_build" / "browser"
CHAPTERS = sorted(p.name for p in (ROOT / "nbs").glob("*.ipynb"))
EXECUTED = ROOT / "_build" / "executed"
# run live on every `make test`: a small chapter, the training loop, and the widgets chapter (driven below)
ALWAYS_LIVE = {"01_tokenize.ipynb", "06_0_loop.ipynb", "12_widgets.ipynb"}
# a minute or so each in `make nbtest`: shown from its executed copy even in `make test-slow`
SLOW_CHAPTERS = {
    "00_big_picture.ipynb",
    "00_data.ipynb",
    "02_objectives.ipynb",
    "05_flash_attention.ipynb",
    "09_finetune.ipynb",
    "10_transfer.ipynb",
}
# opened from their executed copy on every `make test`: the opening chapter, the pretraining chapter and the largest
# (figures, tables, progress output). Each further chapter costs about 9 s of JupyterLab page load for checks that
# `make nbtest` (a cell that raises) and tests/test_render.py (headings, prose) make already; make test-slow opens all.
SHOWN_SAMPLE = {"00_big_picture.ipynb", "07_pretrain_gpt.ipynb", "10_transfer.ipynb"}
ALL_CHAPTERS = os.environ.get("MINIPRE_BROWSER_ALL") == "1"
# whole-page screenshots of every chapter, for a person to read through: make test-slow (or MINIPRE_SCREENSHOTS=1);
# make test takes them of the chapters it runs live, and the first screen of the others
FULL_SHOTS = os.environ.get("MINIPRE_SCREENSHOTS") == "1"
SKIP_FLAGS = re.compile(r"^#\|\s*(slow|notest)\b", re.M)


def ensure_chromium():
    if Path(CHROMIUM).exists():
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "Debian's chromium is not installed and cannot be installed here (needs apt-get as root)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], capture_output=True, env=env, timeout=600)
    r = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium"], capture_output=True, text=True, env=env, timeout=900
    )
    return None if Path(CHROMIUM).exists() else f"installing chromium failed: {r.stderr[-300:]}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def executed_copy(name: str, runslow: bool = False) -> Path | None:
    """`make nbtest`'s executed copy of a chapter not run live (see the module docstring), if it is there and newer than
    the source; else None (run it)."""
    ex = EXECUTED / name
    shown = name in SLOW_CHAPTERS if runslow else name not in ALWAYS_LIVE
    if not shown or not ex.exists() or ex.stat().st_mtime < (ROOT / "nbs" / name).stat().st_mtime:
        return None
    return ex


def fast_path_copy(src: Path, dest: Path):
    "The notebook as `make test` runs it: cells flagged slow or notest removed, outputs cleared."
    nb = json.loads(src.read_text())
    nb["cells"] = [c for c in nb["cells"] if not (c["cell_type"] == "code" and SKIP_FLAGS.search("".join(c["source"])))]
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            c["outputs"], c["execution_count"] = [], None
    dest.write_text(json.dumps(nb, indent=1))


@pytest.fixture(scope="module")
def lab(tmp_path_factory, request):
    why = ensure_chromium()
    if why:
        print(f"SKIPPING the browser test: {why}")
        pytest.skip(why)
    pytest.importorskip("playwright")
    pytest.importorskip("jupyterlab")
    work = tmp_path_factory.mktemp("lab")
    (work / "nbs").mkdir()
    runslow = request.config.getoption("--runslow")
    shown = {name for name in CHAPTERS if executed_copy(name, runslow)}  # opened from the executed copy, not run again
    for name in CHAPTERS:
        if name in shown:
            shutil.copy(EXECUTED / name, work / "nbs" / name)
        else:
            fast_path_copy(ROOT / "nbs" / name, work / "nbs" / name)
    shutil.copytree(ROOT / "docs", work / "docs")  # chapters read recorded results from ../docs
    # JupyterLab 4 renders only the cells in view by default: render all of them, so the whole page can be checked
    settings = work / ".jsettings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    news = work / ".jsettings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = free_port(), "minipre-test"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(work / ".jcfg"),
        "JUPYTER_DATA_DIR": str(work / ".jdata"),
        "JUPYTER_RUNTIME_DIR": str(work / ".jrun"),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
    }
    log = (work / ".jupyter.log").open("w")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jupyter"),
            "lab",
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--ServerApp.token={token}",
            f"--ServerApp.root_dir={work}",
            f"--LabApp.user_settings_dir={work / '.jsettings'}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        # its log goes to a file: a pipe nobody reads fills after 64 KB of log lines and then stops the server mid-write
        # (the likely hang of a CI run: the test waited on a server that waited on the pipe)
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    for _ in range(120):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield f"http://127.0.0.1:{port}", token, work, browser, shown
        browser.close()
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def run_all(page, url, token, name):
    "Open a chapter, wait for an idle kernel, Run All, wait until every code cell has run, save."
    page.goto(f"{url}/lab/tree/nbs/{name}?token={token}&reset", timeout=120_000)  # reset: no tabs from before
    page.wait_for_selector(".jp-Notebook", timeout=120_000)
    idle = page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\|\s*Idle"))
    idle.first.wait_for(timeout=180_000)  # the status bar says the kernel is Idle
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()
    # done when no prompt shows [*] (queued or running) and the kernel is idle again; an error stops the queue
    page.wait_for_function(
        """() => {
        const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim());
        return p.length > 0 && !p.some(t => t.includes('*'));
    }""",
        timeout=600_000,
        polling=1000,
    )
    idle.first.wait_for(timeout=600_000)
    page.keyboard.press("Control+s")
    page.wait_for_timeout(1500)


def open_saved(page, url, token, name, n_cells: int):
    "Open a chapter that already holds its outputs, and wait until all `n_cells` of its cells are rendered."
    page.goto(f"{url}/lab/tree/nbs/{name}?token={token}&reset", timeout=120_000)
    page.wait_for_selector(".jp-Notebook .jp-MarkdownCell .jp-RenderedMarkdown h1", timeout=120_000)
    page.wait_for_function(  # every cell in the page, each markdown cell rendered: no fixed wait to guess
        """(n) => {
        const panel = '.jp-NotebookPanel:not(.lm-mod-hidden) ';
        const cells = document.querySelectorAll(panel + '.jp-Cell');
        const raw = document.querySelectorAll(panel + '.jp-MarkdownCell:not(.jp-mod-rendered)');
        return cells.length >= n && raw.length === 0;
    }""",
        arg=n_cells,
        timeout=60_000,
        polling=200,
    )
    page.wait_for_timeout(300)  # the images of the last outputs decode


def expected(name: str, saved: dict):
    "From the source: the `##` section titles; from the saved run: how many figures and which cells ran or failed."
    h2 = [t for c in md_cells(ROOT / "nbs" / name) for lvl, t in headings(c) if lvl == 2]
    code = [c for c in saved["cells"] if c["cell_type"] == "code"]
    errors = [
        ("".join(c["source"])[:60], o.get("ename"), o.get("evalue", "")[:200])
        for c in code
        for o in c["outputs"]
        if o["output_type"] == "error"
    ]
    not_run = [
        "".join(c["source"])[:60]
        for c in code
        if c["execution_count"] is None and "".join(c["source"]).strip() and not SKIP_FLAGS.search("".join(c["source"]))
    ]
    figures = sum("image/png" in o.get("data", {}) for c in code for o in c["outputs"])
    return h2, errors, not_run, figures


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_renders_and_runs_in_jupyterlab(lab, name, request):
    url, token, work, browser, shown = lab
    runslow = request.config.getoption("--runslow")
    if name in shown and name not in SHOWN_SAMPLE and not (runslow or ALL_CHAPTERS):
        pytest.skip("shown from its executed copy: make test-slow opens every chapter, make test a sample")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        if name in shown:
            open_saved(page, url, token, name, len(json.loads((work / "nbs" / name).read_text())["cells"]))
        else:
            run_all(page, url, token, name)
        saved = json.loads((work / "nbs" / name).read_text())
        h2, errors, not_run, figures = expected(name, saved)
        assert errors == [], f"{name}: cells with an error output: {errors}"
        assert not_run == [], f"{name}: cells that did not run: {not_run}"
        md = page.locator(".jp-NotebookPanel:visible .jp-MarkdownCell .jp-RenderedMarkdown")
        assert md.locator("h1").count() == 1, f"{name}: {md.locator('h1').count()} h1 elements (want only the title)"
        shown_h2 = [re.sub(r"¶$", "", t).strip() for t in md.locator("h2").all_inner_texts()]
        missing = [t for t in h2 if not any(re.sub(r"[`*]", "", t) in s for s in shown_h2)]
        assert not missing, f"{name}: sections not rendered as h2: {missing} (shown: {shown_h2})"
        assert md.locator("p").count() >= 1, f"{name}: no paragraph of prose rendered"
        imgs = page.locator(".jp-NotebookPanel:visible .jp-OutputArea-output img").count()
        assert imgs >= figures, f"{name}: the run made {figures} figures but the page shows {imgs}"
    finally:
        shot = SHOTS / f"{Path(name).stem}.png"
        if FULL_SHOTS or runslow or name not in shown:  # a page tens of thousands of pixels tall costs seconds to paint
            whole_page_screenshot(page, shot)
        else:
            page.screenshot(path=str(shot))
        page.close()
        stop_kernels(url, token)


def whole_page_screenshot(page, path):
    "The notebook scrolls inside JupyterLab: make the window as tall as the notebook, so one picture holds all of it."
    try:
        h = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('.jp-WindowedPanel-outer, .jp-Notebook')].map(e => "
            "e.scrollHeight))"
        )
        page.set_viewport_size({"width": 1400, "height": int(min(max(h + 200, 1000), 30000))})
        page.evaluate("() => document.querySelectorAll('.jp-WindowedPanel-outer').forEach(e => { e.scrollTop = 0; })")
        page.wait_for_timeout(500)
    except Exception:
        pass  # a failed page: whatever is on screen
    page.screenshot(path=str(path))


def stop_kernels(url, token):
    "Shut down every kernel the chapters started, so that fourteen of them do not pile up in memory."
    import urllib.request

    req = lambda path, method="GET": urllib.request.Request(
        f"{url}{path}", method=method, headers={"Authorization": f"token {token}"}
    )
    # a time limit on each call: a server that stopped answering fails the test instead of holding it for ever
    for k in json.loads(urllib.request.urlopen(req("/api/kernels"), timeout=60).read()):
        urllib.request.urlopen(req(f"/api/kernels/{k['id']}", "DELETE"), timeout=60)


def test_widgets_respond(lab):
    "The widgets chapter (already run above or here): sliders render and moving one changes the output."
    url, token, work, browser, _ = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        run_all(page, url, token, "12_widgets.ipynb")
        sliders = page.locator(".widget-slider")
        sliders.first.wait_for(timeout=60_000)
        assert sliders.count() >= 2, "the masking explorer's sliders did not render"
        html = page.locator(".widget-html").filter(has_text="tokens to predict").first
        before = html.inner_text()
        handle = page.locator(".widget-slider .noUi-handle").first
        handle.focus()
        for _ in range(6):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(b) => [...document.querySelectorAll('.widget-html')].some(e => e.innerText.includes('tokens to "
            "predict') && e.innerText !== b)",
            arg=before,
            timeout=30_000,
        )
        assert html.inner_text() != before
    except Exception:
        page.screenshot(path=str(SHOTS / "widgets-failure.png"), full_page=True)
        raise
    finally:
        page.close()
        stop_kernels(url, token)
