"""The documentation site builds from the executed notebooks, with a page per chapter, its plots, and the API."""
import re, subprocess, sys
from pathlib import Path
import pytest

WITH_PLOTS = ["03_attention", "06_train", "08_pretrain_bert", "09_finetune"]


def test_site_builds_with_every_chapter_and_its_images(root, tmp_path):
    pytest.importorskip("mkdocs_jupyter")
    executed = root / "_build" / "executed"
    args = [sys.executable, "docs/build.py", "--out", str(tmp_path / "site")]
    if not list(executed.glob("*.ipynb")): args.append("--execute")     # make test leaves executed copies here
    r = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    site = tmp_path / "site"
    assert (site / "index.html").exists() and "minipre" in (site / "index.html").read_text()
    for nb in sorted((root / "nbs").glob("[0-9][0-9]_*.ipynb")):
        page = site / "chapters" / f"{nb.stem}.html"
        assert page.exists(), f"no page for {nb.name}"
        if nb.stem in WITH_PLOTS:
            assert "data:image/png" in page.read_text(), f"{page.name} has no plot"
    api = (site / "api.html").read_text()
    for name in ("load_corpus", "attention", "flash_attention", "train", "finetune", "check_attention"):
        assert name in api, name
