"""Fine-tuning ablation (chapter 09): what each technique buys on one pretrained body, at N = 100 and 1000.

    MINIPRE_DATA=../shared/data python -m benchmarks.finetune_ablation [--out runs/finetune-ablation]

The body is the one the package ships for the `sst2-lab` preset (`minipre/bodies/sst2-lab/clm`: next-token, 2 x 128,
every IMDb unlabeled review). The task is SST-2's training *sentences* (`sst2-sentences`), Penn-Treebank-normalised
as the body's text was; every run is scored once on SST-2's dev set. Each row changes one thing in the base recipe
(full fine-tuning at lr 1e-3, every block at the same rate, mean pooling, the head at 3x the rate: the recipe the lab
run's pretrained start chose at N = 100) and keeps the lab preset's budget (`sst2-lab`: up to 20 epochs, 100 to 1000
steps, patience 4 on a split carved from the N labels). At each N and seed every row fine-tunes on the same
class-balanced subset (paired): 5 seeds at N = 100, 3 at N = 1000. Nothing is chosen on the dev set. Writes
`docs/finetune-ablation.json` (resumable: finished runs are kept in `--out`, and a checkout without that folder starts
from the runs the record holds) and the RESULTS.md section (`--record-only` rewrites only the section). Run it with
nothing else on the machine.

One row needs a second body: the same recipe pretrained on the reviews as written (not normalised like SST-2, its
tokenizer too), made first with `python -m benchmarks.lab_body --raw --steps 2600 --out runs/lab-body-raw` (about 20
minutes); `--raw-body` names it (default `runs/lab-body-raw/body`).
"""

import json, time
from dataclasses import replace
from pathlib import Path

from benchmarks.results import benchmark_args, record_and_section, run_facts

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "docs" / "finetune-ablation.json"
TITLE = "Fine-tuning ablation: one body, one change at a time"
SIZES, SEEDS = (100, 1000), {100: 5, 1000: 3}
BASE = {"lr": 1e-3, "layer_decay": 1.0}
# (name, the change to the base recipe; "start": "scratch" / "scratch-causal" trains a fresh model of the body's shape)
ROWS = [
    ("full fine-tuning (the base)", {}),
    ("linear probe on frozen features", {"method": "probe"}),
    ("prompt through the LM head", {"method": "prompt", "lr": 3e-4}),
    ("gradual unfreezing (body frozen for the first 30%)", {"freeze_frac": 0.3}),
    ("layer-wise rates (decay 0.8 per block)", {"layer_decay": 0.8}),
    ("a lower rate (lr 3e-4)", {"lr": 3e-4}),
    ("head at the body's rate (x1)", {"head_lr_mult": 1.0}),
    ("head at 10x the rate", {"head_lr_mult": 10.0}),
    ("pooling: the last token", {"pooling": "last"}),
    ("from scratch, bidirectional (the protocol's scratch)", {"start": "scratch"}),
    ("from scratch, causal (the decoder's own shape)", {"start": "scratch-causal"}),
    ("pretrained on raw text (reviews as written, not normalised)", {"start": "raw"}),
    ("LoRA (rank 8 on every block's matrices, body frozen, merged)", {"method": "lora"}),
    ("LoRA at 3x the rate (lr 3e-3)", {"method": "lora", "lr": 3e-3}),
]
RAW_BODY = "runs/lab-body-raw/body"


def section(rec: dict) -> str:
    "The RESULTS.md section, every figure rendered from the record."
    return "\n\n".join(
        [
            f"Recorded {run_dates(rec)}: {rec['machine']}, nothing else running. Command: `{rec['command']}` (the "
            "section: `python -m benchmarks.finetune_ablation --record-only`). Record: `docs/finetune-ablation.json`. "
            f"{len(rec['runs'])} fine-tuning runs, {sum(r['seconds'] for r in rec['runs']) / 60:.1f} minutes of "
            "fine-tuning and scoring in all.",
            "The shipped `sst2-lab` next-token body (2 x 128) fine-tuned on SST-2 training sentences and scored once "
            "on SST-2 dev; every row changes one thing in the base recipe (full fine-tuning, lr 1e-3, one rate for "
            "every block, mean pooling, the head at 3x). Pooling the first token is not a row: a decoder's first "
            "token sees only itself, and `finetune` refuses it. Same subsets for every row at a seed; 5 seeds at "
            "N = 100, 3 at N = 1000. Accuracy (%), mean ± std, and the paired difference from the base with its 95% "
            "interval:",
            "\n".join(table(rec)),
            raw_note(rec),
        ]
    ).strip()


def run_dates(rec: dict) -> str:
    "When the runs were made: the first date, and the rows added later with theirs."
    rows = {}
    for r in rec["runs"]:
        rows.setdefault(r.get("date", rec["date"]), {})[r["row"]] = None
    first, *later = sorted(rows)
    return first + "".join(f" (the rows {'; '.join(rows[d])}: {d})" for d in later)


def raw_note(rec: dict) -> str:
    "What the raw-text row's second body is (empty for a record made before it)."
    raw = rec.get("raw_body")
    if not raw:
        return ""
    val = raw["val_loss"]
    return (
        "The raw-text row fine-tunes a second body, pretrained by the same recipe and budget on the reviews as "
        f"written, its tokenizer too (`{raw['command']}`; validation loss {val[0]:.2f} -> {val[-1]:.2f}, not "
        "comparable with the shipped body's: other text, other tokens). SST-2's sentences are lower-cased and "
        "Penn-Treebank-tokenized, so that body meets a text unlike the one it read."
    )


