"""The far end of the pretraining ladder: a published pretrained encoder fine-tuned under the ladder's own protocol.

    MINIPRE_DATA=../shared/data python -m benchmarks.published_transfer --sizes 100,300,1000 --until-minutes 40
    MINIPRE_DATA=../shared/data python -m benchmarks.published_transfer --labeled imdb-reviews-sample \
        --sizes 100,1000 --out docs/published-imdb.json --ladder docs/ladder-imdb.json

The body is a folder in Hugging Face's layout (default: `all-minilm-l6-v2` in the data folder), loaded into minipre's
own classes with its own tokenizer (`minipre.checkpoint.load_model`, which checks the rebuild against `transformers`).
It is fine-tuned with the `sst2-lab` preset's protocol, exactly as `benchmarks/ladder_transfer.py` fine-tunes the
ladder's rungs: the same labeled set and text normalisation, the same subsets (`balanced_subset` of N and the seed), the
same candidate recipes (those that apply: an encoder without a language-model head has no prompt), chosen on a split
carved from each subset's own labels, early stopping on it, the evaluation split scored once per final run. Because
the subsets are the same, every run pairs with the ladder record's scratch, TF-IDF and rung runs of the same N and
seed, and the section printed at the end reports those paired differences. The record (--out) is written after every
run and resumed by the same command; `--until-minutes` stops it between runs.
"""

import argparse, json, platform, time
from pathlib import Path

import torch

from benchmarks.ladder_transfer import labeled_splits, protocol_args

ROOT = Path(__file__).resolve().parents[1]
NAME = "all-MiniLM-L6-v2"
# Its pretraining, as a lower bound from what its sources say (not measured here): the student alone was distilled on
# English Wikipedia and BookCorpus (MiniLM's paper, following BERT: 2,500M + 800M words), read at least once, and a
# word is at least one WordPiece token. Left out, so the true figure is larger by an unknown factor (likely 10-100x):
# the passes actually made, the teacher's own pretraining (a BERT-base-size UniLMv2), and the contrastive training on
# over a billion sentence pairs that made the sentence encoder.
PUBLISHED_TOKENS_AT_LEAST = 3.3e9
PUBLISHED_BASIS = (
    "at least one pass of its student over English Wikipedia + BookCorpus (3.3B words, at least one token each); "
    "excludes the teacher's pretraining, further passes and the sentence-pair training: a lower bound"
)


class OutOfTime(Exception):
    pass


def same_subsets(rec: dict, ladder: dict):
    "The two records drew their subsets from the same labeled set: same training size, evaluation split and labels."
    for k in ("n_train_total", "n_eval", "eval_counts", "label_names"):
        if rec.get(k) != ladder.get(k):
            raise SystemExit(f"the ladder record's {k} ({ladder.get(k)}) is not this record's ({rec.get(k)})")


def section(rec: dict, ladder: dict) -> str:
    "RESULTS.md's section: the published encoder's accuracy and its paired differences against the ladder's starts."
    from minipre.transfer import format_table, ladder_rungs

    fmt = lambda d: f"{100 * d[0]:+.1f} [{100 * d[1]:+.1f}, {100 * d[2]:+.1f}]" if d[1] is not None else "-"
    ns = sorted({r["n"] for r in rec["runs"]})
    top = ladder_rungs(ladder)[-1]
    refs = [("scratch", "scratch"), (top, f"the ladder's top rung ({top})"), ("tfidf", "TF-IDF")]
    lines = [
        f"Fine-tuning recorded {rec['date']} on {rec['machine']} (torch {rec['torch']}), "
        f"{rec['finetune_seconds'] / 60:.1f} min: `{rec['command']}`.",
        "",
        format_table(rec),
        "",
        f"Paired with the ladder record's runs on the same subsets (`{ladder['command']}`), points, 95% interval:",
        "",
        f"| {NAME} minus | " + " | ".join(f"N={n}" for n in ns) + " |",
        "|---|" + "---|" * len(ns),
    ]
    from minipre.transfer import paired_differences

    for ref, label in refs:
        d = paired_differences(rec, ref, other=ladder).get(NAME, {})
        lines.append(f"| {label} | " + " | ".join(fmt(d[n]) if n in d else "-" for n in ns) + " |")
    return "\n".join(lines)


def plot(rec: dict, ladder: dict, path: Path, title: str):
    "The ladder figure, the published encoder drawn past its top rung at its pretraining's lower bound (an arrow)."
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from minipre.transfer import LadderMark, plot_ladder

    label = f"{NAME} (published; at least this many tokens)"
    mark = LadderMark(rec, NAME, PUBLISHED_TOKENS_AT_LEAST, label, at_least=True)
    plt.close(plot_ladder(ladder, path, title, marks=(mark,)))


def main():
    p = protocol_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]), "docs/published-sst2.json")
    p.add_argument("--body", default=None, help="a Hugging Face folder or Hub name (default: DATA/all-minilm-l6-v2)")
    p.add_argument("--ladder", default="docs/ladder-sst2.json", help="the ladder record whose subsets it pairs with")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    from dataclasses import replace

    from minipre.checkpoint import load_model
    from minipre.config import PRESETS
    from minipre.data import find_data_dir
    from minipre.files import atomic_write
    from minipre.transfer import run_transfer

    t0 = time.perf_counter()
    body = a.body or str((find_data_dir() or Path("../shared/data")) / "all-minilm-l6-v2")
    net, tok, _ = load_model(body)
    preset = PRESETS["sst2-lab"]
    sizes = tuple(int(s) for s in a.sizes.split(","))
    protocol = replace(preset.protocol, sizes=sizes, seeds=a.seeds, seeds_small=a.seeds)
    splits = labeled_splits(a.labeled)
    out = ROOT / a.out if not Path(a.out).is_absolute() else Path(a.out)

    def log(line: str):
        print(line, flush=True)
        if a.until_minutes and (time.perf_counter() - t0) / 60 > a.until_minutes:
            raise OutOfTime()

    try:  # no scratch start here: the ladder record holds it, on the same subsets
        res = run_transfer(splits, {NAME: net}, tok, protocol, net.config, out, log)
    except OutOfTime:
        print(f"stopped: --until-minutes {a.until_minutes} reached; the same command resumes from {out}")
        return
    res.finetune_seconds = sum(r["seconds"] for r in res.runs + res.tuning)
    d = res.to_dict() | {
        "body": Path(body).name,
        "published_pretraining": {"tokens_at_least": PUBLISHED_TOKENS_AT_LEAST, "basis": PUBLISHED_BASIS},
        "labeled": a.labeled,
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {torch.get_num_threads()} threads, no GPU",
        "torch": torch.__version__,
        "command": f"MINIPRE_DATA=../shared/data python -m benchmarks.published_transfer --labeled {a.labeled} "
        f"--sizes {a.sizes} --seeds {a.seeds} --out {a.out} --ladder {a.ladder}",
    }
    atomic_write(out, json.dumps(d, indent=1))
    ladder = json.loads((ROOT / a.ladder).read_text())
    same_subsets(d, ladder)
    plot(d, ladder, out.with_suffix(".png"), f"{a.labeled}: our ladder and a published encoder")
    print(section(d, ladder))


if __name__ == "__main__":
    main()
