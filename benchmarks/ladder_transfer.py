"""The pretraining ladder measured: every shipped rung fine-tuned under the honest protocol, scratch and TF-IDF beside.

    MINIPRE_DATA=../shared/data python -m benchmarks.ladder_transfer
    MINIPRE_DATA=../shared/data python -m benchmarks.ladder_transfer --labeled imdb-reviews-sample --sizes 100,1000 \
        --out docs/ladder-imdb.json

Each rung of `minipre/bodies/imdb-ladder` (made by `benchmarks/ladder_bodies.py`), the `sst2-lab` body (the same shape
and tokenizer, pretrained with a cosine schedule) and a model from scratch of the same shape are fine-tuned with the
`sst2-lab` preset's protocol (recipe chosen on a split carved from each subset's own labels, early stopping on it, the
evaluation split scored once per final run), TF-IDF + logistic regression beside them. The record (--out) is written
after every run and resumed by the same command; `--until-minutes` stops it between runs. The plot (the record's name
with .png) draws accuracy against pretraining tokens, with the pretraining loss beside it.

A rung of another shipped ladder is named LADDER/RUNG (#44 item 3, the kind of text: the same subsets and seeds, so its
runs pair with this record's by N and seed):

    RUNGS=wikitext2-ladder/clm-3.2M,wikitext2-ladder/clm-12.8M,imdb-small-ladder/clm-3.2M,imdb-small-ladder/clm-12.8M
    MINIPRE_DATA=../shared/data python -m benchmarks.ladder_transfer --out docs/text-kind-sst2.json --rungs $RUNGS
"""

import argparse, json, platform, time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
LADDER = ROOT / "minipre" / "bodies" / "imdb-ladder"
BODIES = ROOT / "docs" / "pretraining-ladder.json"


class OutOfTime(Exception):
    pass


def rungs() -> list[str]:
    "The shipped rungs, fewest tokens first."
    return sorted((p.name for p in LADDER.iterdir() if (p / "latest").exists()), key=lambda n: float(n[4:-1]))


def rung_place(name: str) -> tuple[Path, Path, str]:
    """A rung's folder, its ladder's pretraining record and its name there: 'clm-12.8M' is the IMDb ladder's,
    'wikitext2-ladder/clm-12.8M' another shipped ladder's (benchmarks/ladder_bodies.py --corpus wikitext2)."""
    ladder, _, rung = name.rpartition("/")
    if not ladder or ladder == LADDER.name:
        return LADDER / rung, BODIES, rung
    record = BODIES.with_name(f"pretraining-ladder-{ladder.removesuffix('-ladder')}.json")
    return LADDER.with_name(ladder) / rung, record, rung


def pretraining_rows(names: list[str]) -> dict:
    "Each asked rung's row of its ladder's pretraining record (tokens, minutes, losses), by the name asked."
    rows = {}
    for n in names:
        _, record, rung = rung_place(n)
        found = {r["name"]: r for r in json.loads(record.read_text())["bodies"]} if record.exists() else {}
        if rung not in found:
            raise SystemExit(f"{record}: no row for the rung {rung!r} ({n}); make it with benchmarks/ladder_bodies.py")
        rows[n] = found[rung]
    return rows


def plot(rec: dict, path: Path, title: str):
    "The library's ladder figure (accuracy against pretraining tokens, the loss beside), saved for the README."
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from minipre.transfer import plot_ladder

    plt.close(plot_ladder(rec, path, title))


def verdict(mean: float, lo: float, hi: float) -> str:
    "A target of 'above': met only when the whole paired interval is above zero."
    return "met" if lo > 0 else "ahead on the mean, not beyond the spread" if mean > 0 else "missed"


def section(rec: dict, ladder: dict) -> str:
    "RESULTS.md's section for a ladder record: how it was made, the rungs, the accuracies, the lab targets."
    from minipre.transfer import format_table, ladder_rungs, paired_differences, summarize

    pts = lambda x: f"{100 * x:+.1f}"
    sm, pre = summarize(rec), rec["pretraining"]
    names = ladder_rungs(rec)
    lines = [
        f"Fine-tuning recorded {rec['date']} on {rec['machine']} (torch {rec['torch']}), "
        f"{rec['finetune_seconds'] / 60:.1f} min: `{rec['command']}`. The rungs: "
        f"`{ladder[names[0]]['command']}` ({ladder[names[0]]['machine']}).",
        "",
        "| rung | tokens | passes over the text | minutes (stable run included) | validation loss | bits per byte |",
        "|---|---|---|---|---|---|",
    ]
    for n in names:
        r = ladder[n]
        lines.append(
            f"| {n} | {r['tokens']:,} | {r['passes']:.2f} | {r['minutes']:.1f} | {r['val_loss']:.3f} | "
            f"{r['bits_per_byte']:.3f} |"
        )
    lines += ["", format_table(rec), ""]
    d, t = paired_differences(rec, ref="scratch"), paired_differences(rec, ref="tfidf")
    lines.append(
        "Targets of #44 for each rung (no rung is picked by its score on the evaluation split): at least 8 points "
        "above scratch at N = 100 with the interval above zero, and above TF-IDF at N = 100 and 1000 (paired, 95% "
        "intervals over seeds):"
    )
    lines.append("")
    for n in names:
        m, lo, hi = d[n][100][:3]
        gap = f"{pts(m)} [{pts(lo)}, {pts(hi)}], **{'met' if m >= 0.08 and lo > 0 else 'missed'}**"
        vs = "; ".join(
            f"TF-IDF at N = {k}: {pts(t[n][k][0])} [{pts(t[n][k][1])}, {pts(t[n][k][2])}], **{verdict(*t[n][k][:3])}**"
            for k in (100, 1000)
            if k in t[n]
        )
        lines.append(f"- {n}: over scratch at N = 100 {gap}; {vs}.")
    return "\n".join(lines)


