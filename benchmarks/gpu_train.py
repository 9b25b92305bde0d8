"""Training speed on a CUDA GPU: tokens/s and MFU of minipre's models by attention backend, and nanoGPT's
shakespeare-char recipe run through minipre's training engine.

    python -m benchmarks.gpu_train                      # both parts; writes two sections of benchmarks/RESULTS.md
    python -m benchmarks.gpu_train --part throughput    # or --part shakespeare (needs tinyshakespeare: MINIPRE_DATA)

Part 1 times whole training steps (forward, backward, fused AdamW) of a GPT-2-small-shaped decoder (T=1024) and a
BERT-base-shaped encoder on padded batches of random lengths (T=512), in bf16 autocast, with the naive, SDPA and
flash (our Triton kernel) backends, eager and under torch.compile. Medians over timed steps, CUDA-synchronised.
Part 2 trains nanoGPT's `config/train_shakespeare_char.py` model (6 layers, 6 heads, width 384, block 256, batch 64,
lr 1e-3, dropout 0.2) with `minipre.train.train` for a fixed wall-time budget and reports validation loss over time.
"""

import argparse, datetime, platform, statistics, sys, time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
from benchmarks.results import write_section  # noqa: E402


DEV = "cuda"


def sync():
    if DEV == "cuda":
        torch.cuda.synchronize()


def step_times(model, batch_fn, steps: int, warmup: int, compile_: bool):
    "Median seconds per training step (forward + backward + optimizer) after `warmup` steps."
    from minipre.optim import make_optimizer

    opt = make_optimizer(model, 3e-4)
    fmodel = torch.compile(model) if compile_ else model
    times = []
    for i in range(warmup + steps):
        idx, lab, am = batch_fn()
        sync()
        t0 = time.perf_counter()
        with torch.autocast(DEV, dtype=torch.bfloat16):
            loss = fmodel(idx, lab, attention_mask=am)[1]
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        sync()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return statistics.median(times), loss.item()


