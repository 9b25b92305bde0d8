"""The kind of text (#44 item 3): the lab body's next-token recipe pretrained on general English, against the same on
IMDb reviews, at equal tokens, fine-tuned under the same protocol on the same subsets.

Three texts, one tokenizer (the lab body's), one schedule (warmup, stable, a decay of a fifth), the same steps:
- IMDb reviews, all 50,000 (the shipped ladder, `minipre/bodies/imdb-ladder`; its record docs/ladder-sst2.json);
- general English, WikiText-2's two released splits (`wikitext2-ladder`): about 0.7M tokens, so a 12.8M-token body
  reads it about 18 times;
- the first IMDb reviews holding the same 0.7M tokens (`imdb-small-ladder`), read as often: whatever separates it from
  the general-English body is the kind of text, not the repetition.

    MINIPRE_DATA=../shared/data python -m benchmarks.ladder_bodies --corpus wikitext2 --fractions 0.25,1 \\
        --out runs/ladder-wikitext2
    MINIPRE_DATA=../shared/data python -m benchmarks.ladder_bodies --corpus imdb-small --fractions 0.25,1 \\
        --out runs/ladder-imdb-small
    RUNGS=wikitext2-ladder/clm-3.2M,wikitext2-ladder/clm-12.8M,imdb-small-ladder/clm-3.2M,imdb-small-ladder/clm-12.8M
    MINIPRE_DATA=../shared/data python -m benchmarks.ladder_transfer --out docs/text-kind-sst2.json --rungs $RUNGS
    python -m benchmarks.text_kind            # the figure (docs/text-kind-sst2.png) and RESULTS.md's section

The fine-tuning record draws the ladder record's subsets and seeds (same labeled set, sizes and seeds), so its runs pair
with the ladder's by N and seed; its own scratch runs are checked equal to the ladder's (the pairing's proof).
"""

import argparse, json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARMS = {  # prefix of a start's name in the record -> (its words, its marker)
    "wikitext2-ladder/": ("general English (WikiText-2, repeated)", "s"),
    "imdb-small-ladder/": ("IMDb reviews, as few tokens as WikiText-2, repeated as often", "^"),
}


def arm_of(start: str) -> str | None:
    return next((p for p in ARMS if start.startswith(p)), None)


def rung_of(start: str) -> str:
    "The IMDb ladder's rung of the same tokens: 'wikitext2-ladder/clm-12.8M' -> 'clm-12.8M'."
    return start.rpartition("/")[2]


def marks(kind: dict) -> tuple:
    "The other texts' bodies as marks on the ladder's figure, at their pretraining tokens."
    from minipre.transfer import ladder_marks

    return ladder_marks(kind, ARMS)


def scratch_agrees(kind: dict, ladder: dict) -> float:
    "The largest difference between the two records' scratch runs on the same N and seed (0.0: the subsets agree)."
    acc = lambda rec: {(r["n"], r["seed"]): r["acc"] for r in rec["runs"] if r["start"] == "scratch"}
    mine, theirs = acc(kind), acc(ladder)
    shared = mine.keys() & theirs.keys()
    if not shared:
        raise SystemExit("the two records share no scratch runs: they were not drawn from the same subsets")
    return max(abs(mine[k] - theirs[k]) for k in shared)


def comparisons(kind: dict, ladder: dict) -> list[tuple[str, str, dict]]:
    "(words, start, {N: (mean, low, high, k)}): each body against scratch, its IMDb rung, and the small IMDb body."
    from minipre.transfer import paired_differences

    out = []
    starts = [s for s in kind["pretraining"] if arm_of(s)]
    for s in sorted(starts, key=lambda s: (kind["pretraining"][s]["tokens"], s)):
        out.append((f"{s} minus scratch", s, paired_differences(kind, "scratch")[s]))
        out.append((f"{s} minus imdb-ladder/{rung_of(s)}", s, paired_differences(kind, rung_of(s), other=ladder)[s]))
        if s.startswith("wikitext2-ladder/") and f"imdb-small-ladder/{rung_of(s)}" in kind["pretraining"]:
            d = paired_differences(kind, f"imdb-small-ladder/{rung_of(s)}")[s]
            out.append((f"{s} minus imdb-small-ladder/{rung_of(s)}", s, d))
    return out


def section(kind: dict, ladder: dict) -> str:
    "RESULTS.md's section: the bodies, their accuracy, and the paired differences that read the kind of text."
    from minipre.transfer import format_table

    pts = lambda v: f"{100 * v[0]:+.1f} [{100 * v[1]:+.1f}, {100 * v[2]:+.1f}]"
    ns = sorted({r["n"] for r in kind["runs"]})
    pre = kind["pretraining"]
    lines = [
        f"Fine-tuning recorded {kind['date']} on {kind['machine']} (torch {kind['torch']}), "
        f"{kind['finetune_seconds'] / 60:.1f} min: `{kind['command']}`; the IMDb rungs are the ladder record's "
        f"(`{ladder['command']}`). Scratch in both records: largest difference {scratch_agrees(kind, ladder):.3f} "
        "(the same subsets and seeds).",
        "",
        "| body | text | tokens | passes over its text | minutes | validation loss (its own text) |",
        "|---|---|---|---|---|---|",
    ]
    for s in sorted(pre, key=lambda s: (pre[s]["tokens"], s)):
        p = pre[s]
        lines.append(
            f"| {s} | {p.get('corpus', 'imdb')} | {p['tokens']:,} | {p.get('passes', float('nan')):.1f} | "
            f"{p['minutes']:.1f} | {p['val_loss'][-1]:.3f} |"
        )
    lines += ["", format_table(kind), "", "Paired on the same subsets and seeds (points, 95% interval over seeds):", ""]
    lines += ["| comparison | " + " | ".join(f"N = {n:,}" for n in ns) + " |", "|---|" + "---|" * len(ns)]
    for words, _, d in comparisons(kind, ladder):
        lines.append(f"| {words} | " + " | ".join(pts(d[n]) if n in d else "-" for n in ns) + " |")
    return "\n".join(lines)


def plot(kind: dict, ladder: dict, path: Path):
    "The IMDb ladder's figure with the other texts' bodies as marks at their tokens."
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from minipre.transfer import plot_ladder

    title = "SST-2: IMDb pretraining (line) against general English (squares)"
    plt.close(plot_ladder(ladder, path, title, marks=marks(kind)))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--record", default="docs/text-kind-sst2.json", help="the other texts' fine-tuning record")
    p.add_argument("--ladder", default="docs/ladder-sst2.json", help="the IMDb ladder's record on the same subsets")
    a = p.parse_args()
    kind, ladder = (json.loads((ROOT / f).read_text()) for f in (a.record, a.ladder))
    plot(kind, ladder, (ROOT / a.record).with_suffix(".png"))
    print(section(kind, ladder))


if __name__ == "__main__":
    main()
