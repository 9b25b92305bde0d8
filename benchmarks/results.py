"Write one `## section` of benchmarks/RESULTS.md, keeping the others."

from pathlib import Path

from minipre.files import atomic_write  # standard library only: the GPU machine has torch and triton, nothing else

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(title: str, body: str, path: Path = RESULTS) -> Path:
    txt = path.read_text() if path.exists() else "# Benchmark results\n"
    head, sep, rest = txt.partition(f"\n## {title}\n")
    tail = ("\n## " + rest.split("\n## ", 1)[1]) if sep and "\n## " in rest else ""
    atomic_write(path, head.rstrip() + f"\n\n## {title}\n\n" + body.strip() + "\n" + tail)
    print(f"wrote section '{title}' of {path}")
    return path


def recorded_run(folder, data=None):
    """What the follow-up studies reuse from a finished `minipre transfer --preset sst2` run in `folder`: the preset,
    its protocol, SST-2 (normalised, loaded once), the tokenizer, both pretrained bodies, the scratch config, the
    results."""
    import json
    from dataclasses import replace
    from minipre.data import load_labeled, ptb_normalize
    from minipre.checkpoint import load_model
    from minipre.tokenize import load_tokenizer
    from minipre.transfer import PRESETS, LabeledSplits

    p, folder = PRESETS["sst2"], Path(folder)
    bodies = {o: load_model(folder / o)[0] for o in ("clm", "mlm")}
    return dict(
        preset=p,
        cfg=p.protocol,
        tok=load_tokenizer(folder / "tokenizer.json"),
        splits=LabeledSplits.from_dataset(load_labeled(p.labeled, data=data), ptb_normalize),
        bodies=bodies,
        scratch_cfg=replace(bodies["mlm"].config, causal=False),  # as transfer_pipeline builds it
        results=json.loads((folder / "results.json").read_text()),
    )


def follow_up_parser(doc: str, out: str, sizes: str):
    "The options every follow-up study of a recorded sst2 run shares: its folder, where to write, which N, the data."
    import argparse, os

    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--bodies", default="runs/sst2-honest", help="a finished sst2 transfer run (tokenizer.json, clm/)")
    ap.add_argument("--out", default=out)
    ap.add_argument("--sizes", default=sizes)
    ap.add_argument("--data", default=os.environ.get("MINIPRE_DATA"))
    return ap


def run_facts(command: str, t0: float) -> dict:
    "What every record says about its run: the date, the machine, the command, the minutes since `t0`."
    import datetime, os, platform, time
    import torch

    return dict(
        date=datetime.date.today().isoformat(),
        machine=f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads",
        command=command,
        wall_minutes=(time.perf_counter() - t0) / 60,
    )


def record_and_section(record: Path, title: str, section, rec: dict | None = None) -> str:
    "Save `rec` (when given) as `record`, then render its RESULTS.md section from what the file holds."
    import json

    if rec is not None:
        atomic_write(record, json.dumps(rec, indent=1))
    body = section(json.loads(record.read_text()))
    print(body)
    write_section(title, body)
    return body


def benchmark_args(doc: str, out: str, **more):
    """The flags every recorded benchmark takes: --out (its run folder), --data (the data folder), --record-only; and
    a string flag per keyword of `more` with its default (`raw_body="runs/x"` is `--raw-body`)."""
    import argparse

    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--out", default=out)
    ap.add_argument("--data", default=None)
    ap.add_argument("--record-only", action="store_true", help="only rewrite the RESULTS.md section from the record")
    for name, default in more.items():
        ap.add_argument(f"--{name.replace('_', '-')}", default=default)
    return ap.parse_args()
