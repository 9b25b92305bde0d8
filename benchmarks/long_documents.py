"""Long reviews under the full protocol: the shipped next-token body against scratch and TF-IDF, windows against
truncation, mean against max pooling of the windows, at N = 100 and 1000.

    MINIPRE_DATA=../shared/data python -m benchmarks.long_documents --out runs/long-docs

The labeled set is `imdb_reviews_sample/train.tsv` (5,000 full-length IMDb training reviews; most are longer than the
model's 128 positions), Penn-Treebank-normalised and lower-cased as the body's text was. Its rows are shuffled once
(seed 0): the last 1,000 are the evaluation set, scored once per final run; subsets of N are drawn class-balanced from
the other 4,000, the same subset for every start at a seed (paired). The pretrained start is the body the package
ships for the `sst2-lab` preset (`minipre/bodies/sst2-lab/clm`: next-token, 2 x 128, every IMDb unlabeled review,
20.7 CPU-minutes); no pretraining happens here.

The protocol is chapter 10's `run_transfer` with the lab's recipe grid (`LM_GRID`: two fine-tuning rates, a linear
probe, a prompt through the LM head) and fine-tuning budget: at every N each start chooses its recipe on a split
carved from its own N labels, trains to early stopping, and is scored once. It runs twice, reading long texts as
windows (every token; the windows' logits averaged) and truncated (the first 128 tokens). For every windowed final
run the same classifier is also scored with max pooling over its windows, and prediction is timed; after the runs,
prediction time is measured against text length. Writes `docs/long-documents.json` (resumable: the two protocols'
results.json stay in `--out`) and the RESULTS.md section (`--record-only` rewrites only the section). Run it with
nothing else on the machine.

`--body DIR` asks whether the body is the limit: it starts from another next-token checkpoint instead (the record's
larger shape, 4 layers of width 256 with BPE 8192, pretrained under the same 20-minute cap by
`python -m benchmarks.lab_body --shape sst2 --steps 1250 --out runs/lab-body-4x256`), reads long texts as windows only,
leaves out the scratch start (the main record has it), and writes `docs/long-documents-larger.json` and its own section,
which compares it seed by seed with the shipped body on the same subsets:

    MINIPRE_DATA=../shared/data python -m benchmarks.long_documents --body runs/lab-body-4x256/body \
        --out runs/long-docs-4x256
"""

import argparse
import json
import os
import random
import time
from dataclasses import asdict, replace
from pathlib import Path

import torch

from minipre.checkpoint import load_model
from minipre.data import load_labeled, ptb_normalize
from minipre.files import atomic_write
from minipre.config import LM_GRID, PRESETS, TransferConfig
from minipre.finetune import window_logits
from minipre.stats import mean_ci
from minipre.transfer import (
    LabeledSplits,
    PretrainingSummary,
    chosen_recipes,
    format_table,
    load_bodies,
    paired_differences,
    run_transfer,
)
from benchmarks.results import write_section

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "docs" / "long-documents.json"
LARGER = ROOT / "docs" / "long-documents-larger.json"  # the --body run
LARGER_TITLE = "Long documents: is the body the limit?"
MODES = ("windows", "truncate")
LENGTHS = (128, 256, 512, 1024, 2048)  # tokens per text for the prediction-time measurement


def splits(data) -> LabeledSplits:
    "Training pool (4,000 reviews) and evaluation set (the last 1,000 after a shuffle), normalised like the body."
    dd = load_labeled(Path(data) / "imdb_reviews_sample" / "train.tsv", val_frac=0.01)
    rows = [(ptb_normalize(t), y) for s in dd.values() for t, y in zip(s["text"], s["label"])]
    random.Random(0).shuffle(rows)
    tr, ev = rows[:-1000], rows[-1000:]
    return LabeledSplits([t for t, _ in tr], [y for _, y in tr], [t for t, _ in ev], [y for _, y in ev], "held-out")


def protocol(mode: str, sizes, seeds: int, seeds_small: int) -> TransferConfig:
    "The lab's protocol (grid, budget, prompt) on long texts read as `mode`."
    lab = PRESETS["sst2-lab"].protocol
    return TransferConfig(
        sizes=tuple(sizes),
        seeds=seeds,
        seeds_small=seeds_small,
        small_until=min(sizes),
        tune_until=None,
        grid=LM_GRID,
        finetune=replace(lab.finetune, long_texts=mode),
    )


