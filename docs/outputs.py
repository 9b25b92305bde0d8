"""Executed outputs for the core chapters, stored in nbs/ so that a reader browsing the repository sees them.

    python docs/outputs.py                       # run every core chapter and store its outputs (make outputs)
    python docs/outputs.py 07_pretrain_gpt 09_finetune   # only these chapters
    python docs/outputs.py --check               # name the chapters whose stored outputs are older than their code

The core chapters are the ones the index lists under "The core path". Each runs as `make test` runs it (cells flagged
`slow` or `notest` left out: their recorded results are drawn by the cells after them), on real data when
MINIPRE_DATA names a data folder. Figures are stored as PNG at 72 dpi and progress bars are dropped.

A chapter's stamp (notebook metadata `minipre.outputs`) holds a hash of what its outputs come from: the source of its
code cells and the bytes of every file in docs/ that the chapter names (the records its cells draw). `--check`, and
`make test` through tests/test_outputs.py, fail when the stamp and the chapter disagree: change a code cell or a
record and the chapter's outputs must be made again.
"""

import argparse, hashlib, json, os, re, shutil, sys, time
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from multiprocessing import get_context
from pathlib import Path
from execnb.shell import CaptureShell
from fastcore.nbio import read_nb
from fastcore.xtras import working_directory
from nbdev.config import get_config
from minipre.data import find_data_dir

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / "nbs"
STAMP = "minipre"  # the notebook metadata key (kept by nbdev-clean: allowed_metadata_keys in pyproject.toml)
SKIP_FLAGS = set(get_config().tst_flags.split())  # the cells make test leaves out (pyproject's tst_flags)
MAX_IMAGE_BYTES = 120_000  # a 72-dpi PNG of one figure is 20-60 kB
MAX_CHAPTER_BYTES = 600_000


def core_chapters(index: Path = NBS / "index.ipynb") -> list[str]:
    "The chapters the index lists under its core-path heading, in reading order (their stems)."
    text = "".join("".join(c["source"]) for c in json.loads(index.read_text())["cells"] if c["cell_type"] == "markdown")
    m = re.search(r"^## The core path.*?$(.*?)^## ", text, re.M | re.S)
    if not m:
        raise ValueError(f"{index}: no '## The core path' section followed by another '## ' heading")
    stems = list(dict.fromkeys(re.findall(r"\]\((\d\d_[\w-]+)\.ipynb\)", m.group(1))))
    if not stems:
        raise ValueError(f"{index}: the core-path section links no chapter")
    return stems


def sources_of(nb: dict, docs: Path = ROOT / "docs") -> list[Path]:
    """The files a chapter's code cells name, in docs/ (the records its outputs are drawn from) and
    benchmarks/RESULTS.md (whose sections some chapters print). Prose that mentions a file does not count."""
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    named = [p for p in docs.iterdir() if p.is_file() and p.suffix != ".py" and p.name in text]
    results = docs.parent / "benchmarks" / "RESULTS.md"
    return sorted(named) + ([results] if "RESULTS.md" in text and results.exists() else [])


def code_hash(nb: dict, docs: Path = ROOT / "docs") -> str:
    "A hash of what a chapter's outputs come from: its code cells, in order, and the docs/ files it names."
    h = hashlib.sha256()
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            h.update(b"\0cell\0" + "".join(c["source"]).encode())
    for p in sources_of(nb, docs):
        h.update(b"\0file\0" + p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:20]


NUMBER = re.compile(r"(?<![\w.])[+-]?\d[\d,]*(?:\.\d+)?")  # "5.26M" gives 5.26; "ex07" gives nothing
EXPECT = re.compile(r"(?:^|(?<=[.!?:]\s))Expect\b.*?(?:[.!?](?=\s|$)|$)", re.S)


def numbers(text: str) -> list[str]:
    "The numbers of a text as written ('5.26', '1,000', '74'), without signs or units."
    return [m.group().lstrip("+-").rstrip(",") for m in NUMBER.finditer(text)]


def _close(said: str, shown: str) -> bool:
    "A number prose gives 'about' matches an output within 5% or half a unit of its last written digit."
    x, y = float(said.replace(",", "")), float(shown.replace(",", ""))
    decimals = len(said.split(".")[1]) if "." in said else 0
    return abs(x - y) <= max(0.05 * abs(y), 0.5 * 10**-decimals)


def expectations(nb: dict) -> list[tuple[str, list[str], list[str]]]:
    """Each "Expect ..." sentence of a chapter's prose, the numbers it gives, and the numbers the stored outputs of the
    code cells just before it (since the previous prose cell) print."""
    out, shown = [], []
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            shown += numbers(
                " ".join(_out_text(o) + "".join(o.get("data", {}).get("text/plain", "")) for o in c.get("outputs", []))
            )
            continue
        for sentence in EXPECT.findall("".join(c["source"])):
            out.append((sentence, numbers(sentence), shown))
        shown = []
    return out


def unmet_expectations(nb: dict) -> list[str]:
    "The numbers that a chapter's `Expect` sentences give and the outputs above them do not show."
    bad = []
    for sentence, said, shown in expectations(nb):
        missing = [x for x in said if not any(_close(x, y) for y in shown)]
        if missing:
            bad.append(f"'{sentence[:80]}...' gives {', '.join(missing)}, which the outputs above it do not show")
    return bad


