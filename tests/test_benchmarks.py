"The benchmark scripts run (here without a GPU: the attention one in Triton's interpreter, recording no speed)."

import os, subprocess, sys
import pytest


def test_attention_benchmark_runs_without_gpu(root):
    pytest.importorskip("triton")
    env = {**os.environ, "TRITON_INTERPRET": "1"}
    r = subprocess.run(
        [sys.executable, "-m", "benchmarks.attention", "--no-write"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "NOT GPU numbers" in r.stdout or "GPU:" in r.stdout


def test_long_documents_section_quotes_its_record(root):
    "Every figure of the RESULTS section on long documents is rendered from docs/long-documents.json."
    code = (
        "import json; from benchmarks.long_documents import RECORD, paired, table; "
        "rec = json.loads(RECORD.read_text()); print(table(rec)); print('@@'); print(paired(rec))"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    results = (root / "benchmarks" / "RESULTS.md").read_text()
    section = results.split("## Long documents: windows against truncation", 1)[1].split("\n## ", 1)[0]
    for part in r.stdout.strip().split("\n@@\n"):
        assert part in section, part
