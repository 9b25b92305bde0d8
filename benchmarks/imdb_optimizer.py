"""Short optimizer comparison on the transfer experiment's pretraining corpus: train the sst2 preset's 4x256 model for
a fixed number of steps with a given optimizer (default AdamW at the preset's lr) and print the validation loss (20
fixed batches) along the way.

    MINIPRE_DATA=../shared/data python -m benchmarks.imdb_optimizer runs/sst2/tokenizer.json '{"obj": "clm"}'
    MINIPRE_DATA=../shared/data python -m benchmarks.imdb_optimizer runs/sst2/tokenizer.json \
        '{"obj": "clm", "optimizer": "muon", "muon_lr": 0.02}'

The tokenizer is the one `minipre transfer --preset sst2` trained (its out folder's tokenizer.json). Other keys of the
JSON go to TrainConfig (defaults: 300 steps, lr 1.5e-3, warmup 30). Prints one JSON line.
"""

import json, sys, time

import torch

from minipre.config import PRESETS
from minipre.pretrain import build_pretraining
from minipre.tokenize import load_tokenizer
from minipre.train import train


def main():
    torch.set_num_threads(2)
    tok = load_tokenizer(sys.argv[1])
    kw = json.loads(sys.argv[2])
    obj = kw.pop("obj")
    defaults = dict(steps=300, warmup=30, eval_every=100, eval_batches=20, progress=False, optimizer="adamw")
    defaults["max_seconds"] = None  # a fixed number of steps, not the preset's time cap
    # the experiment's corpus (normalised as SST-2 is), model, block and batch; kw changes the training settings
    recipe = PRESETS["sst2"].pretraining.but(objective=obj, **{**defaults, **kw})
    run = build_pretraining(recipe, tok=tok)
    t = time.perf_counter()
    st = train(run.model, run.task, recipe.train)
    print(
        json.dumps(
            dict(
                obj=obj,
                **kw,
                steps_done=st.step,
                s=round(time.perf_counter() - t),
                val=[(r["step"], round(r["val_loss"], 3)) for r in st.history if "val_loss" in r],
            )
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
