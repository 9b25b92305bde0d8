"""How near the limit each objective trains: the machine's matmul rate at the model's shapes, and each objective's
training FLOP/s (tokens/s times FLOPs per token counted from the config), in one run.

    python -m benchmarks.throughput [--steps 12] [--record docs/throughput.json]

The model is the sst2 preset's (4 layers, width 256, vocabulary 8192, blocks of 128, batches of 32) on random token
streams: the speed does not depend on the text. `precision auto` is what training uses (bf16 where the CPU has
native bf16, else fp32); both matmul rates are reported so the choice is visible.
"""

import argparse, datetime, json, os, platform, statistics, sys, time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]


def matmul_rate(m: int, k: int, n: int, dtype, reps: int = 10) -> float:
    "GFLOP/s of an (m, k) @ (k, n) matmul."
    import torch

    a, b = torch.randn(m, k, dtype=dtype), torch.randn(k, n, dtype=dtype)
    t = time.perf_counter()
    a @ b  # warm-up, and a measure of how many repeats fit in about two seconds (an emulated dtype is very slow)
    reps = max(1, min(reps, int(2 / max(time.perf_counter() - t, 1e-6))))
    t = time.perf_counter()
    for _ in range(reps):
        a @ b
    return 2 * m * k * n * reps / (time.perf_counter() - t) / 1e9


def flops_per_token(objective: str, c, T: int, mask_rate: float, gen_layers: int = 1) -> float:
    """Training FLOPs per token (forward and backward: 6 per weight and token, plus attention's 12 * layers * width *
    T): every block, and the vocabulary projection where the objective computes it (every position for next-token, the
    masked ones for masked LM and ELECTRA's generator), ELECTRA's generator blocks and binary head."""
    C, V, L = c.n_embd, c.vocab_size, c.n_layer
    block = 4 * C * C + 2 * C * c.d_ff  # attention's four projections and the MLP
    body = lambda layers: 6 * layers * block + 12 * layers * C * T
    if objective == "clm":
        return body(L) + 6 * V * C
    head = 6 * mask_rate * (V * C + C * C)  # BERT's transform and the tied projection, on the masked positions
    if objective == "mlm":
        return body(L) + head
    return body(L) + body(gen_layers) + head + 6 * (C * C + C)  # electra: + generator, + the detection head


def main(argv=None):
    import torch
    from minipre.config import PRESETS
    from minipre.device import autocast_dtype
    from minipre.files import atomic_write
    from minipre.pretrain import build_pretraining
    from minipre.train import train

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=12, help="timed training steps per objective (after 3 warm-up)")
    ap.add_argument("--record", default=str(ROOT / "docs" / "throughput.json"))
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    preset = PRESETS["sst2"]
    r0 = preset.pretraining
    C, T, B = r0.model.n_embd, r0.block_size, r0.batch_size
    shapes = {"qkv": (B * T, C, 3 * C), "mlp": (B * T, C, r0.model.d_ff), "vocab head": (B * T, C, r0.vocab_size)}
    rates = {
        name: {str(dt).removeprefix("torch."): round(matmul_rate(*s, dt), 1) for dt in (torch.float32, torch.bfloat16)}
        for name, s in shapes.items()
    }
    ids = dict(pad_id=0, cls_id=2, eos_id=3, mask_id=4, special_ids=[0, 1, 2, 3, 4])  # what the tasks read
    tok = SimpleNamespace(vocab_size=r0.vocab_size, **ids)
    stream = torch.randint(5, r0.vocab_size, (200_000,), generator=torch.Generator().manual_seed(0))
    rows = []
    for obj in ("mlm", "clm", "electra"):
        recipe = preset.recipe(obj).but(steps=a.steps + 3, eval_every=10**6, progress=False, max_seconds=None)
        run = build_pretraining(recipe, texts=([], []), tok=tok, streams=(stream, stream[:20_000]))
        st = train(run.model, run.task, recipe.train)
        tps = statistics.median(r["tokens_per_s"] for r in st.history[3:])
        gen = getattr(run.model, "gen_layers", 1)
        f = flops_per_token(obj, run.model.config, T, recipe.mask_rate, gen)
        rows.append({"objective": obj, "tokens_per_s": round(tps), "mflop_per_token": round(f / 1e6, 1),
                     "gflop_per_s": round(tps * f / 1e9, 1)})  # fmt: skip
    dtype = autocast_dtype(torch.device("cpu"))
    rec = {
        "command": "python -m benchmarks.throughput " + " ".join(argv or sys.argv[1:]),
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads",
        "torch": torch.__version__,
        "training_precision": "bf16" if dtype == torch.bfloat16 else "fp32",
        "matmul_gflop_per_s": rates,
        "objectives": rows,
    }
    print(table(rec))
    if not a.no_write:
        atomic_write(a.record, json.dumps(rec, indent=1))


def table(rec: dict) -> str:
    "The record as the two Markdown tables RESULTS.md quotes."
    prec = rec["training_precision"]
    out = ["| matmul (model's shape) | fp32 GFLOP/s | bf16 GFLOP/s |", "|---|---:|---:|"]
    out += [f"| {k} | {v['float32']:.0f} | {v['bfloat16']:.1f} |" for k, v in rec["matmul_gflop_per_s"].items()]
    out += ["", f"| objective | tokens/s | MFLOP per token | training GFLOP/s ({prec}) |", "|---|---:|---:|---:|"]
    out += [
        f"| {r['objective']} | {r['tokens_per_s']:,} | {r['mflop_per_token']:.1f} | {r['gflop_per_s']:.0f} |"
        for r in rec["objectives"]
    ]
    return "\n".join(out)


if __name__ == "__main__":
    main()