def table(rec: dict) -> list[str]:
    "The ablation table's Markdown lines."
    from minipre.stats import mean_ci

    acc = {(r["row"], r["n"], r["seed"]): 100 * r["acc"] for r in rec["runs"]}
    base = ROWS[0][0]
    lines = [
        "| recipe | " + " | ".join(f"N = {n:,}" for n in rec["sizes"]) + " |",
        "|---" * (1 + len(rec["sizes"])) + "|",
    ]
    for name in [r for r in rec["rows"]]:
        cells = []
        for n in rec["sizes"]:
            xs = [acc[(name, n, s)] for s in range(rec["seeds"][str(n)]) if (name, n, s) in acc]
            if not xs:
                cells.append("-")
                continue
            m = sum(xs) / len(xs)
            sd = (sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) ** 0.5 if len(xs) > 1 else 0.0
            cell = f"{m:.1f} ± {sd:.1f}"
            if name != base:
                d = [acc[(name, n, s)] - acc[(base, n, s)] for s in range(rec["seeds"][str(n)])
                     if (name, n, s) in acc and (base, n, s) in acc]  # fmt: skip
                dm, lo, hi, _ = mean_ci(d)
                cell += f" ({dm:+.1f} [{lo:+.1f}, {hi:+.1f}])"
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def main():
    a = benchmark_args(__doc__, "runs/finetune-ablation", raw_body=RAW_BODY)
    rec = None
    if not a.record_only:
        import torch
        from minipre.config import PRESETS
        from minipre.data import load_labeled, ptb_normalize
        from minipre.files import atomic_write
        from minipre.finetune import balanced_subset, finetune
        from minipre.transfer import bodies_folder
        from minipre.checkpoint import load_model

        torch.set_num_threads(2)
        out = Path(a.out)
        out.mkdir(parents=True, exist_ok=True)
        done_path = out / "runs.json"
        if done_path.exists():
            runs = json.loads(done_path.read_text())
        else:  # a new checkout: the record's runs are finished runs too
            runs = json.loads(RECORD.read_text())["runs"] if RECORD.exists() else []
        runs = [r for r in runs if r["row"] in dict(ROWS)]
        done = {(r["row"], r["n"], r["seed"]) for r in runs}
        body, tok, _ = load_model(bodies_folder("sst2-lab") / "clm")
        raw_path, raw_meta = Path(a.raw_body), None
        if any((name, n, seed) not in done for name, c in ROWS if c.get("start") == "raw" for n in SIZES
               for seed in range(SEEDS[n])):  # fmt: skip
            if not (raw_path / "latest").exists() and not list(raw_path.glob("ckpt-*")):
                raise SystemExit(
                    f"--raw-body {raw_path}: no checkpoint there; make it with `python -m benchmarks.lab_body --raw "
                    "--steps 2600 --out runs/lab-body-raw` (about 20 minutes)"
                )
            raw_body, raw_tok, raw_meta = load_model(raw_path)
        lab = load_labeled("sst2-sentences", data=a.data)
        tr_x = [ptb_normalize(t) for t in lab["train"]["text"]]
        tr_y = list(lab["train"]["label"])
        dev_x, dev_y = [ptb_normalize(t) for t in lab["validation"]["text"]], list(lab["validation"]["label"])
        base = replace(PRESETS["sst2-lab"].protocol.finetune, **BASE)
        t0 = time.perf_counter()
        for n in SIZES:
            for seed in range(SEEDS[n]):
                idx = balanced_subset(tr_y, n, seed)
                x, y = [tr_x[i] for i in idx], [tr_y[i] for i in idx]
                for name, change in ROWS:
                    if (name, n, seed) in done:
                        continue
                    change = dict(change)
                    start = change.pop("start", "pretrained")
                    cfg = replace(base, **change, seed=seed)
                    t1 = time.perf_counter()
                    if start == "pretrained":
                        ft = finetune(x, y, tok, body=body, cfg=cfg)
                    elif start == "raw":
                        ft = finetune(x, y, raw_tok, body=raw_body, cfg=cfg)
                    else:
                        ft = finetune(x, y, tok, config=replace(body.config, causal=start == "scratch-causal"), cfg=cfg)
                    acc = ft.accuracy(dev_x, dev_y)
                    info = ft.info
                    runs.append(dict(row=name, n=n, seed=seed, acc=acc, seconds=time.perf_counter() - t1,
                                     ended=info.ended, steps=info.steps, date=time.strftime("%Y-%m-%d")))  # fmt: skip
                    atomic_write(done_path, json.dumps(runs, indent=1))
                    print(f"N={n:>5} seed={seed} {name}: {acc:.3f} ({info.steps} steps, {info.ended})", flush=True)
        rec = dict(
            **run_facts("MINIPRE_DATA=../shared/data python -m benchmarks.finetune_ablation", t0),
            sizes=list(SIZES),
            seeds={str(k): v for k, v in SEEDS.items()},
            rows=[r for r, _ in ROWS],
            changes={r: c for r, c in ROWS},
            base={**BASE, "budget": "the sst2-lab preset's FinetuneConfig"},
            raw_body=json.loads(RECORD.read_text())["raw_body"]  # every raw run was done before: as recorded then
            if raw_meta is None
            else {
                "command": "MINIPRE_DATA=../shared/data python -m benchmarks.lab_body --raw --steps 2600 "
                "--out runs/lab-body-raw",
                "val_loss": [r["val_loss"] for r in raw_meta.get("history", []) if "val_loss" in r],
                "minutes": raw_meta.get("minutes"),
                "tokens": raw_meta.get("tokens"),
            },
            runs=runs,
        )
    record_and_section(RECORD, TITLE, section, rec)


if __name__ == "__main__":
    main()
