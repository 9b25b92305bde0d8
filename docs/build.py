"""Build the documentation site from the executed notebooks.

    python docs/build.py                 # executes the notebooks if _build/executed/ is missing, then builds site/
    python docs/build.py --executed DIR  # use notebooks already executed (make test leaves them in _build/executed)

Pages: the README as the landing page, one page per chapter with its outputs and plots (mkdocs-jupyter), and an
API reference generated from the package's docstrings. Offline-capable: mkdocs-material with its web fonts off.
nbdev-docs (Quarto) keeps working for those who have Quarto installed.
"""

import argparse, importlib, inspect, json, re, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def execute(dest: Path):
    "Copy nbs/ to dest and run every notebook there, saving outputs (nbdev-test --save)."
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(ROOT / "nbs", dest)
    subprocess.run([str(BIN / "nbdev-test"), str(dest), "--save", "--n-workers", "2"], cwd=ROOT, check=True)


def _first_markdown(nb: Path) -> str:
    return next(("".join(c["source"]) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "markdown"), "")


def title_of(nb: Path) -> str:
    "The chapter's title: the text of the `# Title` line that opens its first markdown cell (nbdev's convention)."
    m = re.match(r"#[ \t]+(.+)", _first_markdown(nb).strip())
    return m.group(1).strip() if m else nb.stem


def summary_of(nb: Path) -> str:
    "The chapter's one-line summary: the `> ...` line after the title."
    m = re.search(r"^>[ \t]*(.+)$", _first_markdown(nb), re.M)
    return m.group(1).strip() if m else ""


def module_of(nb: Path) -> str | None:
    "The module a chapter exports to (its `#| default_exp` line), if any."
    for c in json.loads(nb.read_text())["cells"]:
        m = re.search(r"^#\|\s*default_exp\s+(\S+)", "".join(c["source"]), re.M) if c["cell_type"] == "code" else None
        if m:
            return m.group(1)
    return None


def link_for_site(nb: dict, module: str | None) -> dict:
    """Links between chapters point at their pages (X.ipynb -> X.html); `#| hide` cells (imports, batteries of error
    tests) stay out of the page, as nbdev's own docs leave them out; a last cell links the chapter's API reference."""
    nb["cells"] = [
        c for c in nb["cells"] if not (c["cell_type"] == "code" and "".join(c["source"]).startswith("#| hide"))
    ]
    for c in nb["cells"]:
        if c["cell_type"] == "markdown":
            c["source"] = re.sub(r"\]\((\d\d_[\w-]+)\.ipynb(#[\w-]*)?\)", r"](\1.html\2)", "".join(c["source"]))
            # the exercises are notebooks to open, not pages of the site: name the file instead of linking it
            c["source"] = re.sub(r"\[([^\]]+)\]\(\.\./exercises/([\w-]+\.ipynb)\)", r"`exercises/\2`", c["source"])
    if module:
        nb["cells"].append(
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": f"The functions and classes of this chapter: [`minipre.{module}` in the API "
                f"reference](../api.html#mod-{module}).",
            }
        )
    return nb


def api_markdown() -> str:
    out = ["# API reference\n", "Every exported function and class, with its signature and docstring.\n"]
    for py in sorted((ROOT / "minipre").glob("*.py")):
        if py.stem.startswith("_"):
            continue
        mod = importlib.import_module(f"minipre.{py.stem}")
        out.append(f'\n<a id="mod-{py.stem}"></a>\n\n## `minipre.{py.stem}`\n')
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name, None)
            if obj is None or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            try:
                sig = str(inspect.signature(obj))
            except (TypeError, ValueError):
                sig = "(...)"
            kind = "class" if inspect.isclass(obj) else "def"
            doc = inspect.getdoc(obj) or ""
            out.append(f"### `{name}`\n\n```python\n{kind} {name}{sig}\n```\n\n{doc}\n")
    return "\n".join(out)


def fix_toc_anchors(page: Path):
    """mkdocs-jupyter's table of contents makes its own anchors and drops inline code from them (`#labeled-text`, or
    `#_1` for a heading that is all code), while the headings keep nbconvert's ids (`labeled-text-load_labeled`). The
    table lists the h2/h3 headings in page order: point its i-th link at the i-th heading."""
    html = page.read_text()
    heads = re.findall(r'<h[23] id="([^"]+)"', html)
    toc = [m for m in re.finditer(r'<a href="#([^"]+)" class="md-nav__link">', html)]
    if not heads or len(toc) % len(heads):
        return  # not the layout this fix knows: leave the page alone
    out, last = [], 0  # (the table appears twice: the side bar and the drawer)
    for m, target in zip(toc, heads * (len(toc) // len(heads))):
        out += [html[last : m.start(1)], target]
        last = m.end(1)
    page.write_text("".join(out) + html[last:])


def build(executed: Path, site: Path):
    src = ROOT / "_build" / "docs_src"
    shutil.rmtree(src, ignore_errors=True)
    (src / "chapters").mkdir(parents=True)
    readme = (
        (ROOT / "README.md").read_text().replace("](docs/", "](").replace("](benchmarks/RESULTS.md)", "](results.md)")
    )
    (src / "index.md").write_text(readme)
    (src / "results.md").write_text(
        (ROOT / "benchmarks" / "RESULTS.md").read_text()
        if (ROOT / "benchmarks" / "RESULTS.md").exists()
        else "# Results\n"
    )
    for png in (ROOT / "docs").glob("*.png"):
        shutil.copy(png, src / png.name)
    nav = []
    for nb in sorted(executed.glob("[0-9][0-9]_*.ipynb")):
        d = json.loads(nb.read_text())
        for c in d["cells"]:
            c.get("metadata", {}).pop("execution", None)  # execnb's timings break nbformat's schema
        (src / "chapters" / nb.name).write_text(json.dumps(link_for_site(d, module_of(ROOT / "nbs" / nb.name))))
        nav.append({title_of(nb): f"chapters/{nb.name}"})
    (src / "api.md").write_text(api_markdown())
    cfg = {
        "site_name": "minipre",
        "docs_dir": str(src),
        "site_dir": str(site),
        "use_directory_urls": False,
        "theme": {"name": "material", "font": False, "features": ["navigation.sections"]},
        "plugins": [
            "search",
            {"mkdocs-jupyter": {"include_source": True, "execute": False, "ignore_h1_titles": False}},
        ],
        "nav": [{"Home": "index.md"}, {"Chapters": nav}, {"API reference": "api.md"}, {"Results": "results.md"}],
    }
    yml = ROOT / "_build" / "mkdocs.yml"
    yml.write_text(json.dumps(cfg, indent=1))  # JSON is valid YAML
    subprocess.run([str(BIN / "mkdocs"), "build", "-q", "-f", str(yml)], cwd=ROOT, check=True)
    for page in (site / "chapters").glob("*.html"):
        fix_toc_anchors(page)
    print(f"site built in {site} ({len(nav)} chapters)")
    return nav


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--executed", default=str(ROOT / "_build" / "executed"))
    ap.add_argument("--out", default=str(ROOT / "site"))
    ap.add_argument("--execute", action="store_true", help="run the notebooks again even if executed copies exist")
    a = ap.parse_args()
    ex = Path(a.executed)
    if a.execute or not any(ex.glob("*.ipynb")):
        execute(ex)
    build(ex, Path(a.out))


if __name__ == "__main__":
    main()
