"""The house style of the exported package (issue #12), checked on `minipre/*.py`:

- lines of at most 120 characters, no `;` and no `if x: y` on one line, no unused imports (ruff, rules in pyproject.toml);
- no import inside a function, except optional or heavy dependencies that a plain `import minipre.x` must not pull in.

nbdev writes two kinds of lines we do not control: the module docstring (the chapter's summary) and `__all__`.
"""
import ast, json, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "minipre"
# imported where they are used: they are optional extras (triton, ipywidgets, transformers, tensorboard) or
# pick a backend at import (matplotlib, IPython); minipre.flash needs triton.
LAZY_OK = {"triton", "ipywidgets", "IPython", "transformers", "matplotlib", "torch.utils.tensorboard", "minipre.flash"}
# The command line answers `--help` and bad arguments before loading torch (0.06 s instead of about 3 s, measured):
# each command imports the library when it runs.
LAZY_MODULES = {"cli.py"}


def ruff():
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if exe is None:
        pytest.skip("ruff is not installed (it is in the dev extra)")
    return exe


def generated_rows(path: Path) -> set[int]:
    "Row numbers nbdev writes itself: the module docstring and the `__all__` list."
    rows, lines = {1}, path.read_text().splitlines()
    for i, line in enumerate(lines, 1):
        if line.startswith("__all__ = ["):
            j = i
            while not lines[j - 1].rstrip().endswith("]"):
                j += 1
            rows.update(range(i, j + 1))
    return rows


def test_ruff_rules():
    out = subprocess.run([ruff(), "check", "--output-format", "json", "--select", "E501,E701,E702,E703,F401", "minipre"],
                         cwd=ROOT, capture_output=True, text=True)
    found = json.loads(out.stdout or "[]")
    bad = [f"{Path(e['filename']).name}:{e['location']['row']}: {e['code']} {e['message']}" for e in found
           if e["location"]["row"] not in generated_rows(Path(e["filename"]))]
    assert not bad, "\n".join(bad)


def lazy_imports(path: Path) -> list[str]:
    "Imports inside functions of `path` that are not on the allowed list."
    bad = []
    for fn in ast.walk(ast.parse(path.read_text())):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = ["." * node.level + (node.module or "")]
            for n in names:
                if not any(n == ok or n.startswith(ok + ".") for ok in LAZY_OK):
                    bad.append(f"{path.name}:{node.lineno} {fn.name}() imports {n}")
    return bad


def test_imports_at_top():
    bad = [b for p in sorted(PKG.glob("*.py")) if p.name not in LAZY_MODULES for b in lazy_imports(p)]
    assert not bad, "\n".join(bad)


def test_the_import_check_fails_on_a_lazy_import(tmp_path):
    p = tmp_path / "m.py"
    p.write_text("def f():\n    import json\n    from matplotlib import pyplot\n")
    assert lazy_imports(p) == ["m.py:2 f() imports json"]


def test_notebooks_name_only_what_they_define():
    "A chapter cell that uses a name no cell imported fails in `make test` minutes later; ruff finds it in a second."
    out = subprocess.run([ruff(), "check", "--output-format", "concise", "--select", "F821", "nbs", "exercises"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout
