"The benchmark scripts run (here without a GPU: the attention one in Triton's interpreter, recording no speed)."
import os, subprocess, sys
import pytest


def test_attention_benchmark_runs_without_gpu(root):
    pytest.importorskip("triton")
    env = {**os.environ, "TRITON_INTERPRET": "1"}
    r = subprocess.run([sys.executable, "benchmarks/attention.py", "--no-write"], cwd=root, capture_output=True,
                       text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "NOT GPU numbers" in r.stdout or "GPU:" in r.stdout
