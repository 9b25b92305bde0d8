"""Scale-out on CPU: `minipre pretrain` under torchrun with 2 gloo processes (DDP and FSDP2) matches a single
process with the same global batch, and the ranks stay in sync (train() checks parameter checksums at the end)."""

import json, shutil
import pytest
from conftest import BIN, cli_env, minipre, tiny


def pretrain(out, nproc, *extra):
    args = ["pretrain", "--objective", "clm", "--corpus", "synthetic", "--out", out, "--steps", 6]
    args += tiny(layers=2, block=32, batch=8, eval_every=3, precision="fp32", lr=3e-3, warmup=2, quiet=True)
    args += extra
    torchrun = [BIN / "torchrun", f"--nproc_per_node={nproc}", "--standalone"] if nproc > 1 else []
    r = minipre(*args, env=cli_env(TMPDIR=out.parent), prefix=torchrun)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-5000:]
    return json.loads((out / "history.json").read_text())


@pytest.mark.skipif(shutil.which("torchrun", path=str(BIN)) is None, reason="torchrun not installed")
@pytest.mark.parametrize("strategy", ["ddp", "fsdp"])
def test_two_processes_match_one(tmp_path, strategy):
    single = pretrain(tmp_path / "single", 1)
    multi = pretrain(tmp_path / strategy, 2, "--strategy", strategy)
    a = [r["train_loss"] for r in single]
    b = [r["train_loss"] for r in multi]
    assert len(a) == len(b) == 6
    assert max(abs(x - y) for x, y in zip(a, b)) < 1e-4, (a, b)
    va = [r["val_loss"] for r in single if "val_loss" in r]
    vb = [r["val_loss"] for r in multi if "val_loss" in r]
    assert max(abs(x - y) for x, y in zip(va, vb)) < 1e-4, (va, vb)
    assert (tmp_path / strategy / "latest").exists()  # rank 0 saved a checkpoint
