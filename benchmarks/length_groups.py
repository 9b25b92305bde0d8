"""Does sorting fine-tuning batches by length change accuracy, and how much time does it save? The sst2 protocol at
small N with plain random batches, paired against a recorded run that used length groups.

    MINIPRE_DATA=../shared/data python -m benchmarks.length_groups --bodies runs/sst2-record --out runs/sst2-plain

Reuses the tokenizer and both pretrained bodies of a finished `minipre transfer --preset sst2` run (--bodies, made with
`length_groups=8`, the default) and repeats the whole protocol (recipe tuning on the carved split included) for every
start at the given sizes, on the same subsets (same seeds), with `length_groups=1`: each batch a plain random sample,
padded to its longest sentence. Prints both tables, the paired difference (grouped minus plain) and the fine-tuning
seconds per step of each. Runs with 2 threads, as the record did; run it with nothing else on the machine.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def paired(grouped: dict, plain: dict, sizes) -> list[str]:
    "Per start and N: mean difference in accuracy (grouped minus plain, points) over shared seeds, and time per step."
    from minipre.stats import mean_ci

    key = lambda r: (r["start"], r["n"], r["seed"])
    g, p = ({key(r): r for r in res["runs"] if r["n"] in sizes} for res in (grouped, plain))
    lines = [
        "| start | N | seeds | grouped minus plain (points, 95% interval) | s/step grouped | s/step plain |",
        "|---|---|---|---|---|---|",
    ]
    for start, n in sorted({k[:2] for k in g if k in p}, key=lambda k: (k[1], k[0])):
        ks = [k for k in g if k[:2] == (start, n) and k in p]
        m, lo, hi, seeds = mean_ci([100 * (g[k]["acc"] - p[k]["acc"]) for k in ks])
        ci = "" if lo is None else f" [{lo:+.1f}, {hi:+.1f}]"
        rate = lambda rs: sum(r["seconds"] for r in rs) / sum(r["steps"] for r in rs)
        lines.append(
            f"| {start} | {n} | {seeds} | {m:+.1f}{ci} | "
            f"{rate([g[k] for k in ks]):.3f} | {rate([p[k] for k in ks]):.3f} |"
        )
    return lines


def main():
    from benchmarks.results import follow_up_parser

    ap = follow_up_parser(__doc__, out="runs/sst2-plain", sizes="100,300")
    a = ap.parse_args()
    import torch
    from dataclasses import replace
    from minipre.transfer import run_transfer, format_table
    from benchmarks.results import recorded_run

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", 2)))
    run = recorded_run(a.bodies, a.data)
    protocol = run["preset"].protocol
    sizes = {int(s) for s in a.sizes.split(",")}
    cfg = replace(protocol, sizes=tuple(sorted(sizes)), finetune=replace(protocol.finetune, length_groups=1))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    starts = {"scratch": None, **run["bodies"]}
    res = run_transfer(run["splits"], starts, run["tok"], cfg, run["scratch_cfg"], out / "results.json")
    base = run["results"]
    base = {
        **base,
        "runs": [r for r in base["runs"] if r["n"] in sizes],
        "tfidf": [r for r in base["tfidf"] if r["n"] in sizes],
    }
    print("\nplain random batches (length_groups=1):\n" + format_table(res))
    print("\nlength groups (the preset, length_groups=8), same subsets:\n" + format_table(base))
    print("\n" + "\n".join(paired(base, res, sizes)))


if __name__ == "__main__":
    main()
