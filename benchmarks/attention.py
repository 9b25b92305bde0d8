"""Benchmark minipre's Triton flash-attention kernel against PyTorch SDPA backends and naive attention.

    python -m benchmarks.attention            # on a CUDA GPU: full table, written to benchmarks/RESULTS.md
    python -m benchmarks.attention --quick    # fewer shapes

Needs only torch and triton (it imports minipre.flash straight from the checkout). Without a GPU it runs the
kernel in Triton's interpreter on tiny shapes to prove the code path works, and records no speed figures.
"""

import argparse, datetime, math, os, platform, sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
if not torch.cuda.is_available():
    os.environ.setdefault("TRITON_INTERPRET", "1")  # before triton is imported
import minipre.flash as fl  # noqa: E402  (torch + triton only)
from benchmarks.results import write_section  # noqa: E402  (standard library only)


def naive(q, k, v, causal):
    s = (q @ k.transpose(-1, -2)) * (1 / math.sqrt(q.shape[-1]))
    if causal:
        T = q.shape[-2]
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool, device=q.device).triu(1), float("-inf"))
    return torch.softmax(s.float(), -1).to(q.dtype) @ v


def sdpa(backend):
    from torch.nn.attention import sdpa_kernel, SDPBackend

    b = {
        "flash": SDPBackend.FLASH_ATTENTION,
        "efficient": SDPBackend.EFFICIENT_ATTENTION,
        "cudnn": SDPBackend.CUDNN_ATTENTION,
    }[backend]

    def f(q, k, v, causal):
        with sdpa_kernel([b]):
            return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)

    return f


def ours(q, k, v, causal):
    return fl.flash_attention(q, k, v, causal=causal)


def flops(B, H, T, D, causal, mode):
    f = 4 * B * H * T * T * D * (0.5 if causal else 1.0)
    return f if mode == "fwd" else 3.5 * f  # backward = 2.5 x forward


def check(fn, q, k, v, causal):
    "Max error of output and gradients against float32 naive attention on the same inputs."
    qq, kk, vv = (t.detach().clone().requires_grad_() for t in (q, k, v))
    o = fn(qq, kk, vv, causal)
    do = torch.randn_like(o)
    o.backward(do)
    q32, k32, v32 = (t.detach().float().requires_grad_() for t in (q, k, v))
    r = naive(q32, k32, v32, causal)
    r.backward(do.float())
    return max(
        (a.float() - b).abs().max().item()
        for a, b in ((o, r), (qq.grad, q32.grad), (kk.grad, k32.grad), (vv.grad, v32.grad))
    )


