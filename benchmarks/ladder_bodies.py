"""The pretraining ladder: one long next-token run with a warmup-stable-decay schedule, finished at geometric points.

The run has the shape of the `sst2-lab` body (2 layers, width 128, its own byte-level BPE of 4096 tokens, the IMDb
unlabeled reviews normalised like SST-2) and the lab body's rate (3e-3, 50 steps of warmup), held at its peak. At 1/16,
1/8, 1/4, 1/2, 1, 2 and 4 times the lab body's 2,600 steps (10.6M tokens) the stable run's checkpoint (weights, AdamW's
state, the data order) is copied aside and finished by a decay a fifth as long as the steps before it (1 - sqrt, to
zero); each finished body is shipped in the package as a small bfloat16 checkpoint with a card and its recipe
(`minipre/bodies/imdb-ladder/clm-<tokens>M/`), and `docs/pretraining-ladder.json` grows by one row per body.

    MINIPRE_DATA=../shared/data python -m benchmarks.ladder_bodies --out runs/ladder

The same run on another text (#44 item 3, the kind of text): `--corpus wikitext2` pretrains on general English
(WikiText-2's two released splits, every twentieth paragraph held out for validation; the same tokenizer, the same
steps, so the text is the only difference) and ships to `minipre/bodies/wikitext2-ladder/`; `--corpus imdb-small`
pretrains on the first IMDb reviews holding as many training tokens as that general text, repeated as often: the
control that tells the kind of text from the number of passes. `--fractions 0.25,1` makes only those rungs.

    MINIPRE_DATA=../shared/data python -m benchmarks.ladder_bodies --corpus wikitext2 --fractions 0.25,1 \\
        --out runs/ladder-wikitext2
    MINIPRE_DATA=../shared/data python -m benchmarks.ladder_bodies --corpus imdb-small --fractions 0.25,1 \\
        --out runs/ladder-imdb-small

Run it with nothing else busy on the machine (its minutes are the record's). It resumes: a second call with the same
--out continues the stable run from its last checkpoint and skips the bodies already shipped; `--until-minutes M` stops
it cleanly after about M minutes of this call (a resume point is saved), to split the run over sessions.

The ladder in the package was made in two sessions: the stable run stopped at step 5,200 (after the 2 x rung) at a
resume point (weights, AdamW's state, the data order; state.pt read with weights_only), which the next session copied
back into runs/ladder/stable/ and continued with the command above to the 4 x rung: identical to an unbroken run, as
the smoke test of resuming showed (same losses step for step).
"""

import argparse, dataclasses, json, math, platform, shutil, time
from pathlib import Path

import torch

import minipre
from minipre.checkpoint import latest_checkpoint, read_meta, save_checkpoint
from minipre.config import PRESETS
from minipre.data import find_data_dir, load_corpus, ptb_normalize
from minipre.device import cpu_has_bf16
from minipre.files import atomic_write
from minipre.pretrain import build_pretraining, corpus_texts, model_config, pretraining_model, stream_loss
from minipre.tokenize import load_tokenizer
from minipre.train import train

ROOT = Path(minipre.__file__).resolve().parent
SHIP = ROOT / "bodies" / "imdb-ladder"  # inside the package: pip installs it too
RECORD = ROOT.parent / "docs" / "pretraining-ladder.json"
LAB_TOKENIZER = ROOT / "bodies" / "sst2-lab" / "clm" / "ckpt-0002600" / "tokenizer.json"
LAB_STEPS = 2600  # the sst2-lab body's pretraining, the ladder's unit
FRACTIONS = (1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2, 4)
DECAY = 0.2  # each finished body's decay, as a share of the stable steps before it
VAL_TOKENS = 2**18  # the validation tokens every body's full validation loss is measured on
CORPORA = {  # what each --corpus is, for the cards: the text, and where its bodies and record go
    "imdb": ("every IMDb unlabeled review (`movie_reviews_unlabeled`, 50,000 reviews)", "imdb-ladder", ""),
    "wikitext2": (
        "general English: WikiText-2's validation and test splits (Wikipedia's Good and Featured articles, "
        "`wikitext2`), every twentieth paragraph held out for validation",
        "wikitext2-ladder",
        "-wikitext2",
    ),
    "imdb-small": (
        "the first IMDb unlabeled reviews (`movie_reviews_unlabeled`) holding as many training tokens as the "
        "general-English text of `wikitext2-ladder`: the control for how often the text is repeated",
        "imdb-small-ladder",
        "-imdb-small",
    ),
}


def recipe(steps: int, decay: int = 0, max_docs: int | None = None, source: str | None = None):
    "The lab body's recipe with a WSD schedule: `steps` in all, the last `decay` of them decaying to zero."
    base = PRESETS["sst2-quick"].pretraining
    return base.but(
        objective="clm",
        source=source or base.source,
        max_docs=max_docs,
        max_seconds=None,
        steps=steps,
        schedule="wsd",
        decay_steps=decay,
        min_lr_ratio=0.0,
        eval_every=130,  # a validation (and a resume point) every twentieth of the lab body's run
        normalize=True,
    )


