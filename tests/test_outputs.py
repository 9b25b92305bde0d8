"""The core chapters hold their executed outputs (a reader browsing the repository sees them without running anything),
and those outputs come from the chapter's current code: each chapter is stamped with a hash of its code cells and the
records it draws, and a chapter whose code or records moved on since `make outputs` fails here."""

import base64, copy, json, shutil
from conftest import ROOT, script_module


def outputs():
    return script_module("docs/outputs.py")


def chapter(stem: str) -> dict:
    return json.loads((ROOT / "nbs" / f"{stem}.ipynb").read_text())


def test_every_core_chapter_holds_outputs_from_its_current_code():
    bad = outputs().check()
    assert not bad, (
        "stored outputs missing or older than the chapter's code: "
        + "; ".join(f"{k} {v}" for k, v in bad.items())
        + ". Run `make outputs CHAPTERS='"
        + " ".join(bad)
        + "'` (MINIPRE_DATA=../shared/data for real data) and commit."
    )


def test_core_chapters_are_the_index_core_path():
    core = outputs().core_chapters()
    assert core[0] == "00_big_picture" and "10_transfer" in core and "09_finetune" in core
    assert not {"00_files", "06_4_checkpoint", "14_cli", "12_widgets"} & set(core), "appendix chapters are not core"


def test_the_check_fails_on_a_changed_code_cell_or_record_and_not_on_prose(tmp_path):
    o = outputs()
    nb = chapter("07_pretrain_gpt")
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (tmp_path / "benchmarks").mkdir()
    shutil.copy(ROOT / "benchmarks" / "RESULTS.md", tmp_path / "benchmarks")  # chapter 07 prints a section of it
    assert o.staleness(nb, docs) is None, "the stored chapter should be current"
    assert [p.name for p in o.sources_of(nb, docs)] and "ladder.json" in [p.name for p in o.sources_of(nb, docs)]

    prose = copy.deepcopy(nb)
    md = next(c for c in prose["cells"] if c["cell_type"] == "markdown")
    md["source"] = md["source"] + ["\nA sentence added to the prose.\n"]
    assert o.staleness(prose, docs) is None, "prose does not change what the cells print"

    wrong = copy.deepcopy(nb)
    cell = next(c for c in wrong["cells"] if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("Expect"))
    cell["source"] = ["".join(cell["source"]).replace("2.39", "2.93")]
    assert "2.93, which the outputs above it do not show" in o.staleness(wrong, docs)

    code = copy.deepcopy(nb)
    cell = next(c for c in code["cells"] if c["cell_type"] == "code" and c["outputs"])
    cell["source"] = ["".join(cell["source"]).replace("\n", "\n\n", 1)]
    assert "other code" in o.staleness(code, docs)

    rec = docs / "ladder.json"
    rec.write_text(rec.read_text().replace("1", "2", 1))
    assert "other code or records" in o.staleness(nb, docs)
    rec.write_text((ROOT / "docs" / "ladder.json").read_text())
    assert o.staleness(nb, docs) is None
    results = tmp_path / "benchmarks" / "RESULTS.md"
    results.write_text(results.read_text() + "\nA new section.\n")
    assert "other code or records" in o.staleness(nb, docs), "a RESULTS.md the chapter prints from changed"

    bare = copy.deepcopy(nb)
    bare["metadata"].pop(o.STAMP)
    assert o.staleness(bare, docs) == "has no stored outputs"


def test_stored_outputs_are_small_pictures_and_no_progress_bars():
    o = outputs()
    figures = 0
    for stem in o.core_chapters():
        nb, size = chapter(stem), 0
        for c in nb["cells"]:
            for out in c.get("outputs", []):
                data = out.get("data", {})
                assert not {"image/svg+xml", "application/vnd.jupyter.widget-view+json"} & set(data), stem
                if "image/png" in data:
                    png = base64.b64decode("".join(data["image/png"]))
                    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) < o.MAX_IMAGE_BYTES, f"{stem}: figure too big"
                    figures += 1
                assert not o._is_progress_bar(out), f"{stem}: a progress bar was stored"
                assert out.get("output_type") != "error", f"{stem}: an error was stored"
                size += len(json.dumps(out))
        assert size < o.MAX_CHAPTER_BYTES, f"{stem}: {size} bytes of outputs"
        stamp = nb["metadata"][o.STAMP]["outputs"]
        assert stamp["data"] and stamp["ran"], stem
    assert figures >= 10, f"only {figures} figures in the core chapters"


def test_the_core_chapters_that_train_say_which_data_they_show():
    "A real-data cell names its data in its output (MINIPRE_DATA's corpus or the synthetic fallback)."
    for stem in ("00_big_picture", "01_tokenize", "07_pretrain_gpt", "10_transfer"):
        text = " ".join(
            "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            for c in chapter(stem)["cells"]
            for out in c.get("outputs", [])
        ).lower()
        assert any(w in text for w in ("sst-2", "sst2", "shakespeare", "imdb", "synthetic")), stem


# Chapters whose outputs are examples rather than measurements, or whose figures are records' (tests/test_numbers.py)
NO_EXPECT = {
    "02_objectives": "its outputs are the targets of one sentence, not measurements",
    "06_2_optim": "a plotted schedule; the singular values are asserted in the cell",
    "06_3_tasks": "its outputs are one batch of each task, not measurements",
    "10_3_augment": "its outputs are example copies",
    "10_transfer": "its figures are the records', checked against them by test_numbers",
}


def test_each_core_chapter_says_what_its_cells_print():
    "An `Expect about ...` sentence after the cells that measure something, its numbers matching the stored outputs."
    o = outputs()
    assert set(NO_EXPECT) <= set(o.core_chapters())
    for stem in o.core_chapters():
        nb = chapter(stem)
        found = o.expectations(nb)
        if stem in NO_EXPECT:
            continue
        assert found, f"{stem}: no 'Expect ...' sentence states the numbers its cells print"
        assert all(said for _, said, _ in found), f"{stem}: an 'Expect' sentence that gives no number"
        assert not o.unmet_expectations(nb), o.unmet_expectations(nb)
    assert o._close("74", "74.1") and o._close("0.7", "0.68") and not o._close("2.93", "2.393")
    assert o.numbers("about 5.26M parameters, 1,000 labels and ex07") == ["5.26", "1,000"]
