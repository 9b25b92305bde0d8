"""The test harness every test file shares: the environment (offline, no data folder unless a test sets one), the
`minipre` console script run as a user runs it, and the flags of a model small enough to train in seconds."""

import functools, importlib.util, json, os, signal, subprocess, sys
from pathlib import Path
import pytest
from hypothesis import settings as hypothesis_settings

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the virtual environment's scripts: minipre, torchrun
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HOME", str(ROOT / ".cache" / "huggingface"))
os.environ.setdefault("MPLCONFIGDIR", str(ROOT / ".cache" / "matplotlib"))


def tiny(layers=1, width=32, heads=2, block=16, batch=4, vocab=300, **more) -> list[str]:
    """The flags of a model small enough for a test (seconds on one CPU thread); `more` adds flags by their Python
    names (`eval_every=2` is `--eval-every 2`; `quiet=True` is `--quiet`)."""
    flags = {"layers": layers, "width": width, "heads": heads, "block_size": block, "batch_size": batch}
    flags |= {"vocab_size": vocab, **more}
    out = []
    for k, v in flags.items():
        if v is False or v is None:
            continue
        out += [f"--{k.replace('_', '-')}"] + ([] if v is True else [str(v)])
    return out


def cli_env(**extra) -> dict:
    "The environment of a command under test: no data folder, one thread per process (tests may run side by side)."
    return {**os.environ, "MINIPRE_DATA": "", "OMP_NUM_THREADS": "1", **{k: str(v) for k, v in extra.items()}}


def run_group(cmd: list, timeout: float = 600, **kw) -> subprocess.CompletedProcess:
    """`subprocess.run(cmd, capture_output=True, text=True)` in a process group of its own, all of it killed when
    `timeout` passes: a killed parent's children (torchrun's workers, a grader's kernel) would otherwise keep its output
    pipes open, and reading them to the end would wait for ever."""
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, **kw
    ) as p:
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            raise subprocess.TimeoutExpired(cmd, timeout, out, err) from None
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def minipre(*args, env: dict | None = None, timeout: int = 600, prefix=(), **kw) -> subprocess.CompletedProcess:
    "Run the `minipre` console script with `args` (any str()-able values), as a user would; `prefix` (torchrun) first."
    cmd = [*map(str, prefix), str(BIN / "minipre"), *map(str, args)]
    return run_group(cmd, timeout=timeout, env=env or cli_env(), **kw)


def md_cells(nb: Path) -> list[str]:
    "The markdown cells of notebook `nb`, as text."
    return ["".join(c["source"]) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "markdown"]


@functools.cache
def _markdown():
    from markdown_it import MarkdownIt  # the dev extra's; only the rendering tests need it

    return MarkdownIt("commonmark")


def headings(text: str) -> list[tuple[int, str]]:
    "(level, inline text) of every heading that CommonMark finds in `text`."
    toks = _markdown().parse(text)
    return [(int(t.tag[1]), toks[i + 1].content) for i, t in enumerate(toks) if t.type == "heading_open"]


@functools.cache
def script_module(path: str):
    "A script of the repository (docs/build.py, instructors/sync_solutions.py) imported from its file."
    spec = importlib.util.spec_from_file_location(Path(path).stem, ROOT / path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def docs_build():
    "docs/build.py, the site builder (a script, not a package module)."
    return script_module("docs/build.py")


# Property tests: `make test` draws the same examples on every run (derandomized, no examples database), so that no
# run fails by chance; `make test-slow` explores with a fresh seed that the header prints and --hypothesis-seed replays.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, database=None, print_blob=True)


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run tests marked slow")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: slow tests, run with --runslow (make test-slow)")
    hypothesis_settings.load_profile("explore" if config.getoption("--runslow") else "repeatable")


def pytest_terminal_summary(terminalreporter, config):
    "Under --runslow, the property tests' seed, so that a failure found while exploring can be replayed."
    if config.getoption("--runslow"):
        seed = config.getoption("hypothesis_seed", None)
        terminalreporter.write_line(f"property tests explored with seed {seed}: make test-slow HYPOTHESIS_SEED={seed}")


@pytest.fixture
def runslow(request) -> bool:
    "True under --runslow (make test-slow): a test may then repeat, for every case, a check make test makes for some."
    return request.config.getoption("--runslow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with make test-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def root():
    return ROOT
