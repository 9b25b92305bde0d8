"""One fine-tuning run of a finished sst2 transfer run, repeated alone to time it on a quiet machine.

    OMP_NUM_THREADS=2 MINIPRE_DATA=../shared/data python -m benchmarks.transfer_timing --start clm --n 10000

Same subset (seed), same recipe (the one the start chose in --bodies), same code path as the protocol; prints the wall
time, steps and accuracy next to the recorded run's. Used for the two-hour estimate in RESULTS.md.
"""

import argparse, os, time
from dataclasses import replace


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bodies", default="runs/sst2-honest")
    ap.add_argument("--start", default="clm", choices=("scratch", "mlm", "clm"))
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default=os.environ.get("MINIPRE_DATA"))
    a = ap.parse_args()
    import torch
    from minipre.finetune import balanced_subset, finetune
    from minipre.transfer import choose_recipe
    from benchmarks.results import recorded_run

    run = recorded_run(a.bodies, a.data)
    cfg, data = run["cfg"], run["splits"]
    k, _ = choose_recipe(run["results"], a.start, a.n, cfg)
    idx = balanced_subset(data.train_labels, a.n, a.seed)
    t0 = time.perf_counter()
    ft = finetune(
        [data.train_texts[i] for i in idx],
        [data.train_labels[i] for i in idx],
        run["tok"],
        body=run["bodies"].get(a.start),
        config=run["scratch_cfg"] if a.start == "scratch" else None,
        n_classes=max(data.train_labels) + 1,
        cfg=replace(cfg.finetune, **cfg.grid[k], seed=a.seed),
    )
    acc = ft.accuracy(data.eval_texts, data.eval_labels)
    old = next(r for r in run["results"]["runs"] if (r["start"], r["n"], r["seed"]) == (a.start, a.n, a.seed))
    print(
        f"{a.start} N={a.n} seed {a.seed} ({torch.get_num_threads()} threads): {time.perf_counter() - t0:.0f}s, "
        f"{ft.info['steps']} steps ({ft.info['ended']}), accuracy {acc:.3f}; recorded: {old['seconds']:.0f}s, "
        f"{old['steps']} steps, accuracy {old['acc']:.3f}"
    )


if __name__ == "__main__":
    main()
