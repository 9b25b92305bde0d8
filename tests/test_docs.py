"""The documentation site builds from the executed notebooks: a page per chapter with its title, its prose in
paragraphs, its executed outputs and plots, working links between chapters and into the API reference (checked
offline, on the built files)."""

import json, re, subprocess, sys
from pathlib import Path
from urllib.parse import urlparse
import pytest
from conftest import docs_build

ROOT = Path(__file__).resolve().parents[1]


def local_links(html: str) -> list[str]:
    return [
        h for h in re.findall(r'href="([^"]+)"', html) if not urlparse(h).scheme and not h.startswith(("//", "mailto:"))
    ]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("mkdocs_jupyter")
    out = tmp_path_factory.mktemp("site")
    executed = ROOT / "_build" / "executed"
    args = [sys.executable, "docs/build.py", "--out", str(out)]
    if not list(executed.glob("*.ipynb")):
        args.append("--execute")  # make test leaves executed copies here
    r = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    return out, executed


def test_every_chapter_page_has_its_title_prose_and_outputs(site):
    title_of = docs_build().title_of
    out, executed = site
    assert (out / "index.html").exists() and "minipre" in (out / "index.html").read_text()
    for nb in sorted((ROOT / "nbs").glob("[0-9][0-9]_*.ipynb")):
        page = out / "chapters" / f"{nb.stem}.html"
        assert page.exists(), f"no page for {nb.name}"
        html, title = page.read_text(), title_of(nb)
        h1 = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
        texts = [re.sub(r"<[^>]+>|¶", "", h).strip() for h in h1]
        assert title in texts, f"{page.name}: the title {title!r} is not an h1 ({texts})"
        assert not any(t.startswith("#") for t in texts), texts
        assert len(re.findall(r"<p>[^<]{40,}", html)) >= 2, f"{page.name}: no prose paragraphs"
        assert f"<title>{title}" in html or f"<title>{title.replace('&', '&amp;')}" in html, f"{page.name}: page title"
        ran = json.loads((executed / nb.name).read_text())
        n_png = sum(
            "image/png" in o.get("data", {}) for c in ran["cells"] if c["cell_type"] == "code" for o in c["outputs"]
        )
        n_out = sum(len(c["outputs"]) for c in ran["cells"] if c["cell_type"] == "code")
        assert html.count("data:image/png") >= n_png, f"{page.name}: {n_png} plots in the run, fewer on the page"
        assert n_out == 0 or "jp-OutputArea" in html, f"{page.name}: outputs missing"


def test_links_between_chapters_and_to_the_api_resolve(site):
    out, _ = site
    api = (out / "api.html").read_text()
    for name in ("load_corpus", "attention", "flash_attention", "train", "finetune", "check_attention"):
        assert name in api, name
    checked = 0
    for page in [out / "index.html", *sorted((out / "chapters").glob("*.html"))]:
        for href in local_links(page.read_text()):
            path, _, anchor = href.partition("#")
            target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            assert target.exists(), f"{page.name}: broken link {href}"
            if anchor and target.suffix == ".html":
                assert f'id="{anchor}"' in target.read_text(), f"{page.name}: no anchor #{anchor} in {target.name}"
            checked += 1
    assert checked > 20
    chapters = (out / "chapters" / "09_finetune.html").read_text()
    assert "../api.html#mod-finetune" in chapters, "the chapter does not link its API reference"
