"""The house style, for the whole repository: `ruff check .` and `ruff format --check .` with the rules and the
per-file exceptions in pyproject.toml (each with its reason beside it).

One rule ruff cannot state is checked here: an import inside a function is allowed only for optional or heavy
dependencies, which a plain `import minipre.x` must not pull in.
"""

import ast, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "minipre"
# imported where they are used: they are optional extras (triton, ipywidgets, transformers, tensorboard, the
# grader's nbformat and nbclient; the Hub's client, only for a model named by its Hub id) or
# pick a backend at import (matplotlib, IPython); minipre.flash needs triton.
LAZY_OK = {"triton", "ipywidgets", "IPython", "transformers", "matplotlib", "torch.utils.tensorboard", "minipre.flash",
           "nbformat", "nbclient", "huggingface_hub"}  # fmt: skip
# The command line answers `--help` and bad arguments before loading torch: each command imports the library when
# it runs.
LAZY_MODULES = {"cli.py"}


def ruff():
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if exe is None:
        pytest.skip("ruff is not installed (it is in the dev extra)")
    return exe


def test_ruff_check():
    out = subprocess.run([ruff(), "check", "--output-format", "concise", "."], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_format():
    out = subprocess.run([ruff(), "format", "--check", "."], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


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