def bench_gpu(quick, only_d=None, only_mask=None):
    import triton

    dev = "cuda"
    dtype = torch.bfloat16
    impls = {
        "minipre": ours,
        "sdpa-flash": sdpa("flash"),
        "sdpa-efficient": sdpa("efficient"),
        "sdpa-cudnn": sdpa("cudnn"),
        "naive": naive,
    }
    Ts = [1024, 4096] if quick else [1024, 4096, 16384]
    rows = []
    for D in (64, 128):
        if only_d and D != only_d:
            continue
        H = 2048 // D
        for causal in (True, False):
            if only_mask and only_mask != ('causal' if causal else 'bidir'):
                continue
            for T in Ts:
                B = max(1, 16384 // T)
                q, k, v = (torch.randn(B, H, T, D, device=dev, dtype=dtype) for _ in range(3))
                for name, fn in impls.items():
                    row = dict(D=D, causal=causal, T=T, B=B, H=H, impl=name)
                    if name == "naive" and T > 4096:
                        row["note"] = "skipped (T^2 scores)"
                        rows.append(row)
                        continue
                    try:
                        if T <= 4096:
                            row["err"] = check(fn, q[:1, :2], k[:1, :2], v[:1, :2], causal)
                        torch.cuda.synchronize()
                        torch.cuda.reset_peak_memory_stats()
                        base = torch.cuda.memory_allocated()
                        ms = triton.testing.do_bench(lambda: fn(q, k, v, causal), warmup=10, rep=50)
                        row["fwd_tflops"] = flops(B, H, T, D, causal, "fwd") / ms * 1e-9
                        qq, kk, vv = (t.detach().requires_grad_() for t in (q, k, v))
                        o = fn(qq, kk, vv, causal)
                        do = torch.randn_like(o)

                        def fb():
                            qq.grad = kk.grad = vv.grad = None
                            fn(qq, kk, vv, causal).backward(do)

                        ms = triton.testing.do_bench(fb, warmup=5, rep=50)
                        row["fwdbwd_tflops"] = flops(B, H, T, D, causal, "fwdbwd") / ms * 1e-9
                        row["peak_mib"] = (torch.cuda.max_memory_allocated() - base) / 2**20
                    except torch.OutOfMemoryError:
                        row["note"] = "OOM"
                    except Exception as e:  # a backend unavailable for this shape
                        row["note"] = f"{type(e).__name__}: {str(e)[:60]}"
                    torch.cuda.empty_cache()
                    rows.append(row)
                    print(fmt_row(row), flush=True)
    return rows


def fmt_row(r):
    f = lambda k, w=8, p=1: f"{r[k]:{w}.{p}f}" if k in r else " " * (w - 1) + "-"
    err = f"{r['err']:.1e}" if "err" in r else "   -   "
    return (
        f"| {r['D']:>3} | {'causal' if r['causal'] else 'bidir':>6} | {r['T']:>6} | {r['B']:>3}x{r['H']:<3}| "
        f"{r['impl']:<15}| "
        f"{f('fwd_tflops')} | {f('fwdbwd_tflops')} | {f('peak_mib', 9, 0)} | {err} | {r.get('note', '')} |"
    )


HEADER = (
    "| D | mask | T | BxH | impl | fwd TFLOP/s | fwd+bwd TFLOP/s | peak MiB (fwd+bwd) | max err vs fp32 | note |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def reference(q, k, v, causal, lens):
    "Float32 attention with causal and key-padding masks; padded query rows are zero."
    T = q.shape[-2]
    q, k, v = q.float(), k.float(), v.float()
    s = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    ok = torch.ones(T, T, dtype=torch.bool, device=q.device)
    if causal:
        ok = ok.tril()
    if lens is not None:
        real = torch.arange(T, device=q.device)[None] < lens[:, None]  # (B, T)
        ok = ok & real[:, None, None, :]
    w = torch.softmax(s.masked_fill(~ok, float("-inf")), -1).nan_to_num(0.0)
    o = w @ v
    return o if lens is None else o * real[:, None, :, None]


def grads_error(fn, ref_fn, q, k, v, causal, lens):
    "Max abs error of output and input gradients of `fn` against `ref_fn`, relative to the reference's max."
    xs = [t.detach().clone().requires_grad_() for t in (q, k, v)]
    rs = [t.detach().float().clone().requires_grad_() for t in (q, k, v)]
    o = fn(*xs, causal, lens)
    r = ref_fn(*rs, causal, lens)
    do = torch.randn_like(r)
    if lens is not None:
        do = do * (torch.arange(q.shape[-2], device=q.device)[None] < lens[:, None])[:, None, :, None]
    o.backward(do.to(o.dtype))
    r.backward(do)
    return max(
        ((a.float() - b).abs().max() / b.abs().max().clamp_min(1.0)).item()
        for a, b in ((o, r), (xs[0].grad, rs[0].grad), (xs[1].grad, rs[1].grad), (xs[2].grad, rs[2].grad))
    )


def gpu_checks(dev="cuda", quick=False):
    """Correctness on the GPU: our kernel's output and gradients against float32 attention, next to PyTorch SDPA's
    error in the same dtype, over dtypes, head sizes, odd lengths, causal/bidirectional and key padding."""

    def ours_l(q, k, v, causal, lens):
        m = None if lens is None else (torch.arange(q.shape[-2], device=q.device)[None] < lens[:, None])
        return fl.flash_attention(q, k, v, causal=causal, key_padding_mask=m)

    def sdpa_l(q, k, v, causal, lens):
        if lens is None:
            return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)
        T = q.shape[-2]
        real = torch.arange(T, device=q.device)[None] < lens[:, None]
        ok = real[:, None, None, :] & (torch.ones(T, T, dtype=torch.bool, device=q.device).tril() if causal else True)
        ok = ok | ~real[:, None, :, None]  # padded query rows: anything finite, zeroed below
        o = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=ok)
        return o * real[:, None, :, None]

    g = torch.Generator(device=dev).manual_seed(0)
    lines, worst = [], 0.0
    cases = [
        (dt, D, T, causal, pad)
        for dt, Ds in ((torch.bfloat16, (16, 64, 80, 128)), (torch.float16, (64, 128)))
        for D in Ds
        for T in (1, 77, 1000)
        for causal in (False, True)
        for pad in (False, True)
    ]
    cases += [
        (torch.float32, 64, T, causal, pad) for T in (77, 1000) for causal in (False, True) for pad in (False, True)
    ]
    if quick:
        cases = [c for c in cases if c[2] == 77 and c[1] in (16, 64)]
    for dt, D, T, causal, pad in cases:
        B, H = 3, 2
        q, k, v = (torch.randn(B, H, T, D, device=dev, generator=g).to(dt) for _ in range(3))
        lens = torch.randint(1, T + 1, (B,), device=dev, generator=g).to(torch.int32) if pad else None
        ours_e = grads_error(ours_l, reference, q, k, v, causal, lens)
        sdpa_e = grads_error(sdpa_l, reference, q, k, v, causal, lens)
        ok = ours_e <= 2 * sdpa_e + (1e-3 if dt == torch.float32 else 1e-2)
        worst = max(worst, ours_e / max(sdpa_e, 1e-6))
        name = str(dt).split(".")[-1]
        line = (
            f"| {name} | {D} | {T} | {'causal' if causal else 'bidir'} | {'yes' if pad else 'no'} | "
            f"{ours_e:.1e} | {sdpa_e:.1e} | {'ok' if ok else 'FAIL'} |"
        )
        lines.append(line)
        print(line, flush=True)
    n_fail = sum("FAIL" in l for l in lines)
    head = (
        "| dtype | D | T | mask | key padding | minipre max error | SDPA max error | |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    summary = (
        f"{len(lines)} cases, {n_fail} failed (a case passes when our error is at most twice SDPA's in the same "
        f"dtype plus 1e-2, or 1e-3 in float32). Errors are the largest of output, dQ, dK, dV, each max abs error "
        "divided by max(1, largest absolute value of the float32 reference); batch 3, 2 heads, random lengths with "
        "key padding."
    )
    return summary, head + "\n" + "\n".join(lines), n_fail