def labeled_splits(name: str):
    """The labeled set, normalised as the bodies' text was: a registered name or a table, or `imdb-reviews-sample`
    (the long reviews, with the 1,000 held-out reviews that benchmarks/long_documents.py evaluates on)."""
    from minipre.data import find_data_dir, load_labeled, ptb_normalize
    from minipre.transfer import LabeledSplits

    if name == "imdb-reviews-sample":
        from benchmarks.long_documents import splits

        return splits(find_data_dir())
    return LabeledSplits.from_dataset(load_labeled(name), ptb_normalize)


def protocol_args(p: argparse.ArgumentParser, out: str) -> argparse.ArgumentParser:
    "The flags every run of the lab's protocol takes: what to fine-tune on, how many labels and seeds, where, how long."
    p.add_argument("--labeled", default="sst2-sentences", help="a registered labeled set or a table")
    p.add_argument("--sizes", default="100,300,1000")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--out", default=out)
    p.add_argument("--until-minutes", type=float, default=None, help="stop between runs after about this long")
    p.add_argument("--threads", type=int, default=2)
    return p


def main():
    p = protocol_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]), "docs/ladder-sst2.json")
    p.add_argument("--rungs", default="all", help="comma-separated rung names (and 'lab' for the lab body), or all")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    from dataclasses import replace

    from minipre.checkpoint import load_model, tokenizer_fingerprint
    from minipre.config import PRESETS
    from minipre.files import atomic_write
    from minipre.transfer import run_transfer

    t0 = time.perf_counter()
    asked = rungs() + ["lab"] if a.rungs == "all" else a.rungs.split(",")
    names = [n for n in asked if n != "lab"]
    ladder = pretraining_rows(names)
    lab, tok, lab_meta = load_model(ROOT / "minipre" / "bodies" / "sst2-lab" / "clm")
    starts = {"scratch": None} | ({"lab": lab} if "lab" in asked else {})
    for n in names:
        net, t, _ = load_model(rung_place(n)[0])
        if tokenizer_fingerprint(t) != tokenizer_fingerprint(tok):
            raise SystemExit(
                f"{rung_place(n)[0]}: its tokenizer is not the lab body's; every start must read text alike"
            )
        starts[n] = net
    preset = PRESETS["sst2-lab"]
    sizes = tuple(int(s) for s in a.sizes.split(","))
    protocol = replace(preset.protocol, sizes=sizes, seeds=a.seeds, seeds_small=a.seeds)
    splits = labeled_splits(a.labeled)
    scratch_cfg = replace(lab.config, causal=False)
    out = ROOT / a.out if not Path(a.out).is_absolute() else Path(a.out)

    def log(line: str):
        print(line, flush=True)
        if a.until_minutes and (time.perf_counter() - t0) / 60 > a.until_minutes:
            raise OutOfTime()

    try:
        res = run_transfer(splits, starts, tok, protocol, scratch_cfg, out, log)
    except OutOfTime:
        print(f"stopped: --until-minutes {a.until_minutes} reached; the same command resumes from {out}")
        return
    # val_loss as a list (first and last validation), as the other transfer records hold it
    lab_val = [r["val_loss"] for r in lab_meta.get("history", []) if "val_loss" in r]
    lab_pre = {"tokens": lab_meta["tokens"], "minutes": lab_meta["elapsed"] / 60, "val_loss": lab_val}
    res.pretraining = ({"lab": lab_pre} if "lab" in starts else {}) | {
        n: {k: ladder[n][k] for k in ("tokens", "minutes", "bits_per_byte", "multiple", "passes")}
        | {"val_loss": [ladder[n]["val_loss"]], "corpus": ladder[n].get("corpus", "imdb")}
        for n in names
    }
    res.finetune_seconds = sum(r["seconds"] for r in res.runs + res.tuning)
    d = res.to_dict() | {
        "labeled": a.labeled,
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {torch.get_num_threads()} threads, no GPU",
        "torch": torch.__version__,
        "command": f"MINIPRE_DATA=../shared/data python -m benchmarks.ladder_transfer --labeled {a.labeled} "
        f"--sizes {a.sizes} --seeds {a.seeds} --out {a.out}" + ("" if a.rungs == "all" else f" --rungs {a.rungs}"),
    }
    atomic_write(out, json.dumps(d, indent=1))
    if any("/" in n for n in names):  # rungs of other ladders: benchmarks/text_kind.py reads them beside this ladder
        print(f"wrote {out}; report it with: python -m benchmarks.text_kind")
        return
    plot(d, out.with_suffix(".png"), f"{a.labeled}: accuracy against pretraining")
    print(section(d, ladder))


if __name__ == "__main__":
    main()
