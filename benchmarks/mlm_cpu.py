"""Masked-LM training throughput: minipre's BERT against Hugging Face BertForMaskedLM (SDPA), side by side.

    python -m benchmarks.mlm_cpu [--steps 20] [--threads 2]

Same configuration for both: 4 layers, width 256, 4 heads, feed-forward 1024, sequence 128, batch 32,
vocabulary 8192, 15% masking (BERT's 80/10/10), AdamW. Blocks of steps alternate between the two models so
machine noise hits both alike; medians of per-step wall time. Writes a section of benchmarks/RESULTS.md.
"""

import argparse, datetime, platform, statistics, time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
from minipre.model import BERT, Config  # noqa: E402
from minipre.objectives import mask_tokens  # noqa: E402
from minipre.optim import make_optimizer  # noqa: E402
from minipre.device import autocast_dtype
from benchmarks.results import write_section  # noqa: E402

V, L, C, H, FF, T, B = 8192, 4, 256, 4, 1024, 128, 32


def batch(g):
    ids = torch.randint(5, V, (B, T), generator=g)
    ids[:, 0] = 2
    return mask_tokens(ids, 1, V, list(range(5)), 0.15, generator=g)


def ours():
    torch.manual_seed(0)
    m = BERT(Config(vocab_size=V, n_layer=L, n_head=H, n_embd=C, d_ff=FF, max_len=T, causal=False, norm="pre"))
    opt = make_optimizer(m, 1e-3)
    adt = autocast_dtype(torch.device("cpu"))

    def step(x, y):
        with torch.autocast("cpu", dtype=adt, enabled=adt is not None):
            loss = m(x, y)[1]
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    return step, f"minipre BERT ({'bf16 autocast' if adt else 'fp32'}, fused AdamW, projection at masked positions)"


def hf():
    import transformers

    transformers.logging.set_verbosity_error()
    from transformers import BertConfig, BertForMaskedLM

    torch.manual_seed(0)
    m = BertForMaskedLM(
        BertConfig(
            vocab_size=V,
            hidden_size=C,
            num_hidden_layers=L,
            num_attention_heads=H,
            intermediate_size=FF,
            max_position_embeddings=T,
            attn_implementation="sdpa",
        )
    )
    m.train()
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3)

    def step(x, y):
        loss = m(input_ids=x, labels=y).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    return step, f"Hugging Face BertForMaskedLM (transformers {transformers.__version__}, SDPA, fp32, AdamW)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20, help="timed steps per model (in blocks of 5)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    runs = {"ours": ours(), "hf": hf()}
    g = torch.Generator().manual_seed(0)
    times = {k: [] for k in runs}
    for k, (step, _) in runs.items():
        for _ in range(2):
            step(*batch(g))  # warm-up
    for _ in range(max(1, a.steps // 5)):
        for k, (step, _) in runs.items():
            for _ in range(5):
                x, y = batch(g)
                t = time.perf_counter()
                step(x, y)
                times[k].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    tps = {k: B * T / med[k] for k in med}
    lines = [f"| {runs[k][1]} | {med[k]:.3f} | {tps[k]:,.0f} |" for k in runs]
    body = (
        "| model | median s/step | tokens/s |\n|---|---|---|\n"
        + "\n".join(lines)
        + f"\n\n**Speed-up: {tps['ours'] / tps['hf']:.2f}x** (target: at least 2x). "
        f"{len(times['ours'])} timed steps each, alternating blocks of 5, {a.threads} threads, "
        f"CPU: {platform.processor() or platform.machine()}, {datetime.date.today()}, torch {torch.__version__}, "
        f"Python {platform.python_version()}. Command: `python -m benchmarks.mlm_cpu --steps {a.steps} --threads "
        f"{a.threads}`."
    )
    print(body)
    if not a.no_write:
        write_section("Masked-LM throughput on CPU", body)


if __name__ == "__main__":
    main()