def points(unit: int = LAB_STEPS, fractions=FRACTIONS) -> list[tuple[int, int]]:
    "Each rung: (stable steps, decay steps)."
    return [(round(unit * f), max(1, round(unit * f * DECAY))) for f in fractions]


def general_texts(data=None) -> tuple[list[str], list[str]]:
    "WikiText-2's two released splits as one general-English text, normalised; every twentieth paragraph validates."
    d = load_corpus(find_data_dir(data) / "wikitext2")
    docs = [t for s in ("test", "validation") for t in map(ptb_normalize, d[s]["text"]) if t.strip()]
    return [t for i, t in enumerate(docs) if i % 20], docs[::20]


def first_docs_with(texts: list[str], tok, n_tokens: int) -> int:
    "How many of the first documents hold `n_tokens` tokens (each with its <eos>): a smaller text of the same kind."
    total = 0
    for i, ids in enumerate(tok.encode_batch(texts)):
        total += len(ids) + 1
        if total >= n_tokens:
            return i + 1
    raise SystemExit(f"the text holds only {total:,} tokens, fewer than the {n_tokens:,} asked for")


def corpus(name: str, tok, max_docs: int | None) -> tuple[tuple[list[str], list[str]], int | None, str | None]:
    "The (training, validation) texts of --corpus `name`, the number of reviews kept, and the recipe's source."
    if name == "wikitext2":
        return general_texts(), None, "wikitext2"
    if name == "imdb-small":
        train_general = general_texts()[0]
        n_general = sum(len(ids) + 1 for ids in tok.encode_batch(train_general))
        train, val = corpus_texts(recipe(1))
        max_docs = first_docs_with(train, tok, n_general)
        return (train[:max_docs], val), max_docs, None
    return corpus_texts(recipe(1, max_docs=max_docs)), max_docs, None


def body_name(tokens: int) -> str:
    return f"clm-{tokens / 1e6:.1f}M"


def machine() -> dict:
    bf16 = cpu_has_bf16()
    return {
        "machine": f"{platform.machine()}, {torch.get_num_threads()} threads, "
        + ("native bfloat16 (autocast bf16)" if bf16 else "no native bfloat16 (float32)"),
        "torch": torch.__version__,
        "precision": "bf16" if bf16 else "fp32",
    }


def bits_per_byte(loss: float, n_tokens: int, n_bytes: int) -> float:
    "Nats per token to bits per UTF-8 byte of the text: comparable across tokenizers."
    return loss * n_tokens / (n_bytes * math.log(2))


def card(row: dict, corpus: str = "imdb") -> str:
    text, ladder, _ = CORPORA[corpus]
    what = "IMDb reviews" if corpus != "wikitext2" else "general English (Wikipedia)"
    return f"""# {ladder}/{row['name']}: one rung of minipre's pretraining ladder

A next-token model (GPT) of {what}, made by minipre's own code (`benchmarks/ladder_bodies.py`): the `sst2-lab`
body's shape (2 layers, width 128, rotary positions, the lab body's byte-level BPE of 4096 tokens, tokenizer.json
beside the weights), pretrained by one long warmup-stable-decay run and finished at step {row['stable_steps']:,} by a
decay of {row['decay_steps']:,} steps.

- Text: {text}; Penn-Treebank-normalised and lower-cased like SST-2. No SST-2 text, labelled or not.
- Training: {row['steps']:,} steps of 32 x 128 tokens: {row['tokens']:,} tokens, {row['passes']:.2f} passes over the
  training text; {row['multiple']:g} x the lab body's pretraining.
- Validation: loss {row['val_loss']:.3f} nats per token on the first {row['val_tokens']:,} validation tokens,
  {row['bits_per_byte']:.3f} bits per byte.
- Time: {row['minutes']:.1f} minutes of training ({row['machine']}, torch {row['torch']}), the stable run up to this
  rung included.
- Weights stored in bfloat16 (model.safetensors); they load into a float32 model. The full recipe is recipe.json.
- Remake: `{row['command']}`.
"""


def segment(run, cfg, out: Path, stop):
    "Continue the stable run in `out` to `cfg.steps` (a no-op when it is already there)."
    return train(run.model, run.task, cfg, out_dir=out, tokenizer=run.tok, meta=run.meta, callbacks=(stop,))