def pooled(ft, eval_ids, labels) -> dict:
    "Max-pooled accuracy of a windowed final run (the protocol scored the mean) and the time of that prediction pass."
    t0 = time.perf_counter()
    logits = window_logits(ft.model, ft.task, eval_ids, ft.overlap, pool="max")
    seconds = time.perf_counter() - t0
    acc = (logits.argmax(-1) == torch.tensor(labels)).float().mean().item()
    return {"acc_max": acc, "predict_s": seconds}


def time_lengths(ft, eval_ids, n_texts: int = 50) -> list[dict]:
    "Seconds per text to predict texts of each length in LENGTHS (the evaluation reviews' tokens, repeated to length)."
    stream = [t for ids in eval_ids for t in ids]
    out = []
    for L in LENGTHS:
        texts = [stream[i * L % len(stream) :][:L] for i in range(n_texts)]
        texts = [t + stream[: L - len(t)] for t in texts]
        window_logits(ft.model, ft.task, texts[:2], ft.overlap)  # warm-up
        t0 = time.perf_counter()
        window_logits(ft.model, ft.task, texts, ft.overlap)
        out.append({"tokens": L, "seconds_per_text": (time.perf_counter() - t0) / n_texts})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/long-docs")
    ap.add_argument("--data", default=os.environ.get("MINIPRE_DATA"))
    ap.add_argument("--sizes", default="100,1000")
    ap.add_argument("--seeds", type=int, default=3, help="seeds at the larger sizes")
    ap.add_argument("--seeds-small", type=int, default=5, help="seeds at the smallest size")
    ap.add_argument("--record-only", action="store_true", help="only rewrite the RESULTS.md section from the record")
    ap.add_argument("--body", help="a next-token checkpoint folder to start from instead (windows only, no scratch)")
    a = ap.parse_args()
    if a.record_only:
        if a.body:
            return record_larger(json.loads(LARGER.read_text()), json.loads(RECORD.read_text()))
        return record(json.loads(RECORD.read_text()))
    if not a.data:
        ap.error("--data (or MINIPRE_DATA) must name the folder that holds imdb_reviews_sample/")
    if a.body and not any((Path(a.body) / f).is_file() for f in ("meta.json", "latest")):
        ap.error(
            f"--body {a.body}: no checkpoint there (no meta.json, no latest); make one with "
            "`python -m benchmarks.lab_body --shape sst2 --steps 1250 --out runs/lab-body-4x256` "
            "(then pass runs/lab-body-4x256/body)"
        )
    torch.set_num_threads(2)
    t_start = time.perf_counter()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in a.sizes.split(",")]
    data = splits(a.data)
    bodies, summaries, tok = load_body(Path(a.body)) if a.body else load_bodies(PRESETS["sst2-lab"])
    scratch = replace(bodies["clm"].config, causal=False)
    modes = ("windows",) if a.body else MODES
    starts = bodies if a.body else {"scratch": None, **bodies}
    eval_ids = tok.encode_batch(data.eval_texts)
    kept = {}  # a windowed pretrained classifier, for timing prediction against length

    def extra_for(mode):
        def extra(ft, ids):
            if mode == "truncate":
                t0 = time.perf_counter()
                ft.predict_ids(ids)
                return {"predict_s": time.perf_counter() - t0}
            kept.setdefault("ft", ft)
            return pooled(ft, ids, data.eval_labels)

        return extra

    rec = {"records": {}}
    for mode in modes:
        cfg = protocol(mode, sizes, a.seeds, a.seeds_small)
        res = run_transfer(data, starts, tok, cfg, scratch, out / f"{mode}.json", extra=extra_for(mode))
        rec["records"][mode] = res.to_dict()
    if "ft" in kept:
        rec["lengths"] = time_lengths(kept["ft"], eval_ids)
    lengths = sorted(map(len, eval_ids))
    rec["eval"] = {"n": len(eval_ids), "median_tokens": lengths[len(lengths) // 2], "max_tokens": lengths[-1]}
    rec["pretraining"] = {k: asdict(v) for k, v in summaries.items()}
    rec["machine"] = {"torch": torch.__version__, "threads": torch.get_num_threads(), "cpus": os.cpu_count()}
    rec["date"] = time.strftime("%Y-%m-%d")
    rec["wall_minutes"] = (time.perf_counter() - t_start) / 60
    if a.body:
        c = bodies["clm"].config
        rec["body"] = {"path": a.body, "n_layer": c.n_layer, "n_embd": c.n_embd, "vocab_size": c.vocab_size}
        atomic_write(LARGER, json.dumps(rec, indent=1))
        return record_larger(rec, json.loads(RECORD.read_text()))
    atomic_write(RECORD, json.dumps(rec, indent=1))
    record(rec)


def load_body(path: Path) -> tuple[dict, dict, object]:
    "A next-token checkpoint as the protocol's one pretrained start: ({'clm': model}, {'clm': summary}, tokenizer)."
    net, tok, meta = load_model(path)
    if tok is None:
        raise SystemExit(f"--body {path}: no tokenizer.json beside the weights")
    if not net.config.causal:
        raise SystemExit(f"--body {path}: a masked (bidirectional) body; this row compares next-token bodies")
    v = [r["val_loss"] for r in meta.get("history", []) if "val_loss" in r] or [float("nan")]
    return (
        {"clm": net},
        {
            "clm": PretrainingSummary(
                meta.get("step", 0), meta.get("tokens", 0), meta.get("minutes", 0.0), [v[0], v[-1]]
            )
        },
        tok,
    )


def _runs(rec: dict, mode: str) -> list[dict]:
    return rec["records"][mode]["runs"]


def between_modes(rec: dict) -> str:
    "Windows minus truncation, each with its own chosen recipe, paired by seed (points, 95% interval)."
    out = []
    for start in ("clm", "scratch"):
        for n in sorted({r["n"] for r in _runs(rec, "windows")}):
            acc = {m: {r["seed"]: r["acc"] for r in _runs(rec, m) if (r["start"], r["n"]) == (start, n)} for m in MODES}
            d = [100 * (acc["windows"][s] - acc["truncate"][s]) for s in acc["windows"] if s in acc["truncate"]]
            out.append(f"- {start}, N = {n}: windows minus truncation {_diff(d)}")
    return "\n".join(out)


def _shown(m, lo, hi, k, scale: float = 100.0) -> str:
    "A mean difference (fractions, shown in points) with its 95% interval, as the section writes it."
    out = f"{scale * m:+.1f} points"
    return out + ("" if lo is None else f" (95% interval [{scale * lo:+.1f}, {scale * hi:+.1f}], {k} seeds)")


def _diff(d: list) -> str:
    "The same for a list of differences already in points."
    return _shown(*mean_ci(d), scale=1.0)


def poolings(rec: dict) -> str:
    "Max minus mean pooling of the windows' logits, on the same windowed classifiers (points, 95% interval)."
    out = []
    for start in ("clm", "scratch"):
        for n in sorted({r["n"] for r in _runs(rec, "windows")}):
            rs = [r for r in _runs(rec, "windows") if (r["start"], r["n"]) == (start, n)]
            d = [100 * (r["acc_max"] - r["acc"]) for r in rs]
            mx = mean_ci([100 * r["acc_max"] for r in rs])[0]
            out.append(f"- {start}, N = {n}: max pooling {mx:.1f}, minus mean pooling {_diff(d)}")
    return "\n".join(out)


def against_tfidf(rec: dict) -> str:
    "The pretrained start minus TF-IDF on the same subsets, windows (points, 95% interval)."
    d = paired_differences(rec["records"]["windows"], ref="tfidf")["clm"]
    return "\n".join(f"- N = {n}: next-token pretrained minus TF-IDF {_shown(*ci)}" for n, ci in d.items())


def costs(rec: dict) -> str:
    "Mean seconds per final run: fine-tuning, and one prediction pass over the evaluation set, per mode."
    out = []
    for start in ("clm", "scratch"):
        for n in sorted({r["n"] for r in _runs(rec, "windows")}):
            c = {}
            for m in MODES:
                rs = [r for r in _runs(rec, m) if (r["start"], r["n"]) == (start, n)]
                c[m] = (sum(r["seconds"] for r in rs) / len(rs), sum(r["predict_s"] for r in rs) / len(rs))
            out.append(
                f"- {start}, N = {n}: fine-tuning {c['truncate'][0]:.0f} s truncated, {c['windows'][0]:.0f} s with "
                f"windows; predicting the {rec['eval']['n']} reviews {c['truncate'][1]:.1f} s against "
                f"{c['windows'][1]:.1f} s"
            )
    return "\n".join(out)


def length_table(rec: dict) -> str:
    "Prediction time per text against its length (windows)."
    rows = rec.get("lengths", [])
    base = rows[0]["seconds_per_text"] if rows else 1.0
    lines = ["| tokens per text | ms per text | x the 128-token time |", "|---|---|---|"]
    lines += [
        f"| {r['tokens']} | {1000 * r['seconds_per_text']:.1f} | {r['seconds_per_text'] / base:.1f} |" for r in rows
    ]
    return "\n".join(lines)


def verdict(rec: dict) -> str:
    "The issue's target read off the record: the best pretrained start level with TF-IDF at N = 1000, ahead at 100."
    w = rec["records"]["windows"]
    mean = lambda start, n: mean_ci([r["acc"] for r in w["runs"] if (r["start"], r["n"]) == (start, n)])[0]
    tf = lambda n: mean_ci([r["acc"] for r in w["tfidf"] if r["n"] == n])[0]
    sizes = sorted({r["n"] for r in w["runs"]})
    met = [mean("clm", n) > tf(n) if n == min(sizes) else mean("clm", n) >= tf(n) - 0.005 for n in sizes]
    parts = [
        f"N = {n}: {100 * mean('clm', n):.1f} against TF-IDF's {100 * tf(n):.1f} ({'met' if ok else 'missed'})"
        for n, ok in zip(sizes, met)
    ]
    return (
        "The target (the best pretrained start level with TF-IDF, within half a point, at the largest N and ahead of "
        f"it at the smallest, with at most 20 CPU-minutes of pretraining) is **{'met' if all(met) else 'missed'}**: "
        + "; ".join(parts)
        + "."
    )


def section(rec: dict) -> str:
    "The RESULTS.md section, every figure rendered from the record."
    p = rec["pretraining"]["clm"]
    w = rec["records"]["windows"]
    return "\n\n".join(
        [
            f"Recorded {rec['date']}: 2-core CPU, torch {rec['machine']['torch']}, {rec['machine']['threads']} "
            f"threads, nothing else running, {rec['wall_minutes']:.0f} minutes end to end. Command: "
            "`MINIPRE_DATA=../shared/data python -m benchmarks.long_documents --out runs/long-docs` (the section: "
            "`--record-only`). Record: `docs/long-documents.json`. Single run of the script; seeds as the tables say.",
            f"IMDb reviews (`imdb_reviews_sample`): {rec['eval']['n']} held-out reviews of median "
            f"{rec['eval']['median_tokens']} tokens (the longest {rec['eval']['max_tokens']:,}); the model reads 128 "
            f"at a time. The pretrained start is the next-token body the package ships (`sst2-lab`: {p['steps']} "
            f"steps, {p['tokens']:,} tokens of IMDb unlabeled reviews, {p['minutes']:.1f} CPU-minutes). The full "
            "protocol: every start chooses among the lab's recipes (two fine-tuning rates, a linear probe, a prompt "
            "through the LM head) on a split carved from its N labels, trains to early stopping, and is scored once.",
            "**Windows** (every token read; a text's logits are its windows' mean), accuracy (%), mean ± std over "
            "seeds, and the paired difference against scratch:",
            format_table(w),
            "What each start chose (windows):",
            "\n".join(chosen_recipes(w)),
            "**Truncated** (the first 128 tokens), the same protocol:",
            format_table(rec["records"]["truncate"]),
            "What each start chose (truncated):",
            "\n".join(chosen_recipes(rec["records"]["truncate"])),
            "The pretrained start against TF-IDF (windows), paired by seed:",
            against_tfidf(rec),
            verdict(rec),
            "Windows minus truncation, each with the recipe it chose, paired by seed:",
            between_modes(rec),
            "Max against mean pooling of the windows' logits (the same windowed classifiers, scored both ways):",
            poolings(rec),
            "What windows cost (mean per final run, whatever recipe was chosen):",
            costs(rec),
            "Prediction time against text length (the record's first windowed classifier; the architecture, not the "
            "weights, sets it), 50 texts per length:",
            length_table(rec),
        ]
    )


def between_bodies(rec: dict, base: dict) -> str:
    "The larger body minus the shipped one on the same subsets (same N, same seed), windows (points, 95% interval)."
    ours = {(r["n"], r["seed"]): r["acc"] for r in _runs(rec, "windows") if r["start"] == "clm"}
    theirs = {(r["n"], r["seed"]): r["acc"] for r in _runs(base, "windows") if r["start"] == "clm"}
    out = []
    for n in sorted({n for n, _ in ours}):
        d = [100 * (ours[k] - theirs[k]) for k in ours if k[0] == n and k in theirs]
        out.append(f"- N = {n}: the larger body minus the shipped one {_diff(d)}")
    return "\n".join(out)


def cost_against(rec: dict, base: dict) -> str:
    "Mean seconds per final run (fine-tuning; one prediction pass over the evaluation set), larger body and shipped."
    out = []
    for n in sorted({r["n"] for r in _runs(rec, "windows")}):
        c = []
        for r_ in (rec, base):
            rs = [r for r in _runs(r_, "windows") if (r["start"], r["n"]) == ("clm", n)]
            c.append((sum(r["seconds"] for r in rs) / len(rs), sum(r["predict_s"] for r in rs) / len(rs)))
        out.append(
            f"- N = {n}: fine-tuning {c[0][0]:.0f} s against {c[1][0]:.0f} s; predicting the {rec['eval']['n']} "
            f"reviews {c[0][1]:.1f} s against {c[1][1]:.1f} s"
        )
    return "\n".join(out)


def larger_section(rec: dict, base: dict) -> str:
    "The --body run's RESULTS.md section: the larger body under the same protocol, against TF-IDF and the shipped one."
    p, b, w = rec["pretraining"]["clm"], rec["body"], rec["records"]["windows"]
    q = base["pretraining"]["clm"]
    return "\n\n".join(
        [
            f"Recorded {rec['date']}: 2-core CPU, torch {rec['machine']['torch']}, {rec['machine']['threads']} "
            f"threads, nothing else running, {rec['wall_minutes']:.0f} minutes end to end. Commands: "
            "`MINIPRE_DATA=../shared/data python -m benchmarks.lab_body --shape sst2 --steps 1250 --out "
            "runs/lab-body-4x256`, then `MINIPRE_DATA=../shared/data python -m benchmarks.long_documents --body "
            "runs/lab-body-4x256/body --out runs/long-docs-4x256` (the section: `--record-only --body x`). Record: "
            "`docs/long-documents-larger.json`. Single run of the script; seeds as the tables say.",
            "The section above misses its target. Is the 2 x 128 body the limit? This run changes only the body: "
            f"{b['n_layer']} layers of width {b['n_embd']} with a BPE of {b['vocab_size']:,} tokens (the record "
            f"preset's shape), next-token on the same normalised IMDb unlabeled reviews, {p['steps']} steps, "
            f"{p['tokens']:,} tokens, {p['minutes']:.1f} CPU-minutes (validation loss {p['val_loss'][0]:.2f} -> "
            f"{p['val_loss'][1]:.2f}; the shipped body: {q['steps']} steps, {q['tokens']:,} tokens, "
            f"{q['minutes']:.1f} minutes). The same reviews, subsets, seeds, recipe grid and budget; windows only "
            "(mean of the windows' logits); no scratch row (the section above has it).",
            "Accuracy (%), mean ± std over seeds:",
            format_table(w),
            "What it chose:",
            "\n".join(chosen_recipes(w)),
            "Against the shipped body (same subsets, paired by seed):",
            between_bodies(rec, base),
            "Against TF-IDF (same subsets, paired by seed):",
            against_tfidf(rec),
            verdict(rec),
            "What the larger body costs (mean per final run, whatever recipe was chosen), against the shipped body:",
            cost_against(rec, base),
        ]
    )


def record_larger(rec: dict, base: dict):
    "Print the --body run's section and write it into RESULTS.md."
    body = larger_section(rec, base)
    print(body)
    write_section(LARGER_TITLE, body)


def record(rec: dict):
    "Print the section and write it into RESULTS.md."
    body = section(rec)
    print(body)
    write_section("Long documents: windows against truncation", body)


if __name__ == "__main__":
    main()
