"""Long reviews: windows against truncation, a pretrained start against scratch and TF-IDF, at N = 100 and 1000.

    MINIPRE_DATA=../shared/data python -m benchmarks.long_documents --out runs/long-docs

The labeled set is `imdb_reviews_sample/train.tsv` (5,000 full-length IMDb training reviews, median 173 words; most
are longer than the model's 128 positions). Its rows are shuffled once (seed 0): the last 1,000 are the evaluation
set, touched once per final run; subsets of N are drawn class-balanced from the other 4,000, one per seed. The
pretrained start is the `sst2-quick` preset's next-token body (2 layers, width 128, IMDb unlabeled reviews, its
150-second budget), resumed from `--out` if it is there. Every start fine-tunes with one fixed recipe (the preset's
second candidate: lr 1e-3, no layer decay), early-stopped on a split carved from its own N labels, once with
`long_texts='truncate'` (the first 128 tokens) and once with `'windows'` (every token, windows' logits averaged);
TF-IDF + logistic regression has its C chosen on the same carved split. Not the full protocol: no recipe grid. Writes
`docs/long-documents.json` and the RESULTS.md section. Run it with nothing else on the machine.
"""

import argparse
import json
import os
import random
import time
from dataclasses import replace
from pathlib import Path

from minipre.data import load_labeled, ptb_normalize
from minipre.files import atomic_write
from minipre.baselines import tfidf_baseline
from minipre.finetune import balanced_subset, finetune
from minipre.pretrain import build_tokenizer, corpus_texts, pretrain
from minipre.tokenize import load_tokenizer
from minipre.config import PRESETS
from minipre.stats import mean_ci
from benchmarks.results import write_section

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "docs" / "long-documents.json"
STARTS = ("clm", "scratch")
MODES = ("truncate", "windows")


def splits(data):
    "Training pool and evaluation set of the long reviews, normalised as the preset's corpus is."
    dd = load_labeled(Path(data) / "imdb_reviews_sample" / "train.tsv", val_frac=0.01)
    rows = [(ptb_normalize(t), y) for s in dd.values() for t, y in zip(s["text"], s["label"])]
    random.Random(0).shuffle(rows)
    return rows[:-1000], rows[-1000:]