def finish(run, stable: Path, branch: Path, s: int, d: int, stop):
    "Copy the stable run's checkpoint of step `s` into `branch`, and decay it there for `d` steps."
    if latest_checkpoint(branch) is None:
        src = stable / f"ckpt-{s:07d}"
        tmp = branch.with_name(branch.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(src, tmp / src.name)
        atomic_write(tmp / "latest", src.name)
        tmp.rename(branch)
    net = pretraining_model(run.recipe, model_config(run.recipe, run.tok))
    cfg = recipe(s + d, d).train
    st = train(net, run.task, cfg, out_dir=branch, tokenizer=run.tok, meta=run.meta, callbacks=(stop,))
    return net, st


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="runs/ladder", help="the stable run and the decays (resumed if present)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--until-minutes", type=float, default=None, help="stop after about this many minutes")
    p.add_argument("--lab-steps", type=int, default=LAB_STEPS, help="the ladder's unit (a smoke test: fewer)")
    p.add_argument("--max-docs", type=int, default=None, help="train on the first reviews only (a smoke test)")
    p.add_argument("--corpus", default="imdb", choices=sorted(CORPORA), help="the text (see above)")
    p.add_argument("--fractions", default=None, help="the rungs, as multiples of the lab body's steps: 0.25,1")
    p.add_argument("--ship", default=None, help="where the finished bodies go (default: the corpus's ladder)")
    p.add_argument("--record", default=None, help="the record that grows by one row per body (default: the corpus's)")
    a = p.parse_args()
    _, ladder, suffix = CORPORA[a.corpus]
    ship = Path(a.ship) if a.ship else SHIP.with_name(ladder)
    record = Path(a.record) if a.record else RECORD.with_name(f"pretraining-ladder{suffix}.json")
    torch.set_num_threads(a.threads)
    t_call = time.perf_counter()
    out = Path(a.out)
    fractions = tuple(float(f) for f in a.fractions.split(",")) if a.fractions else FRACTIONS
    rungs = points(a.lab_steps, fractions)

    def stop(st, rec) -> bool:  # a callback of train: True ends the segment, after a save
        return bool(a.until_minutes) and (time.perf_counter() - t_call) / 60 > a.until_minutes

    tok = load_tokenizer(LAB_TOKENIZER)  # the lab body's tokenizer: every rung reads text the same way
    texts, max_docs, source = corpus(a.corpus, tok, a.max_docs)
    run = build_pretraining(
        recipe(rungs[-1][0], max_docs=max_docs, source=source), out / "stable", texts=texts, tok=tok
    )
    val = run.task.streams["validation"]
    n_bytes = sum(len(t.encode()) + 1 for t in texts[1])  # each document's bytes and its <eos>
    n_train = len(run.task.streams["train"])
    rec = json.loads(record.read_text()) if record.exists() else {"bodies": []}
    done = {r["name"] for r in rec["bodies"]}
    for s, d in rungs:
        name = body_name((s + d) * run.recipe.batch_size * run.recipe.block_size)
        if name in done and (ship / name / "CARD.md").exists():
            continue
        if segment(run, recipe(s, max_docs=max_docs).train, out / "stable", stop).step < s or stop(None, None):
            print(f"stopped before {name}: --until-minutes {a.until_minutes} reached; the same command resumes")
            return
        net, st = finish(run, out / "stable", out / f"decay-{s}", s, d, stop)
        if st.step < s + d:
            print(f"stopped in {name}'s decay: --until-minutes {a.until_minutes} reached; the same command resumes")
            return
        loss = stream_loss(net, val[: VAL_TOKENS + 1], run.recipe.block_size)
        row = {
            "name": name,
            "stable_steps": s,
            "decay_steps": d,
            "steps": st.step,
            "tokens": st.tokens,
            "multiple": s / a.lab_steps,
            "passes": st.tokens / n_train,
            "minutes": round(st.elapsed / 60, 2),
            "val_loss": loss,
            "val_tokens": VAL_TOKENS,
            "bits_per_byte": bits_per_byte(loss, len(val), n_bytes),
            "eval_val_loss": [r["val_loss"] for r in st.history if "val_loss" in r][-1],
            "date": time.strftime("%Y-%m-%d"),
            "command": "MINIPRE_DATA=../shared/data python -m benchmarks.ladder_bodies --out runs/ladder"
            + ("" if a.corpus == "imdb" else f"{suffix} --corpus {a.corpus} --fractions {a.fractions}"),
            "corpus": a.corpus,
            "train_docs": len(texts[0]),
            **machine(),
        }
        meta = read_meta(latest_checkpoint(out / f"decay-{s}"))
        meta["history"] = [r for r in meta.get("history", []) if "val_loss" in r]
        meta["recipe"] = dataclasses.asdict(recipe(s + d, d, max_docs, source))
        dest = ship / name
        ck = save_checkpoint(dest, net.to(torch.bfloat16), meta=meta, tokenizer=run.tok)
        (ck / "state.pt").unlink()  # nothing to resume in a shipped body, and no pickle to load
        atomic_write(dest / "recipe.json", json.dumps(meta["recipe"], indent=1, default=str))
        atomic_write(dest / "CARD.md", card(row, a.corpus))
        rec["bodies"] = [r for r in rec["bodies"] if r["name"] != name] + [row]
        rec["stable_run"] = [r for r in read_meta(latest_checkpoint(out / "stable"))["history"] if "val_loss" in r]
        rec["setup"] = {"lab_steps": a.lab_steps, "decay": DECAY, "fractions": fractions, "batch": 32, "block": 128}
        atomic_write(record, json.dumps(rec, indent=1))
        print(json.dumps({k: row[k] for k in ("name", "tokens", "minutes", "val_loss", "bits_per_byte")}), flush=True)


if __name__ == "__main__":
    main()
