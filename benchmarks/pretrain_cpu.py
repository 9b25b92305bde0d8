"""Next-token pretraining on CPU: time to validation loss 1.88 on tiny Shakespeare, and throughput, against
nanoGPT's documented CPU recipe, side by side on the same machine.

    MINIPRE_DATA=../shared/data python -m benchmarks.pretrain_cpu [--threads 2] [--skip-baseline-race]

* throughput: nanoGPT's exact architecture and batch (4 layers, 4 heads, width 128, block 64, batch 12, no bias, no
  dropout, character vocabulary of 65). Baseline: that model trained the way nanoGPT's CPU recipe does (float32,
  PyTorch's default AdamW, gradient clipping), with minipre's model code, which is the same architecture. Ours: the
  engine's defaults (bfloat16 autocast where the CPU has it, fused AdamW), eager and with torch.compile. Medians of
  per-step wall time over many steps, alternating blocks so noise hits all alike.
* time to 1.88: minipre's FAST_CPU recipe against nanoGPT's recipe (2000 iterations), wall time including evaluation;
  the loss is the mean cross-entropy over ALL of the validation text (last 10%), measured every 50 steps once close.
Each measurement runs in a fresh process, so peak memory (max RSS) is per run. Writes a section of RESULTS.md.
"""

import argparse, datetime, json, os, platform, resource, statistics, subprocess, sys, time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def throughput(kind, steps, threads):
    import torch
    from minipre.model import GPT, Config
    from minipre.optim import make_optimizer
    from minipre.device import autocast_dtype
    from minipre.pretrain import NANOGPT_MODEL

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    m = GPT(Config(vocab_size=65, **NANOGPT_MODEL))
    if kind == "baseline":
        opt, adt, fm = torch.optim.AdamW(m.parameters(), lr=1e-3, betas=(0.9, 0.99), weight_decay=0.1), None, m
    else:
        opt, adt = make_optimizer(m, 1e-3, 0.1, (0.9, 0.99)), autocast_dtype(torch.device("cpu"))
        fm = torch.compile(m) if kind == "compile" else m
    g = torch.Generator().manual_seed(0)
    times = []
    for i in range(steps + 20):
        x = torch.randint(0, 65, (12, 64), generator=g)
        y = torch.randint(0, 65, (12, 64), generator=g)
        t = time.perf_counter()
        with torch.autocast("cpu", dtype=adt, enabled=adt is not None):
            loss = fm(x, y)[1]
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if i >= 20:
            times.append(time.perf_counter() - t)  # the first steps warm up (and compile)
    med = statistics.median(times)
    return {
        "kind": kind,
        "ms_per_step": med * 1e3,
        "tokens_per_s": 12 * 64 / med,
        "steps": steps,
        "precision": str(adt or "float32"),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def race(recipe, threads, target=1.88):
    import torch
    from minipre.model import GPT, Config
    from minipre.tasks import LMTask
    from minipre.train import train
    from minipre.pretrain import char_streams, StopAtLoss, NANOGPT_CPU, FAST_CPU, stream_loss

    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    tok, tr, va = char_streams("tinyshakespeare")
    R = {"nanogpt": NANOGPT_CPU, "fast": FAST_CPU}[recipe]
    torch.manual_seed(0)
    m = GPT(Config(vocab_size=tok.vocab_size, **R.model))
    stop = StopAtLoss(m, va, 64, target) if recipe == "fast" else None
    st = train(
        m,
        LMTask(tr, va, R.block_size, R.batch_size),
        replace(R.train, progress=False),
        callbacks=[stop] if stop else [],
    )
    wall = time.perf_counter() - t0
    final = stream_loss(m, va, 64)
    reached = stop.reached if stop else None
    return {
        "recipe": recipe,
        "steps": st.step,
        "tokens": st.tokens,
        "wall_s": wall,
        "full_val_loss": final,
        "train_s": st.elapsed,
        "reached_at_s": reached[1] if reached else None,
        "reached_step": reached[0] if reached else None,
        "nanogpt_style_val_loss": [r.get("val_loss") for r in st.history if "val_loss" in r][-1],
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "batch_size": R.batch_size,
        "lr": R.train.lr,
        "precision": R.train.precision,
        "optimizer": R.train.optimizer,
        "muon_lr": R.train.muon_lr,
    }


def sub(args):
    r = subprocess.run(
        [sys.executable, "-m", "benchmarks.pretrain_cpu", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    if r.returncode:
        raise SystemExit(r.stderr[-3000:])
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=200, help="timed steps per throughput run")
    ap.add_argument("--rounds", type=int, default=2, help="alternating throughput rounds")
    ap.add_argument("--skip-baseline-race", action="store_true", help="do not run nanoGPT's 2000-iteration recipe")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        kind, *rest = a.worker
        print(json.dumps(throughput(rest[0], int(rest[1]), a.threads) if kind == "tp" else race(rest[0], a.threads)))
        return
    tps = {k: [] for k in ("baseline", "eager", "compile")}
    for _ in range(a.rounds):
        for k in tps:
            tps[k].append(sub(["--threads", str(a.threads), "--worker", "tp", k, str(a.steps)]))
    fast = sub(["--threads", str(a.threads), "--worker", "race", "fast"])
    base = None if a.skip_baseline_race else sub(["--threads", str(a.threads), "--worker", "race", "nanogpt"])
    med = {k: statistics.median(r["tokens_per_s"] for r in v) for k, v in tps.items()}
    lines = ["| run | tokens/s (median of rounds) | ms/step | precision | peak RSS MiB |", "|---|---|---|---|---|"]
    names = {
        "baseline": "nanoGPT CPU recipe (fp32, default AdamW)",
        "eager": "minipre engine (eager)",
        "compile": "minipre engine + torch.compile",
    }
    for k, v in tps.items():
        lines.append(
            f"| {names[k]} | {med[k]:,.0f} | {statistics.median(r['ms_per_step'] for r in v):.1f} | "
            f"{v[0]['precision']} | {max(r['peak_rss_mib'] for r in v):.0f} |"
        )
    out = [
        "### Throughput on nanoGPT's architecture and batch (12 x 64 tokens, vocabulary 65)",
        "",
        *lines,
        "",
        f"Ratios against the baseline: eager **{med['eager'] / med['baseline']:.2f}x**, with torch.compile "
        f"**{med['compile'] / med['baseline']:.2f}x** "
        f"(target: at least 1.2x). {a.rounds} rounds x {a.steps} timed steps each (after 20 warm-up steps; compile "
        f"time excluded), {a.threads} threads.",
        "",
        "### Time to validation loss 1.88 (mean cross-entropy over all of the last 10%)",
        "",
        "| recipe | batch | optimizer (lr) | steps | tokens | training s (incl. eval) | reached 1.88 at | final full "
        "val loss | nanoGPT-style val estimate | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in [fast] + ([base] if base else []):
        opt = f"Muon ({r['muon_lr']}) + AdamW ({r['lr']})" if r["optimizer"] == "muon" else f"AdamW ({r['lr']})"
        out.append(
            f"| {r['recipe']} | {r['batch_size']} | {opt} | {r['steps']} | {r['tokens']:,} | {r['wall_s']:.0f} | "
            f"{'step %d, %.0f s' % (r['reached_step'], r['reached_at_s']) if r['reached_step'] else '-'} | "
            f"{r['full_val_loss']:.3f} | {r['nanogpt_style_val_loss']:.3f} | {r['peak_rss_mib']:.0f} |"
        )
    if base:
        out += [
            "",
            "Wall-time ratio (fast recipe's time to 1.88 / nanoGPT recipe's training time): "
            f"**{fast['reached_at_s'] / base['train_s']:.2f}** (target: at most 0.5)."
            if fast["reached_at_s"]
            else "",
        ]
    out += [
        "",
        f"Machine: {platform.machine()} {os.cpu_count()} cores, {datetime.date.today()}, Python "
        f"{platform.python_version()}, "
        f"torch {__import__('torch').__version__}. Command: `MINIPRE_DATA=../shared/data python -m "
        f"benchmarks.pretrain_cpu --threads {a.threads} --steps {a.steps} --rounds {a.rounds}`.",
    ]
    body = "\n".join(out)
    print(body)
    if not a.no_write:
        from benchmarks.results import write_section

        write_section("Next-token pretraining on CPU", body)


if __name__ == "__main__":
    main()