def tune_backward(Ts=(1024, 4096), D=128):
    "Time forward+backward of our kernel under several backward tile configurations (monkeypatched), bf16."
    import triton

    configs = [
        dict(BLOCK_M=64, BLOCK_N=64, num_warps=8, num_stages=2),
        dict(BLOCK_M=64, BLOCK_N=64, num_warps=4, num_stages=2),
        dict(BLOCK_M=64, BLOCK_N=64, num_warps=8, num_stages=3),
        dict(BLOCK_M=32, BLOCK_N=64, num_warps=4, num_stages=2),
        dict(BLOCK_M=64, BLOCK_N=32, num_warps=4, num_stages=2),
        dict(BLOCK_M=32, BLOCK_N=128, num_warps=8, num_stages=2),
        dict(BLOCK_M=128, BLOCK_N=64, num_warps=8, num_stages=2),
        dict(BLOCK_M=64, BLOCK_N=128, num_warps=8, num_stages=2),
        dict(BLOCK_M=32, BLOCK_N=64, num_warps=4, num_stages=3),
        dict(BLOCK_M=32, BLOCK_N=32, num_warps=4, num_stages=2),
    ]
    orig = fl._bwd_config
    for D_ in (D,) if D else (64, 128):
        for T in Ts:
            B, H = max(1, 16384 // T), 2048 // D_
            for causal in (True, False):
                q, k, v = (
                    torch.randn(B, H, T, D_, device="cuda", dtype=torch.bfloat16, requires_grad=True) for _ in range(3)
                )
                o = ours(q, k, v, causal)
                do = torch.randn_like(o)
                for cfg in configs:
                    fl._bwd_config = lambda T, D, dev, cfg=cfg: cfg

                    def fb():
                        q.grad = k.grad = v.grad = None
                        ours(q, k, v, causal).backward(do)

                    try:
                        ms = triton.testing.do_bench(fb, warmup=5, rep=40)
                        print(
                            f"tune D={D_} T={T} {'causal' if causal else 'bidir'} {cfg}: fwd+bwd "
                            f"{flops(B, H, T, D_, causal, 'fwdbwd') / ms * 1e-9:.1f} TFLOP/s",
                            flush=True,
                        )
                    except Exception as e:
                        print(f"tune D={D_} T={T} {cfg}: {type(e).__name__}: {str(e)[:80]}", flush=True)
    fl._bwd_config = orig


def interpreter_smoke():
    "No GPU: run the kernel in Triton's interpreter on tiny shapes and check it; no timings are recorded."
    out = []
    for D in (32, 64):
        for causal in (False, True):
            q, k, v = (torch.randn(1, 2, 48, D) for _ in range(3))
            err = check(ours, q, k, v, causal)
            out.append(
                f"- interpreter check, float32, T=48, D={D}, {'causal' if causal else 'bidirectional'}: max error "
                f"{err:.1e}"
            )
            print(out[-1], flush=True)
            assert err < 1e-3, err
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--check-only", action="store_true", help="GPU correctness checks only, no timings")
    ap.add_argument("--bench-only", action="store_true", help="GPU timings only, no correctness sweep")
    ap.add_argument("--D", type=int, help="only this head size in the timing table")
    ap.add_argument("--mask", choices=("causal", "bidir"), help="only this mask in the timing table")
    ap.add_argument("--tune-bwd", action="store_true", help="time backward tile configurations instead")
    a = ap.parse_args()
    import triton

    stamp = (
        f"Date {datetime.date.today()}, torch {torch.__version__}, triton {triton.__version__}, "
        f"Python {platform.python_version()}. Command: `python -m "
        f"benchmarks.attention{''.join(' ' + x for x in sys.argv[1:])}`."
    )
    if torch.cuda.is_available():
        name = torch.cuda.get_device_name()
        print(f"GPU: {name}")
        if a.tune_bwd:
            return tune_backward(D=a.D)
    if torch.cuda.is_available() and not a.bench_only:
        summary, table, n_fail = gpu_checks()
        write_section(
            "Attention kernel: correctness on a GPU",
            f"Measured on {name} (CUDA {torch.version.cuda}). {summary} {stamp}\n\n{table}",
        ) if not a.no_write else None
        print(summary, flush=True)
        if a.check_only:
            sys.exit(1 if n_fail else 0)
    if torch.cuda.is_available():
        print(HEADER)
        rows = bench_gpu(a.quick, a.D, a.mask)
        body = (
            f"Measured on {name} (CUDA {torch.version.cuda}), bfloat16, batch x heads chosen so B*T = 16k tokens and "
            f"H*D = 2048. FLOPs: forward 4*B*H*T^2*D (halved if causal), backward 2.5 x forward. Medians of "
            f"triton.testing.do_bench. {stamp}\n\n{HEADER}\n" + "\n".join(fmt_row(r) for r in rows)
        )
    else:
        print(
            "No CUDA GPU: running the kernel in Triton's interpreter on tiny shapes. "
            "These are NOT GPU numbers; no speed is measured or recorded."
        )
        lines = interpreter_smoke()
        body = (
            "**No GPU figures yet.** No CUDA GPU was available when this section was last written; the kernel was "
            "checked in Triton's interpreter only (correctness, not speed):\n\n" + "\n".join(lines) + f"\n\n{stamp}"
        )
    if not a.no_write:
        write_section("Attention kernel", body)


if __name__ == "__main__":
    main()
