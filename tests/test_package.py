"""The built wheel installs into a clean virtual environment and imports with its core dependencies only:
no nbdev, no jupyter, no matplotlib, no triton at import time."""

import subprocess, sys, venv
from pathlib import Path


def sh(*cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{cmd}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r.stdout


def test_wheel_installs_and_imports_in_clean_venv(root, tmp_path):
    sh(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", tmp_path / "dist", root, cwd=root)
    wheel = next((tmp_path / "dist").glob("minipre-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    import torch

    # --no-compile: byte-compiling torch's thousands of modules is half the install and tests nothing of ours
    sh(py, "-m", "pip", "install", "-q", "--no-compile", f"torch=={torch.__version__.split('+')[0]}")
    sh(py, "-m", "pip", "install", "-q", "--no-compile", wheel)
    mods = sorted(p.stem for p in (root / "minipre").glob("*.py") if not p.stem.startswith("_"))
    code = (
        f"import importlib, sys\nfor m in {mods!r}: importlib.import_module('minipre.' + m)\n"
        "bad = [m for m in ('nbdev', 'jupyterlab', 'notebook', 'IPython', 'matplotlib', 'triton', 'execnb') if m in "
        "sys.modules]\n"
        "assert not bad, f'imported at import time: {bad}'\nprint('ok', len(" + repr(mods) + "))"
    )
    out = sh(py, "-c", code, cwd=tmp_path)
    assert out.startswith("ok")
    missing = subprocess.run([py, "-c", "import nbdev"], capture_output=True)
    assert missing.returncode != 0, "nbdev must not be a core dependency"
    out = sh(env_dir / "bin" / "minipre", "--help")
    assert "demo" in out
    # the lab preset's body ships inside the package, and a pip-installed minipre finds and loads it
    load = (
        "from minipre.transfer import bodies_folder\nfrom minipre.checkpoint import load_model\n"
        "m, tok, meta = load_model(bodies_folder('sst2-lab') / 'clm')\nprint(type(m).__name__, tok.vocab_size)\n"
        "rungs = sorted(bodies_folder('imdb-ladder').iterdir())\n"  # the pretraining ladder, card and recipe beside
        "print(len(rungs), all((p / 'CARD.md').exists() and (p / 'recipe.json').exists() for p in rungs))\n"
        "print(type(load_model(rungs[0])[0]).__name__)"
    )
    shipped = len(
        [p for p in (Path(__file__).parents[1] / "minipre" / "bodies" / "imdb-ladder").iterdir() if p.is_dir()]
    )
    assert sh(py, "-c", load, cwd=tmp_path).split() == ["GPT", "4096", str(shipped), "True", "GPT"]