def table(rec: dict) -> str:
    "Accuracy (%) per start and mode, mean ± std over seeds, as RESULTS.md shows it."
    sizes = sorted({r["n"] for r in rec["runs"]})
    lines = ["| start | " + " | ".join(f"N={n}" for n in sizes) + " |", "|---|" + "---|" * len(sizes)]
    names = [(s, m) for s in STARTS for m in MODES] + [("tfidf", None)]
    for start, mode in names:
        cells = []
        for n in sizes:
            accs = [
                100 * r["acc"] for r in rec["runs"] if r["start"] == start and r["n"] == n and r.get("mode") == mode
            ]
            m, lo, hi, k = mean_ci(accs)
            sd = (sum((a - m) ** 2 for a in accs) / (k - 1)) ** 0.5 if k > 1 else 0.0
            cells.append(f"{m:.1f} ± {sd:.1f}")
        label = "TF-IDF + logistic regression" if start == "tfidf" else f"{start}, {mode}"
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def paired(rec: dict) -> str:
    "Windows minus truncation, paired by seed, per start and N (points, 95% interval)."
    out = []
    for start in STARTS:
        for n in sorted({r["n"] for r in rec["runs"]}):
            acc = {(r["mode"], r["seed"]): r["acc"] for r in rec["runs"] if r["start"] == start and r["n"] == n}
            d = [100 * (acc[("windows", s)] - acc[("truncate", s)]) for m, s in acc if m == "windows"]
            m, lo, hi, k = mean_ci(d)
            ci = "" if lo is None else f" (95% interval [{lo:+.1f}, {hi:+.1f}], {k} seeds)"
            out.append(f"- {start}, N = {n}: windows minus truncation {m:+.1f} points{ci}")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/long-docs")
    ap.add_argument("--data", default=os.environ.get("MINIPRE_DATA"))
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--sizes", default="100,1000")
    ap.add_argument("--record-only", action="store_true", help="only rewrite the RESULTS.md section from the record")
    a = ap.parse_args()
    if a.record_only:
        return record(json.loads(RECORD.read_text()))
    import torch

    torch.set_num_threads(2)
    out = Path(a.out)
    preset = PRESETS["sst2-quick"]
    recipe = preset.recipe("clm")
    train_rows, eval_rows = splits(a.data)
    ev_x, ev_y = [t for t, _ in eval_rows], [y for _, y in eval_rows]
    tok_path = out / "tokenizer.json"
    texts = corpus_texts(recipe, a.data)
    if tok_path.exists():
        tok = load_tokenizer(tok_path)
    else:
        tok = build_tokenizer("bpe", texts[0], recipe.vocab_size)
        out.mkdir(parents=True, exist_ok=True)
        tok.save(tok_path)
    body, _, st = pretrain(recipe, out / "clm", texts=texts, tok=tok)
    scratch = replace(body.config, causal=False)
    base = replace(preset.protocol.finetune, **preset.protocol.grid[1])
    rec = {"pretraining": {"steps": st.step, "tokens": st.tokens, "minutes": st.elapsed / 60}, "runs": []}
    rec["eval"] = {"n": len(ev_y), "median_tokens": sorted(map(len, tok.encode_batch(ev_x)))[len(ev_y) // 2]}
    labels = [y for _, y in train_rows]
    for n in [int(s) for s in a.sizes.split(",")]:
        for seed in range(a.seeds):
            idx = balanced_subset(labels, n, seed)
            xs, ys = [train_rows[i][0] for i in idx], [labels[i] for i in idx]
            tb = tfidf_baseline(xs, ys, ev_x, ev_y, seed, cfg=base)
            rec["runs"].append({"start": "tfidf", "mode": None, "n": n, "seed": seed, "acc": tb["acc"]})
            for start in STARTS:
                for mode in MODES:
                    cfg = replace(base, long_texts=mode, seed=seed, layer_decay=1.0)
                    t0 = time.perf_counter()
                    kw = dict(body=body) if start == "clm" else dict(config=scratch)
                    ft = finetune(xs, ys, tok, cfg=cfg, **kw)
                    t1 = time.perf_counter()
                    acc = ft.accuracy(ev_x, ev_y)
                    t2 = time.perf_counter()
                    rec["runs"].append(
                        {
                            "start": start,
                            "mode": mode,
                            "n": n,
                            "seed": seed,
                            "acc": acc,
                            "steps": ft.info["steps"],
                            "ended": ft.info["ended"],
                            "examples": ft.info["n_examples"],
                            "train_s": t1 - t0,
                            "predict_s": t2 - t1,
                        }
                    )
                    print(
                        f"N={n} seed={seed} {start:>7} {mode:>8}: {acc:.3f} ({ft.info['steps']} steps, "
                        f"{ft.info['ended']}, train {t1 - t0:.0f}s, predict {t2 - t1:.0f}s)",
                        flush=True,
                    )
                    atomic_write(RECORD, json.dumps(rec, indent=1))
    rec["machine"] = {"torch": torch.__version__, "threads": torch.get_num_threads(), "cpus": os.cpu_count()}
    rec["date"] = time.strftime("%Y-%m-%d")
    atomic_write(RECORD, json.dumps(rec, indent=1))
    record(rec)


def seconds(rec: dict, start: str, mode: str, n: int, what: str) -> float:
    "Mean seconds per run of `what` ('train_s' or 'predict_s')."
    xs = [r[what] for r in rec["runs"] if (r["start"], r.get("mode"), r["n"]) == (start, mode, n)]
    return sum(xs) / len(xs)


def record(rec: dict):
    "Print the tables and write the RESULTS.md section, every figure from the record."
    sizes = sorted({r["n"] for r in rec["runs"]})
    cost = [
        f"- {s}, N = {n}: fine-tuning {seconds(rec, s, 'truncate', n, 'train_s'):.0f} s truncated, "
        f"{seconds(rec, s, 'windows', n, 'train_s'):.0f} s with windows; predicting the {rec['eval']['n']} reviews "
        f"{seconds(rec, s, 'truncate', n, 'predict_s'):.1f} s against "
        f"{seconds(rec, s, 'windows', n, 'predict_s'):.1f} s"
        for s in STARTS
        for n in sizes
    ]
    p = rec["pretraining"]
    body = "\n\n".join(
        [
            f"Recorded {rec.get('date', '?')}: 2-core CPU, torch {rec.get('machine', {}).get('torch', '?')}, 2 "
            "threads, "
            "nothing else running. Command: `MINIPRE_DATA=../shared/data python -m benchmarks.long_documents --out "
            "runs/long-docs` (the section: `--record-only`). Record: `docs/long-documents.json`.",
            f"IMDb reviews (`imdb_reviews_sample`), {rec['eval']['n']} held-out reviews of median "
            f"{rec['eval']['median_tokens']} tokens; the pretrained start is the `sst2-quick` next-token body "
            f"({p['steps']} steps, {p['tokens']:,} tokens, {p['minutes']:.1f} min). One fixed recipe per start, no "
            "recipe grid (not the full protocol); accuracy (%), mean ± std over seeds:",
            table(rec),
            "Windows minus truncation, paired by seed:",
            paired(rec),
            "What windows cost (mean per run):",
            "\n".join(cost),
        ]
    )
    print(body)
    write_section("Long documents: windows against truncation", body)


if __name__ == "__main__":
    main()