def staleness(nb: dict, docs: Path = ROOT / "docs") -> str | None:
    "Why a chapter's stored outputs are not those of its current code, or None when they are."
    stamp = nb.get("metadata", {}).get(STAMP, {}).get("outputs")
    if not stamp:
        return "has no stored outputs"
    if stamp.get("code") != code_hash(nb, docs):
        return f"stored outputs were made on {stamp.get('ran', '?')} from other code or records"
    if not any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"):
        return "is stamped but holds no outputs"
    unmet = unmet_expectations(nb)
    return "; ".join(unmet) if unmet else None


def check(stems: list[str] | None = None) -> dict[str, str]:
    "Core chapters whose stored outputs are missing or older than their code, with the reason."
    bad = {}
    for stem in stems or core_chapters():
        why = staleness(json.loads((NBS / f"{stem}.ipynb").read_text()))
        if why:
            bad[stem] = why
    return bad


def _is_progress_bar(o: dict) -> bool:
    "A tqdm bar's stream: carriage returns or a `NN%|` gauge on stderr."
    is_err = o.get("output_type") == "stream" and o.get("name") == "stderr"
    return is_err and bool(re.search(r"\r|\d+%\|", _out_text(o)))


def _keep(o: dict) -> bool:
    "Outputs a static page can show: not progress bars, not widget views (their state is not stored)."
    return not _is_progress_bar(o) and "application/vnd.jupyter.widget-view+json" not in o.get("data", {})


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\r")


def _plain(o: dict) -> dict:
    "An output with terminal control codes (a live view's line clearing) taken out of its text."
    o = dict(o)
    if o.get("output_type") == "stream":
        o["text"] = ANSI.sub("", _out_text(o))
    return o


def _out_text(o: dict) -> str:
    t = o.get("text", "")
    return "".join(t) if isinstance(t, list) else t


def _left_out(cell) -> bool:
    "Prose, and the code cells that make test leaves out (flagged slow or notest)."
    return cell.cell_type != "code" or bool(SKIP_FLAGS & cell.directives.keys())


def _run(stem: str, workdir: str) -> tuple[str, list | str, float]:
    "Execute one chapter in the copy under workdir; its cells' outputs by cell id, or the error."
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    fn = Path(workdir) / f"{stem}.ipynb"
    nb = read_nb(fn)
    shell = CaptureShell(fn, mpl_format="png")
    shell.run_cell("import matplotlib as _m; _m.rcParams['figure.dpi'] = 72; del _m")
    t0 = time.time()
    try:
        with working_directory(fn.parent):
            shell.run_all(nb, exc_stop=True, preproc=_left_out)
    except Exception as e:
        return stem, f"{type(e).__name__}: {e}\n{shell.prettytb(fname=fn) or ''}", time.time() - t0
    outs = {c.id: [_plain(o) for o in c.get("outputs", []) if _keep(o)] for c in nb.cells}
    return stem, outs, time.time() - t0


def data_label() -> str:
    "Which data the real-data cells saw: the folder the library's loaders find, or none (the synthetic fallback)."
    d = find_data_dir()
    return f"real data ({os.path.relpath(d, ROOT)})" if d else "the synthetic language (no data folder)"


def store(stem: str, outs: dict, seconds: float):
    "Put a run's outputs into nbs/STEM.ipynb by cell id and stamp it with the hash of the code they came from."
    path = NBS / f"{stem}.ipynb"
    nb = json.loads(path.read_text())
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            c["outputs"], c["execution_count"] = outs.get(c["id"], []), None
    nb.setdefault("metadata", {})[STAMP] = {
        "outputs": {
            "code": code_hash(nb),
            "ran": time.strftime("%Y-%m-%d"),
            "data": data_label(),
            "seconds": round(seconds, 1),
            "torch": version("torch"),
        }
    }
    tmp = path.with_suffix(".ipynb.tmp")
    tmp.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    os.replace(tmp, path)  # a crash never leaves half a chapter


def make(stems: list[str], workers: int = 2) -> int:
    "Run the chapters (two at a time, a thread each) and store their outputs; the number that failed."
    core = core_chapters()
    unknown = [s for s in stems if s not in core]
    if unknown:
        raise SystemExit(
            f"not core chapters (see the index's core path): {', '.join(unknown)}; core: {', '.join(core)}"
        )
    work = ROOT / "_build" / "outputs"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(NBS, work)  # run from a copy beside nbs/: the chapters' relative paths still hold
    failed = 0
    # a fresh process per chapter: IPython replaces __main__ in the process it runs in, and chapters share nothing
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), max_tasks_per_child=1) as ex:
        for stem, outs, secs in ex.map(_run, stems, [str(work)] * len(stems)):
            if isinstance(outs, str):
                failed += 1
                print(f"FAILED {stem} after {secs:.0f}s:\n{outs}", file=sys.stderr)
                continue
            store(stem, outs, secs)
            print(f"{stem}: outputs stored ({secs:.0f}s, {data_label()})")
    return failed


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("chapters", nargs="*", help="chapter stems (default: every core chapter)")
    ap.add_argument("--check", action="store_true", help="only name the chapters whose outputs are stale")
    ap.add_argument("--stale", action="store_true", help="run only the chapters whose outputs are stale")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args(argv)
    if a.check:
        bad = check(a.chapters or None)
        for stem, why in bad.items():
            print(f"{stem}: {why}")
        if bad:
            print("run `make outputs` (or python docs/outputs.py CHAPTER ...) and commit the chapters")
        return 1 if bad else 0
    stems = a.chapters or (list(check()) if a.stale else core_chapters())
    if not stems:
        print("every core chapter's outputs are current")
        return 0
    return 1 if make(stems, a.workers) else 0


if __name__ == "__main__":
    sys.exit(main())
