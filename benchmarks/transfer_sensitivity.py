"""Is the from-scratch baseline stopped too early? The sst2 protocol again at small N with three times the patience.

    MINIPRE_DATA=../shared/data python -m benchmarks.transfer_sensitivity \
        --bodies runs/sst2-honest --out runs/sst2-patience

Reuses the tokenizer and the next-token body of a finished `minipre transfer --preset sst2` run (--bodies) and repeats
the fine-tuning protocol for scratch and the next-token start at the small sizes, on the same subsets (same seeds),
with patience 12 instead of 4 and at most 30 epochs instead of 10. Everything else (the recipe grid, tuning on the
carved split, the cap) is the preset's. Prints both tables; the record goes to benchmarks/RESULTS.md by hand.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    from benchmarks.results import follow_up_parser

    ap = follow_up_parser(__doc__, out="runs/sst2-patience", sizes="100,300,1000")
    ap.add_argument("--patience", type=int, default=12)
    ap.add_argument("--epochs", type=float, default=30)
    a = ap.parse_args()
    import torch
    from dataclasses import replace
    from minipre.transfer import run_transfer, format_table
    from benchmarks.results import recorded_run

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", 1)))
    run = recorded_run(a.bodies, a.data)
    protocol = run["preset"].protocol
    ft = replace(protocol.finetune, patience=a.patience, epochs=a.epochs)
    cfg = replace(protocol, sizes=tuple(int(s) for s in a.sizes.split(",")), finetune=ft)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    res = run_transfer(
        run["splits"],
        {"scratch": None, "clm": run["bodies"]["clm"]},
        run["tok"],
        cfg,
        run["scratch_cfg"],
        out / "results.json",
    )
    print(f"\npatience {a.patience}, at most {a.epochs:g} epochs:\n" + format_table(res))
    base = run["results"]
    keep = {int(s) for s in a.sizes.split(",")}
    base = {
        **base,
        "runs": [r for r in base["runs"] if r["n"] in keep and r["start"] in ("scratch", "clm")],
        "tfidf": [r for r in base["tfidf"] if r["n"] in keep],
    }
    print("\nthe preset (patience 4, at most 10 epochs), same subsets:\n" + format_table(base))


if __name__ == "__main__":
    main()
