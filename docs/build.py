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
    shutil.rmtree(dest, ignore_errors=True); shutil.copytree(ROOT / "nbs", dest)
    subprocess.run([str(BIN / "nbdev-test"), str(dest), "--save", "--n-workers", "2"], cwd=ROOT, check=True)


def title_of(nb: Path) -> str:
    for c in json.loads(nb.read_text())["cells"]:
        if c["cell_type"] == "markdown":
            m = re.match(r"#\s+(.+)", "".join(c["source"]).strip())
            if m: return m.group(1).strip()
    return nb.stem


def api_markdown() -> str:
    out = ["# API reference\n", "Every exported function and class, with its signature and docstring.\n"]
    for py in sorted((ROOT / "minipre").glob("*.py")):
        if py.stem.startswith("_"): continue
        mod = importlib.import_module(f"minipre.{py.stem}")
        out.append(f"\n## `minipre.{py.stem}`\n")
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name, None)
            if obj is None or not (inspect.isfunction(obj) or inspect.isclass(obj)): continue
            try: sig = str(inspect.signature(obj))
            except (TypeError, ValueError): sig = "(...)"
            kind = "class" if inspect.isclass(obj) else "def"
            doc = inspect.getdoc(obj) or ""
            out.append(f"### `{name}`\n\n```python\n{kind} {name}{sig}\n```\n\n{doc}\n")
    return "\n".join(out)


def build(executed: Path, site: Path):
    src = ROOT / "_build" / "docs_src"
    shutil.rmtree(src, ignore_errors=True); (src / "chapters").mkdir(parents=True)
    readme = (ROOT / "README.md").read_text().replace("](docs/", "](").replace("](benchmarks/RESULTS.md)", "](results.md)")
    (src / "index.md").write_text(readme)
    (src / "results.md").write_text((ROOT / "benchmarks" / "RESULTS.md").read_text() if (ROOT / "benchmarks" / "RESULTS.md").exists() else "# Results\n")
    for png in (ROOT / "docs").glob("*.png"): shutil.copy(png, src / png.name)
    nav = []
    for nb in sorted(executed.glob("[0-9][0-9]_*.ipynb")):
        d = json.loads(nb.read_text())
        for c in d["cells"]: c.get("metadata", {}).pop("execution", None)     # execnb's timings break nbformat's schema
        (src / "chapters" / nb.name).write_text(json.dumps(d))
        nav.append({title_of(nb): f"chapters/{nb.name}"})
    (src / "api.md").write_text(api_markdown())
    cfg = {"site_name": "minipre", "docs_dir": str(src), "site_dir": str(site), "use_directory_urls": False,
           "theme": {"name": "material", "font": False, "features": ["navigation.sections"]},
           "plugins": ["search", {"mkdocs-jupyter": {"include_source": True, "execute": False, "ignore_h1_titles": False}}],
           "nav": [{"Home": "index.md"}, {"Chapters": nav}, {"API reference": "api.md"}, {"Results": "results.md"}]}
    yml = ROOT / "_build" / "mkdocs.yml"
    yml.write_text(json.dumps(cfg, indent=1))                     # JSON is valid YAML
    subprocess.run([str(BIN / "mkdocs"), "build", "-q", "-f", str(yml)], cwd=ROOT, check=True)
    print(f"site built in {site} ({len(nav)} chapters)")
    return nav


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--executed", default=str(ROOT / "_build" / "executed"))
    ap.add_argument("--out", default=str(ROOT / "site"))
    ap.add_argument("--execute", action="store_true", help="run the notebooks again even if executed copies exist")
    a = ap.parse_args()
    ex = Path(a.executed)
    if a.execute or not any(ex.glob("*.ipynb")): execute(ex)
    build(ex, Path(a.out))


if __name__ == "__main__":
    main()
