"""One exploration run of the next-token race: train nanoGPT's CPU architecture on tiny Shakespeare with the given
recipe and print the full validation loss every `every` steps (from half-way), with training seconds excluding
those evaluations.

    MINIPRE_DATA=../shared/data python benchmarks/pretrain_sweep.py '{"steps": 300, "opt": "muon", "muon_lr": 0.04, "every": 25}'

Keys: batch, lr, steps, warmup, opt (adamw|muon), muon_lr, every, block, model (Config overrides), precision,
min_lr_ratio, wd. Prints one JSON line.
"""
import json, sys, time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from minipre.model import GPT, Config  # noqa: E402
from minipre.tasks import LMTask  # noqa: E402
from minipre.train import train
from minipre.config import TrainConfig
from minipre.pretrain import char_streams, stream_loss, NANOGPT_MODEL  # noqa: E402


def run(batch=32, lr=6e-3, steps=700, warmup=30, opt="adamw", muon_lr=0.02, every=50, block=64, model=None,
        precision="auto", min_lr_ratio=0.1, wd=0.1):
    torch.set_num_threads(2)
    tok, tr, va = char_streams("tinyshakespeare")
    torch.manual_seed(0)
    m = GPT(Config(vocab_size=tok.vocab_size, **{**NANOGPT_MODEL, "max_len": block, **(model or {})}))
    curve = []

    class Probe:
        "Full validation loss every `every` steps from half-way; its own time is kept out of the training time."
        ev = 0.0

        def __call__(self, st, rec):
            if st.step % every == 0 and st.step >= steps // 2:
                t0 = time.perf_counter(); loss = stream_loss(m, va, block)
                curve.append((st.step, round(st.elapsed - self.ev, 1), round(loss, 4))); self.ev += time.perf_counter() - t0
    probe = Probe()
    cfg = TrainConfig(steps=steps, lr=lr, warmup=warmup, min_lr_ratio=min_lr_ratio, weight_decay=wd, betas=(0.9, 0.99),
                      grad_clip=1.0, eval_every=10**9, eval_batches=1, precision=precision, progress=False,
                      optimizer=opt, muon_lr=muon_lr)
    st = train(m, LMTask(tr, va, block, batch), cfg, callbacks=[probe])
    return dict(batch=batch, lr=lr, steps=steps, opt=opt, muon_lr=muon_lr, block=block, model=model, curve=curve,
                train_s=round(st.elapsed - probe.ev, 1))


if __name__ == "__main__":
    print(json.dumps(run(**json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}"))), flush=True)
