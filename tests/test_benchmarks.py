"The benchmark scripts run (here without a GPU: the attention one in Triton's interpreter, recording no speed)."

import os, subprocess, sys
from pathlib import Path
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
    section = _section("## Long documents: windows against truncation")
    for part in r.stdout.strip().split("\n@@\n"):
        assert part in section, part


def _section(heading: str) -> str:
    results = (Path(__file__).resolve().parents[1] / "benchmarks" / "RESULTS.md").read_text()
    assert heading in results, f"RESULTS.md has no section {heading!r}"
    return results.split(heading, 1)[1].split("\n## ", 1)[0]


def test_compute_curve_section_quotes_its_record(root):
    "The compute-curve section's tables are rendered from docs/compute-curve.json (benchmarks.compute_curve.section)."
    if not (root / "docs" / "compute-curve.json").exists():
        pytest.skip("no compute-curve record in this checkout")
    code = (
        "import json; from benchmarks.compute_curve import section; "
        "print(section(json.load(open('docs/compute-curve.json'))))"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    section = _section("## Compute curve: transfer against pretraining")
    for part in r.stdout.strip().split("\n\n"):
        assert part in section, part


def test_throughput_section_quotes_its_record(root):
    "The throughput section's tables are rendered from docs/throughput.json (benchmarks.throughput.table)."
    if not (root / "docs" / "throughput.json").exists():
        pytest.skip("no throughput record in this checkout")
    code = "import json; from benchmarks.throughput import table; print(table(json.load(open('docs/throughput.json'))))"
    r = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    section = _section("## Training FLOP/s on CPU: how near the limit each objective trains")
    for part in r.stdout.strip().split("\n\n"):
        assert part in section, part