def throughput(quick: bool, shapes: dict | None = None, only: str | None = None):
    from minipre.model import Config, GPT, BERT
    from minipre.train import peak_flops

    dev = torch.device(DEV)
    peak = peak_flops(dev)
    g = torch.Generator(device=dev).manual_seed(0)
    steps, warmup = (10, 3) if quick else (20, 5)
    rows = []
    shapes = shapes or {
        "GPT-2 small, causal, T=1024, batch 16": dict(
            cls=GPT,
            B=16,
            T=1024,
            padded=False,
            cfg=dict(
                vocab_size=50304, n_layer=12, n_head=12, n_embd=768, max_len=1024, bias=False, activation="gelu_tanh"
            ),
        ),
        "BERT-base, bidirectional, T=512 padded (random lengths 64-512), batch 32": dict(
            cls=BERT,
            B=32,
            T=512,
            padded=True,
            cfg=dict(vocab_size=30528, n_layer=12, n_head=12, n_embd=768, max_len=512, causal=False, positions="rope"),
        ),
    }
    for label, s in shapes.items():
        B, T = s["B"], s["T"]

        def batch():
            idx = torch.randint(5, s["cfg"]["vocab_size"], (B, T), device=dev, generator=g)
            if not s["padded"]:
                return idx, torch.roll(idx, -1, 1), None
            lens = torch.randint(T // 8, T + 1, (B,), device=dev, generator=g)
            am = (torch.arange(T, device=dev)[None] < lens[:, None]).long()
            lab = torch.where((torch.rand(B, T, device=dev, generator=g) < 0.15) & am.bool(), idx, -100)
            return idx, lab, am

        for backend in ("naive", "sdpa", "flash"):
            for comp in (False, True):
                if comp and (backend == "naive" or s["padded"]):
                    continue  # compile where it matters most, to save time
                if only and only != f"{label.split(',')[0]}:{backend}:{'compile' if comp else 'eager'}":
                    continue
                torch.manual_seed(0)
                model = s["cls"](Config(**s["cfg"], attn_backend=backend)).to(dev)
                row = dict(shape=label, backend=backend, compile=comp)
                try:
                    t0 = time.perf_counter()
                    sec, loss = step_times(model, batch, steps, warmup, comp)
                    real = B * T if not s["padded"] else None
                    row.update(ms=sec * 1e3, tok_s=B * T / sec, loss=loss, wall=time.perf_counter() - t0)
                    if peak and real:
                        row["mfu"] = B * T / sec * model.body.flops_per_token(T) / peak
                    if DEV == "cuda":
                        row["peak_gib"] = torch.cuda.max_memory_allocated() / 2**30
                except Exception as e:  # a backend that fails on this shape is reported, not fatal
                    row["note"] = f"{type(e).__name__}: {str(e).splitlines()[0][:80]}"
                del model
                if DEV == "cuda":
                    torch.cuda.empty_cache()
                    torch.cuda.reset_peak_memory_stats()
                rows.append(row)
                print(fmt(row), flush=True)
    return rows


def fmt(r):
    v = lambda k, f: format(r[k], f) if k in r else "-"
    return (
        f"| {r['shape']} | {r['backend']} | {'yes' if r['compile'] else 'no'} | {v('ms', '.1f')} | "
        f"{v('tok_s', ',.0f')} | "
        f"{v('mfu', '.1%')} | {v('peak_gib', '.1f')} | {r.get('note', '')} |"
    )


HEADER = (
    "| model and batch | attention | compile | ms/step | tokens/s (incl. padding) | MFU | peak GiB | note |\n"
    "|---|---|---|---|---|---|---|---|"
)


def shakespeare(seconds: float, backends=("auto",)):
    from minipre.pretrain import char_streams, stream_loss
    from minipre.model import Config, GPT
    from minipre.config import TrainConfig
    from minipre.train import train
    from minipre.tasks import LMTask

    tok, tr, va = char_streams("tinyshakespeare")
    curve, t0 = [], [None]
    rows = []
    for backend in backends:
        torch.manual_seed(0)
        model = GPT(
            Config(
                vocab_size=tok.vocab_size,
                n_layer=6,
                n_head=6,
                n_embd=384,
                max_len=256,
                dropout=0.2,
                bias=False,
                attn_backend=backend,
            )
        )
        cfg = TrainConfig(
            steps=5000,
            lr=1e-3,
            warmup=100,
            min_lr_ratio=0.1,
            weight_decay=0.1,
            betas=(0.9, 0.99),
            eval_every=250,
            eval_batches=20,
            precision="bf16",
            compile=True,
            max_seconds=seconds,
            progress=False,
        )
        t = time.perf_counter()
        st = train(model, LMTask(tr, va, 256, 64), cfg)
        wall = time.perf_counter() - t
        full = stream_loss(model, va, 256)
        ev = [(h["step"], h.get("val_loss")) for h in st.history if h.get("val_loss") is not None]
        tps = [h["tokens_per_s"] for h in st.history if "tokens_per_s" in h]
        mfu = [h["mfu"] for h in st.history if "mfu" in h]
        row = dict(
            backend=backend,
            steps=st.step,
            wall=wall,
            full_val=full,
            evals=ev,
            tok_s=statistics.median(tps) if tps else float("nan"),
            mfu=statistics.median(mfu) if mfu else None,
        )
        rows.append(row)
        print(
            f"{backend}: {st.step} steps in {wall:.0f} s, full validation loss {full:.3f}, median "
            f"{row['tok_s']:,.0f} tokens/s, "
            f"evals {[(s, round(l, 3)) for s, l in ev]}",
            flush=True,
        )
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("all", "throughput", "shakespeare"), default="all")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", help="one throughput row, e.g. 'GPT-2 small:flash:compile'")
    ap.add_argument("--seconds", type=float, default=90, help="wall-time budget per shakespeare run")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    if not torch.cuda.is_available():
        sys.exit("python -m benchmarks.gpu_train needs a CUDA GPU")
    import triton

    name = torch.cuda.get_device_name()
    stamp = (
        f"Measured on {name} (CUDA {torch.version.cuda}), {datetime.date.today()}, torch {torch.__version__}, "
        f"triton {triton.__version__}, Python {platform.python_version()}."
    )
    if a.part in ("all", "throughput"):
        print(HEADER, flush=True)
        rows = throughput(a.quick, only=a.only)
        body = (
            f"{stamp} Command: `python -m benchmarks.gpu_train --part throughput`. Whole training steps (forward, "
            f"backward, fused AdamW) in bf16 autocast on random tokens; median of timed steps after warm-up. MFU from "
            f"the model's FLOPs per token (6N + 12LCT) over the card's dense bf16 peak (not given for padded batches, "
            f"where tokens/s counts padding).\n\n{HEADER}\n" + "\n".join(fmt(r) for r in rows)
        )
        if not a.no_write:
            write_section("Training throughput on a GPU", body)
    if a.part in ("all", "shakespeare"):
        rows = shakespeare(a.seconds)
        lines = [
            f"- {r['backend']}: {r['steps']} steps in {r['wall']:.0f} s (time cap {a.seconds:.0f} s, compile "
            "included), "
            f"full validation loss {r['full_val']:.3f}, median {r['tok_s']:,.0f} tokens/s"
            + (f", MFU {r['mfu']:.1%}" if r['mfu'] else "")
            + "; validation loss at steps "
            + ", ".join(f"{s}: {l:.3f}" for s, l in r["evals"])
            for r in rows
        ]
        body = (
            f"{stamp} Command: `MINIPRE_DATA=../shared/data python -m benchmarks.gpu_train --part shakespeare "
            f"--seconds {a.seconds:.0f}`. nanoGPT's shakespeare-char model and optimiser settings (6x384, 6 heads, "
            f"block 256, batch 64, dropout 0.2, lr 1e-3, 100 warm-up steps, cosine to 5000 steps) through "
            f"`minipre.train.train` with bf16 autocast and torch.compile, stopped by the time cap. nanoGPT reports "
            f"validation loss 1.4697 after its full 5000 steps (about 3 minutes on an A100).\n\n" + "\n".join(lines)
        )
        if not a.no_write:
            write_section("nanoGPT's shakespeare-char recipe on a GPU", body)


if __name__ == "__main__":
    main()
