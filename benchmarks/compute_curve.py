"""The compute curve: how transfer to SST-2 grows with IMDb pretraining, for three objectives, with a domain control.

    MINIPRE_DATA=../shared/data python -m benchmarks.compute_curve [--scale 0.33] [--out runs/compute-curve]

Each objective (masked LM, next-token, ELECTRA's replaced-token detection) pretrains the sst2 preset's model on the
IMDb unlabeled reviews for `scale` of the sst2 preset's steps, keeping snapshots at 1/16 and 1/4 of its steps. Every
snapshot and every finished body is fine-tuned under chapter 10's protocol (the same two candidate recipes, chosen on
a split carved from the training subset; 5 seeds at each N; SST-2 dev scored once per final run), beside scratch
and TF-IDF. The domain control pretrains the same next-token model on general English (WikiText-2's two released
splits) for the steps of the 1/4 snapshot: equal tokens, no text repeated, only the kind of text differs.
Writes docs/compute-curve.json (the record, with machine, date, versions and command) and docs/compute-curve.png;
a re-run resumes from --out.
"""

import argparse, datetime, json, os, platform, sys, time
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = {"mlm": 1800, "clm": 1300, "electra": 1500}
RECORD = (
    ROOT / "docs" / "transfer-sst2.json"
)  # the full-budget record: same model, protocol and subsets  # the full budget's steps; --scale takes a share of them


def main(argv=None):
    import torch
    from minipre.config import PRESETS
    from minipre.data import find_data_dir, load_corpus, load_labeled, ptb_normalize
    from minipre.files import atomic_write
    from minipre.pretrain import build_tokenizer, corpus_texts, pretrain
    from minipre.tokenize import load_tokenizer
    from minipre.transfer import LabeledSplits, PretrainingSummary, format_table, plot_curve, pretrain_bodies
    from minipre.transfer import run_transfer

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=1 / 3, help="share of the full budget's steps (default 1/3)")
    ap.add_argument("--out", default="runs/compute-curve")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--sizes", default="100,1000")
    ap.add_argument("--record", default=str(ROOT / "docs" / "compute-curve.json"))
    ap.add_argument(
        "--early-at-first-only", action="store_true", help="fine-tune the 1/16 snapshots at the first size only"
    )
    a = ap.parse_args(argv)
    data = find_data_dir()
    if data is None or not (data / "movie_reviews_unlabeled").is_dir():
        sys.exit("compute_curve: needs the IMDb unlabeled reviews: set MINIPRE_DATA to the data folder")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    base = PRESETS["sst2"]
    sizes = tuple(int(s) for s in a.sizes.split(","))
    preset = replace(
        base,
        steps={k: max(16, round(v * a.scale)) for k, v in STEPS.items()},
        objectives=("mlm", "clm", "electra"),
        curve=(1 / 16, 1 / 4),
        pretraining=base.pretraining.but(max_seconds=None, progress=False),
        protocol=replace(base.protocol, sizes=sizes, seeds=a.seeds, seeds_small=a.seeds),
    )
    t_all = time.perf_counter()
    texts = corpus_texts(preset.pretraining, data)
    tok_path = out / "tokenizer.json"
    if tok_path.exists():
        tok = load_tokenizer(tok_path)
    else:
        tok = build_tokenizer("bpe", texts[0], preset.pretraining.vocab_size)
        tok.save(tok_path)
    bodies, record = pretrain_bodies(preset, out, tok, texts)
    # the domain control: the same next-token model on general English, for the steps of the 1/4 snapshot
    wiki = load_corpus(data / "wikitext2")
    wtexts = tuple([ptb_normalize(t) for t in wiki[s]["text"]] for s in ("test", "validation"))
    csteps = max(1, round(preset.curve[-1] * preset.steps["clm"]))
    crecipe = preset.recipe("clm").but(source="wikitext2", steps=csteps, eval_every=max(1, csteps // 5), snapshots=())
    net, _, st = pretrain(crecipe, out / "clm-wikitext2", texts=wtexts, tok=tok)
    bodies["clm-wikitext2"], record["clm-wikitext2"] = net, PretrainingSummary.of(st)
    labeled = LabeledSplits.from_dataset(load_labeled("sst2", data=data), ptb_normalize)
    scratch = replace(bodies["mlm"].config, causal=False)
    starts, results = {"scratch": None, **bodies}, out / "results.json"
    rec = Path(a.record)

    def keep(res):
        "The record as it stands, with its pretraining and meta: written after each phase, so a cut run keeps it."
        res.pretraining = {k: asdict(p) for k, p in record.items()}
        res.finetune_seconds = sum(r["seconds"] for r in res.runs + res.tuning)
        res.extra["meta"] = {
            "command": "MINIPRE_DATA=../shared/data python -m benchmarks.compute_curve "
            + " ".join(argv or sys.argv[1:]),
            "date": datetime.date.today().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads",
            "torch": torch.__version__,
            "python": platform.python_version(),
            "scale": a.scale,
            "steps": preset.steps,
            "curve": list(preset.curve),
            "early_snapshots_at": [min(sizes)] if a.early_at_first_only else list(sizes),
            "control": {"corpus": "wikitext2 (test + validation splits, normalised)", "steps": csteps},
            "minutes_total": (time.perf_counter() - t_all) / 60,
        }
        atomic_write(results, json.dumps(res.to_dict(), indent=1))
        atomic_write(rec, json.dumps(res.to_dict(), indent=1))
        fig = plot_curve(res, rec.with_suffix(".png"), title="SST-2", also=json.loads(RECORD.read_text()))
        import matplotlib.pyplot as plt

        plt.close(fig)

    # every start at the first size; with --early-at-first-only the earliest snapshots are left out above it
    first = min(sizes)
    res = run_transfer(labeled, starts, tok, replace(preset.protocol, sizes=(first,)), scratch, results)
    keep(res)
    early = {k for k in starts if k.endswith(f"@{preset.curve[0]:g}")} if a.early_at_first_only else set()
    rest = tuple(n for n in sizes if n != first)
    if rest:
        later = {k: v for k, v in starts.items() if k not in early}
        res = run_transfer(labeled, later, tok, replace(preset.protocol, sizes=rest), scratch, results)
        keep(res)
    print(format_table(res))
    print(f"record: {rec}; plot: {rec.with_suffix('.png')}")


def domain_line(rec: dict) -> str:
    "The domain control against next-token pretraining on IMDb at the same tokens, paired over the same subsets."
    from minipre.transfer import paired_differences

    d = paired_differences(rec, ref="clm@0.25").get("clm-wikitext2", {})
    pts = lambda x: f"{100 * x:+.1f}"
    parts = [
        f"N={n}: {pts(m)} [{pts(lo)}, {pts(hi)}]" if lo is not None else f"N={n}: {pts(m)}"
        for n, (m, lo, hi, _) in d.items()
    ]
    return (
        "General English (WikiText-2) minus IMDb reviews, next-token at the same tokens (points, paired): "
        + "; ".join(parts)
    )


def section(rec: dict) -> str:
    "The figures RESULTS.md quotes, rendered from the record."
    from minipre.transfer import curve_table, format_table

    return curve_table(rec) + "\n\n" + format_table(rec) + "\n\n" + domain_line(rec)


if __name__ == "__main__":
    main()
