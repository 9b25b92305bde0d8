"""One exploration run of the next-token race: train nanoGPT's CPU architecture on tiny Shakespeare with the given
recipe and print the full validation loss every `every` steps (from half-way), with training seconds excluding
those evaluations.

    MINIPRE_DATA=../shared/data python -m benchmarks.pretrain_sweep \
        '{"steps": 300, "opt": "muon", "muon_lr": 0.04, "every": 25}'

Keys: batch, lr, steps, warmup, opt (adamw|muon), muon_lr, every, block, model (Config overrides), precision,
min_lr_ratio, wd. Prints one JSON line.
"""

import json, sys, time

import torch

from minipre.pretrain import NANOGPT_CPU, NANOGPT_MODEL, build_pretraining, stream_loss
from minipre.train import train


def run(
    batch=32,
    lr=6e-3,
    steps=700,
    warmup=30,
    opt="adamw",
    muon_lr=0.02,
    every=50,
    block=64,
    model=None,
    precision="auto",
    min_lr_ratio=0.1,
    wd=0.1,
):
    torch.set_num_threads(2)
    recipe = NANOGPT_CPU.but(
        block_size=block,
        batch_size=batch,
        model={**NANOGPT_MODEL, "max_len": block, **(model or {})},
        steps=steps,
        lr=lr,
        warmup=warmup,
        min_lr_ratio=min_lr_ratio,
        weight_decay=wd,
        betas=(0.9, 0.99),
        grad_clip=1.0,
        eval_every=10**9,  # the probe below measures the whole validation text instead
        eval_batches=1,
        precision=precision,
        progress=False,
        optimizer=opt,
        muon_lr=muon_lr,
    )
    p = build_pretraining(recipe)  # tiny Shakespeare from $MINIPRE_DATA, characters, nanoGPT's model
    m, va = p.model, p.task.streams["validation"]
    curve = []

    class Probe:
        "Full validation loss every `every` steps from half-way; its own time is kept out of the training time."

        ev = 0.0

        def __call__(self, st, rec):
            if st.step % every == 0 and st.step >= steps // 2:
                t0 = time.perf_counter()
                loss = stream_loss(m, va, block)
                curve.append((st.step, round(st.elapsed - self.ev, 1), round(loss, 4)))
                self.ev += time.perf_counter() - t0

    probe = Probe()
    st = train(m, p.task, recipe.train, callbacks=[probe])
    return dict(
        batch=batch,
        lr=lr,
        steps=steps,
        opt=opt,
        muon_lr=muon_lr,
        block=block,
        model=model,
        curve=curve,
        train_s=round(st.elapsed - probe.ev, 1),
    )


if __name__ == "__main__":
    print(json.dumps(run(**json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}"))), flush=True)
