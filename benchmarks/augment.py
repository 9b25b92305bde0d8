"""Data augmentation at small N, measured: word edits and masked-LM replacement against none, on SST-2.

    MINIPRE_DATA=../shared/data python -m benchmarks.augment --bodies runs/sst2-honest --out runs/sst2-augment

Takes a finished `minipre transfer --preset sst2` run (--bodies: tokenizer, both pretrained bodies, results.json). For
each start in --starts and each N in --sizes, it fine-tunes on the same class-balanced subsets (seeds 0-4) with the
recipe that start chose on its carved split in that run, adding one augmented copy of every training sentence (the
validation part is carved first and never augmented), and evaluates once on SST-2 dev. The no-augmentation numbers
are that run's own rows (same subsets, same recipe), so every difference is paired. Resumes from --out.
"""

import json, os, statistics
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    from benchmarks.results import follow_up_parser

    ap = follow_up_parser(__doc__, out="runs/sst2-augment", sizes="100,300")
    ap.add_argument("--starts", default="clm")
    ap.add_argument("--seeds", type=int, default=5)
    a = ap.parse_args()
    import torch
    from minipre.files import atomic_write
    from minipre.augment import mlm_replacements, word_edits
    from minipre.finetune import balanced_subset, finetune
    from minipre.stats import mean_ci
    from minipre.transfer import choose_recipe
    from benchmarks.results import recorded_run

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", 1)))
    run = recorded_run(a.bodies, a.data)
    cfg, data, tok, base, bodies, scratch_cfg = (
        run[k] for k in ("cfg", "splits", "tok", "results", "bodies", "scratch_cfg")
    )
    augs = {"word edits": word_edits(copies=1), "masked-LM replacement": mlm_replacements(bodies["mlm"], tok, copies=1)}
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.json"
    rows = json.loads(path.read_text()) if path.exists() else []
    for start in a.starts.split(","):
        for n in (int(s) for s in a.sizes.split(",")):
            k, at = choose_recipe(base, start, n, cfg)
            for seed in range(a.seeds):
                idx = balanced_subset(data.train_labels, n, seed)
                xs, ys = [data.train_texts[i] for i in idx], [data.train_labels[i] for i in idx]
                for name, aug in augs.items():
                    if any(
                        r["start"] == start and r["n"] == n and r["seed"] == seed and r["augment"] == name for r in rows
                    ):
                        continue
                    ft = finetune(
                        xs,
                        ys,
                        tok,
                        body=bodies.get(start),
                        config=scratch_cfg if start == "scratch" else None,
                        n_classes=2,
                        cfg=replace(cfg.finetune, **cfg.grid[k], seed=seed),
                        augment=aug,
                    )
                    acc = ft.accuracy(data.eval_texts, data.eval_labels)
                    rows.append(
                        {
                            "start": start,
                            "n": n,
                            "seed": seed,
                            "augment": name,
                            "acc": acc,
                            "recipe": cfg.grid[k],
                            "steps": ft.info["steps"],
                            "ended": ft.info["ended"],
                            "seconds": ft.info["seconds"],
                        }
                    )
                    atomic_write(path, json.dumps(rows, indent=1))
                    print(
                        f"{start} N={n} seed={seed} {name}: {acc:.3f} ({ft.info['steps']} steps, {ft.info['ended']})",
                        flush=True,
                    )
    # the table: mean +- std per augmentation, and the paired difference against none (same subsets, same recipe)
    none = {(r["start"], r["n"], r["seed"]): r["acc"] for r in base["runs"]}
    print(
        "\n| start | N | augmentation | accuracy (%) | paired difference vs none (points, 95% interval) "
        "|\n|---|---|---|---|---|"
    )
    for start in a.starts.split(","):
        for n in (int(s) for s in a.sizes.split(",")):
            ref = [none[(start, n, s)] for s in range(a.seeds)]
            print(f"| {start} | {n} | none | {100 * statistics.mean(ref):.1f} ± {100 * statistics.stdev(ref):.1f} | |")
            for name in augs:
                acc = {r["seed"]: r["acc"] for r in rows if (r["start"], r["n"], r["augment"]) == (start, n, name)}
                if len(acc) < 2:
                    continue
                m, lo, hi, _ = mean_ci([acc[s] - none[(start, n, s)] for s in sorted(acc)])
                print(
                    f"| {start} | {n} | {name} | {100 * statistics.mean(acc.values()):.1f} ± "
                    f"{100 * statistics.stdev(acc.values()):.1f} | {100 * m:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}] |"
                )


if __name__ == "__main__":
    main()
