"""ULMFiT's middle stage measured: the pretrained bodies adapted to SST-2's unlabeled training text, then the protocol.

    MINIPRE_DATA=../shared/data python -m benchmarks.transfer_adapt --bodies runs/sst2-honest --out runs/sst2-adapt

Takes the tokenizer and both pretrained bodies of a finished `minipre transfer --preset sst2` run (--bodies), trains a
copy of each further with its own objective on the texts of SST-2's training split (`adapt_to_task`: no labels read,
the dev split never touched; --adapt-steps at --adapt-lr, fixed in advance, not tuned), then runs the same protocol
(recipe grid, carved-split tuning, early stopping, seeds, subsets) for the adapted starts. The finished run's scratch,
next-token, masked-LM and TF-IDF rows are copied in first, so the table and the paired differences compare all starts
on the same subsets without training them again. Resumes from --out.
"""

import json, os, time
from pathlib import Path

from minipre.files import atomic_write

ROOT = Path(__file__).resolve().parents[1]


def main():
    from benchmarks.results import follow_up_parser

    ap = follow_up_parser(__doc__, out="runs/sst2-adapt", sizes="100,300,1000,3000,10000")
    ap.add_argument("--starts", default="clm,mlm", help="which bodies to adapt")
    ap.add_argument("--adapt-steps", type=int, default=300)
    ap.add_argument("--adapt-lr", type=float, default=3e-4)
    a = ap.parse_args()
    import torch
    from minipre.checkpoint import load_model
    from minipre.checkpoint import save_checkpoint, latest_checkpoint
    from dataclasses import replace
    from minipre.transfer import run_transfer, format_table, adapt_to_task, plot_transfer
    from benchmarks.results import recorded_run

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", 1)))
    run = recorded_run(a.bodies, a.data)
    p, splits, tok, bodies, scratch_cfg = run["preset"], run["splits"], run["tok"], run["bodies"], run["scratch_cfg"]
    cfg = replace(p.protocol, sizes=tuple(int(s) for s in a.sizes.split(",")))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    res_path = out / "results.json"
    # the finished run's rows (same subsets): copied in, not trained again; rows it gained since are added on a re-run
    base = run["results"]
    res = json.loads(res_path.read_text()) if res_path.exists() else {"runs": [], "tuning": [], "tfidf": []}
    for k in ("runs", "tuning", "tfidf"):
        res[k] += [r for r in base[k] if r not in res[k]]
    atomic_write(res_path, json.dumps(res, indent=1))
    starts, adapted_record = {"scratch": None, **bodies}, {}
    for o in a.starts.split(","):
        folder = out / f"{o}-adapted"
        if latest_checkpoint(folder) is None:
            t0 = time.perf_counter()
            net, st = adapt_to_task(
                bodies[o],
                tok,
                splits.train_texts,
                steps=a.adapt_steps,
                lr=a.adapt_lr,
                mask_rate=p.pretraining.mask_rate,
            )
            val = [r["val_loss"] for r in st.history if "val_loss" in r]
            save_checkpoint(
                folder,
                net,
                meta={
                    "step": st.step,
                    "adapted_from": str(Path(a.bodies) / o),
                    "val_loss": val,
                    "minutes": (time.perf_counter() - t0) / 60,
                },
                tokenizer=tok,
            )
        net, _, meta = load_model(folder)
        adapted_record[o] = {"steps": meta["step"], "val_loss": meta["val_loss"], "minutes": meta["minutes"]}
        print(
            f"{o} adapted: {meta['step']} steps, task-text validation loss {meta['val_loss'][0]:.2f} -> "
            f"{meta['val_loss'][-1]:.2f} ({meta['minutes']:.1f} min)"
        )
        starts[f"{o}-adapted"] = net
    res = run_transfer(splits, starts, tok, cfg, scratch_cfg, res_path)
    res["adaptation"] = {**adapted_record, "texts": len(splits.train_texts), "lr": a.adapt_lr}
    atomic_write(res_path, json.dumps(res, indent=1))
    plot_transfer(
        res, out / "transfer.png", title="sst2: accuracy against labeled examples (with task-text adaptation)"
    )
    print("\n" + format_table(res))


if __name__ == "__main__":
    main()
