"""Scale-out on CPU: `minipre pretrain` under torchrun with 2 gloo processes (DDP and FSDP2) matches a single
process with the same global batch, and the ranks stay in sync (train() checks parameter checksums at the end)."""
import json, os, shutil, subprocess, sys
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent


def pretrain(out, nproc, *extra):
    args = ["pretrain", "--objective", "clm", "--corpus", "synthetic", "--out", str(out), "--steps", "6", "--eval-every", "3",
            "--layers", "2", "--width", "32", "--heads", "2", "--block-size", "32", "--batch-size", "8", "--vocab-size", "300",
            "--precision", "fp32", "--lr", "3e-3", "--warmup", "2", "--quiet", *extra]
    env = {**os.environ, "TMPDIR": str(out.parent), "OMP_NUM_THREADS": "1", "MINIPRE_DATA": ""}
    if nproc == 1:
        cmd = [str(BIN / "minipre"), *args]
    else:
        cmd = [str(BIN / "torchrun"), f"--nproc_per_node={nproc}", "--standalone", str(BIN / "minipre"), *args]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-5000:]
    return json.loads((out / "history.json").read_text())


@pytest.mark.skipif(shutil.which("torchrun", path=str(BIN)) is None, reason="torchrun not installed")
@pytest.mark.parametrize("strategy", ["ddp", "fsdp"])
def test_two_processes_match_one(tmp_path, strategy):
    single = pretrain(tmp_path / "single", 1)
    multi = pretrain(tmp_path / strategy, 2, "--strategy", strategy)
    a = [r["train_loss"] for r in single]; b = [r["train_loss"] for r in multi]
    assert len(a) == len(b) == 6
    assert max(abs(x - y) for x, y in zip(a, b)) < 1e-4, (a, b)
    va = [r["val_loss"] for r in single if "val_loss" in r]; vb = [r["val_loss"] for r in multi if "val_loss" in r]
    assert max(abs(x - y) for x, y in zip(va, vb)) < 1e-4, (va, vb)
    assert (tmp_path / strategy / "latest").exists()        # rank 0 saved a checkpoint
