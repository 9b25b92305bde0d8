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


def _rendered(root, code: str) -> list[str]:
    "The paragraphs that `code` (Python run in the repository root) prints from a record, rendered by its own helpers."
    r = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return [p for p in r.stdout.strip().split("\n\n") if p.strip()]


def _section(heading: str) -> str:
    results = (Path(__file__).resolve().parents[1] / "benchmarks" / "RESULTS.md").read_text()
    assert heading in results, f"RESULTS.md has no section {heading!r}"
    return results.split(heading, 1)[1].split("\n## ", 1)[0]


# (the record, Python that prints what a section renders from `rec`, the RESULTS.md heading it stands under)
SECTIONS = [
    (
        "docs/long-documents.json",
        "from benchmarks.long_documents import section; print(section(rec))",
        "## Long documents: windows against truncation",
    ),
    (
        "docs/long-documents-larger.json",  # read against the shipped body's record
        "from benchmarks.long_documents import larger_section, RECORD; "
        "print(larger_section(rec, json.loads(RECORD.read_text())))",
        "## Long documents: is the body the limit?",
    ),
    (
        "docs/transfer-lab.json",  # rendered by the chapter's own helpers
        "from minipre.transfer import format_table, chosen_recipes, recipe_scores; "
        "print(format_table(rec)); print(); print('\\n'.join(chosen_recipes(rec))); print(); "
        "print('\\n'.join(recipe_scores(rec, 'clm')))",
        "## The lab run (`sst2-lab`): a few minutes from a shipped body",
    ),
    (
        "docs/compute-curve.json",
        "from benchmarks.compute_curve import section; print(section(rec))",
        "## Compute curve: transfer against pretraining",
    ),
    (
        "docs/throughput.json",
        "from benchmarks.throughput import table; print(table(rec))",
        "## Training FLOP/s on CPU: how near the limit each objective trains",
    ),
    (
        "docs/transfer-synthetic.json",
        "from benchmarks.synthetic_demo import section; print(section(rec))",
        "## Transfer on the synthetic language (offline demo)",
    ),
    (
        "docs/finetune-ablation.json",
        "from benchmarks.finetune_ablation import section; print(section(rec))",
        "## Fine-tuning ablation: one body, one change at a time",
    ),
    (
        "docs/masking.json",
        "from benchmarks.masking import section; print(section(rec))",
        "## Masking: how much to hide, and how",
    ),
]


@pytest.mark.parametrize("record, code, heading", SECTIONS, ids=[Path(r).stem for r, _, _ in SECTIONS])
def test_section_quotes_its_record(root, record, code, heading):
    "Every paragraph a benchmark renders from its record stands, as rendered, in its RESULTS.md section."
    if not (root / record).exists():
        pytest.skip(f"no {record} in this checkout")
    section = _section(heading)
    for part in _rendered(root, f"import json; rec = json.load(open({record!r})); " + code):
        assert part in section, part
