"""A real browser test: JupyterLab on loopback, a chapter opened in headless Chromium (Debian's package, driven by
Playwright with its executable path; never a browser download), Run All, then: the widgets render, respond to input
(a slider moved changes the output), and the plots appear. A screenshot is saved on failure."""
import os, re, shutil, socket, subprocess, sys, time
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-quic", "--disable-sync"]
SHOTS = ROOT / "_build" / "browser"


def ensure_chromium():
    if Path(CHROMIUM).exists(): return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "Debian's chromium is not installed and cannot be installed here (needs apt-get as root)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], capture_output=True, env=env, timeout=600)
    r = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], capture_output=True, text=True, env=env, timeout=900)
    return None if Path(CHROMIUM).exists() else f"installing chromium failed: {r.stderr[-300:]}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    why = ensure_chromium()
    if why: print(f"SKIPPING the browser test: {why}"); pytest.skip(why)
    pytest.importorskip("playwright")
    pytest.importorskip("jupyterlab")
    work = tmp_path_factory.mktemp("lab")
    shutil.copy(ROOT / "nbs" / "11_widgets.ipynb", work)
    port, token = free_port(), "minipre-test"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(work / ".jcfg"), "JUPYTER_DATA_DIR": str(work / ".jdata"),
           "JUPYTER_RUNTIME_DIR": str(work / ".jrun"), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--allow-root",
                             f"--port={port}", "--ip=127.0.0.1", f"--ServerApp.token={token}", f"--ServerApp.root_dir={work}",
                             "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    for _ in range(120):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close(); break
        except OSError: time.sleep(0.5)
    yield f"http://127.0.0.1:{port}", token
    proc.terminate()
    try: proc.wait(timeout=20)
    except subprocess.TimeoutExpired: proc.kill()


def test_widgets_render_respond_and_plots_appear(lab):
    from playwright.sync_api import sync_playwright
    url, token = lab
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{url}/lab/tree/11_widgets.ipynb?token={token}", timeout=120_000)
            page.wait_for_selector(".jp-Notebook", timeout=120_000)
            idle = page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\|\s*Idle"))
            idle.first.wait_for(timeout=180_000)                                # the status bar says the kernel is Idle
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_text("Run All Cells", exact=True).click()
            # every cell ran when the last one has an execution count and the kernel is idle again
            page.wait_for_function("""() => {
                const p = [...document.querySelectorAll('.jp-InputPrompt')].map(e => e.textContent.trim());
                return p.length > 5 && p.every(t => /\\[\\d+\\]/.test(t) || t === '' || t === '[ ]:' ) && p.filter(t => /\\[\\d+\\]/.test(t)).length >= 8;
            }""", timeout=300_000)
            idle.first.wait_for(timeout=300_000)
            sliders = page.locator(".widget-slider")
            sliders.first.wait_for(timeout=60_000)
            assert sliders.count() >= 2, "the masking explorer's sliders did not render"
            assert page.locator(".jp-OutputArea-output img").count() >= 1, "no plot appeared"
            html = page.locator(".widget-html").filter(has_text="tokens to predict").first
            before = html.inner_text()
            handle = page.locator(".widget-slider .noUi-handle").first
            handle.focus()
            for _ in range(6): page.keyboard.press("ArrowRight")
            page.wait_for_function("(b) => [...document.querySelectorAll('.widget-html')].some(e => e.innerText.includes('tokens to predict') && e.innerText !== b)", arg=before, timeout=30_000)
            assert html.inner_text() != before
        except Exception:
            page.screenshot(path=str(SHOTS / "failure.png"), full_page=True)
            print(f"screenshot saved to {SHOTS / 'failure.png'}")
            raise
        finally:
            browser.close()
