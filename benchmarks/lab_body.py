"""Train the pretrained body that the `sst2-lab` preset ships, and write it as a small bfloat16 checkpoint with a card.

The body is a next-token model of the `sst2-quick` shape (2 layers, width 128, byte-level BPE 4096) trained on every
IMDb unlabeled review, Penn-Treebank-normalised like SST-2, for a fixed number of steps (the cosine schedule runs to its
end). Command (about 20 minutes of training on a quiet 2-core CPU, after a few minutes of tokenizing):

    MINIPRE_DATA=../shared/data python -m benchmarks.lab_body --steps 2600 --out runs/lab-body

It writes `minipre/bodies/sst2-lab/clm/` (model.safetensors in bfloat16, meta.json, tokenizer.json) and
`minipre/bodies/sst2-lab/CARD.md`; a re-run with the same --out resumes the training run (a finished one only ships).

`--raw` trains the same body on the reviews as written (capitals, punctuation attached to words: no normalisation, the
tokenizer too), for the fine-tuning ablation's "normalised vs raw pretraining text" row; it is written to
`OUT/body`, not shipped:

    MINIPRE_DATA=../shared/data python -m benchmarks.lab_body --raw --steps 2600 --out runs/lab-body-raw

`--shape sst2` trains the record preset's larger shape instead (4 layers, width 256, BPE 8192) with the same recipe
otherwise, capped at 20 minutes of training, for the long-documents benchmark's "is the body the limit?" row; it is
written to `OUT/body`, not shipped:

    MINIPRE_DATA=../shared/data python -m benchmarks.lab_body --shape sst2 --steps 1250 --out runs/lab-body-4x256
"""

import argparse, json, time
from pathlib import Path

import torch

from minipre.config import PRESETS
from minipre.pretrain import pretrain
from minipre.checkpoint import save_checkpoint, load_model
from minipre.files import atomic_write

SHIP = Path("minipre/bodies/sst2-lab")  # inside the package: pip installs it too


SHAPES = ("sst2-quick", "sst2")  # the presets whose model, vocabulary and rate a body can take


def recipe(steps: int, raw: bool = False, shape: str = "sst2-quick"):
    """The `shape` preset's pretraining recipe, next-token, on the whole corpus; the sst2-quick shape with no time cap
    (the steps decide), the larger sst2 shape under its preset's 20-minute cap; `raw`: on the text as written instead
    of normalised like SST-2."""
    base = PRESETS[shape].pretraining
    cap = None if shape == "sst2-quick" else base.train.max_seconds
    return base.but(
        objective="clm", steps=steps, max_docs=None, max_seconds=cap, eval_every=max(1, steps // 5), normalize=not raw
    )


def card(meta: dict, steps: int, minutes: float, val: list) -> str:
    "What the shipped body is, how it was made, and how to make it again."
    return f"""# sst2-lab body: a small next-token model of IMDb reviews

Trained by minipre's own code (`benchmarks/lab_body.py`): the first body of the `sst2-lab` transfer preset (which
now starts from the ladder's top rung, `imdb-ladder/clm-51.1M`, four times its pretraining). Kept for what reads it:
chapter 10's look inside the embeddings, the fine-tuning ablation, the ladder's tokenizer.

- Objective: next-token (GPT), {meta['config']['n_layer']} layers, width {meta['config']['n_embd']}, rotary positions,
  byte-level BPE of {meta['config']['vocab_size']} tokens (tokenizer.json beside the weights).
- Text: every IMDb unlabeled review (`movie_reviews_unlabeled`, 50,000 reviews), Penn-Treebank-normalised and
  lower-cased like SST-2. No SST-2 text, labelled or not.
- Training: {steps} steps of {meta['batch_size']} x {meta['block_size']} tokens ({meta.get('tokens', 0):,} tokens),
  validation loss {val[0]:.2f} -> {val[-1]:.2f}, {minutes:.1f} min on a 2-core CPU.
- Weights stored in bfloat16 ({'model.safetensors'}); they load into a float32 model.
- Remake: `MINIPRE_DATA=../shared/data python -m benchmarks.lab_body --steps {steps} --out runs/lab-body`.
"""


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=2600)
    p.add_argument("--out", default="runs/lab-body")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--raw", action="store_true", help="pretrain on the reviews as written; write OUT/body, not ship")
    p.add_argument("--shape", choices=SHAPES, default="sst2-quick", help="whose model shape; not sst2-quick: OUT/body")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    shipped = not a.raw and a.shape == "sst2-quick"
    net, tok, st = pretrain(recipe(a.steps, a.raw, a.shape), Path(a.out))
    minutes = (time.perf_counter() - t0) / 60
    _, _, meta = load_model(Path(a.out))
    meta["history"] = [r for r in meta.get("history", []) if "val_loss" in r]  # the validations, not every step
    meta["minutes"] = round(st.elapsed / 60, 1)  # training time of the run (a resumed run: all its parts)
    val = [r["val_loss"] for r in st.history if "val_loss" in r]
    dest = SHIP / "clm" if shipped else Path(a.out) / "body"
    ck = save_checkpoint(dest, net.to(torch.bfloat16), meta=meta, tokenizer=tok)
    (ck / "state.pt").unlink()  # nothing to resume in a shipped body, and no pickle to load
    if shipped:
        atomic_write(SHIP / "CARD.md", card(meta, a.steps, meta["minutes"], val))
    print(json.dumps({"steps": st.step, "tokens": st.tokens, "val_loss": val, "minutes": round(minutes, 1)}))


if __name__ == "__main__":
    main()
