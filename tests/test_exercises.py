"""Every exercise notebook: as handed out, each checker reports 'not implemented yet' in plain words (and the run goes
on); its solution notebook (instructors/solutions/, outside the handout folder) is the exercise with the blanks
filled, in step with it, and passes every checker without calling the library's own solutions."""

import json
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
EX, SOL = ROOT / "exercises", ROOT / "instructors" / "solutions"


def cells(nb):
    return ["".join(c["source"]) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code"]


def blank_name(src):
    first = src.splitlines()[0] if src else ""
    return first.split("exercise:")[1].strip() if first.startswith("# exercise:") else None


NOTEBOOKS = sorted(EX.glob("ex*.ipynb"))


def test_there_is_one_notebook_per_part():
    assert [p.stem.split("_", 1)[1] for p in NOTEBOOKS] == [
        "tokenize",
        "objectives",
        "attention",
        "flash_attention",
        "model",
        "finetune",
        "lesson",
        "transfer",
        "leakage",
        "mask_rate",
    ]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_blanks_report_not_implemented(nb):
    from minipre.checks import RESULTS

    ns, n_checks = {}, 0
    for src in cells(nb):  # top to bottom, as a student runs it: a failed check never stops the run
        before = len(RESULTS)
        exec(src, ns)
        if src.strip().startswith("check_"):
            assert len(RESULTS) == before + 1
            assert not RESULTS[-1].passed and "not implemented yet" in RESULTS[-1].message, RESULTS[-1]
            n_checks += 1
    assert n_checks >= 1


def test_no_solution_in_the_handout_folder():
    "What an instructor hands out holds no solutions: they live in instructors/."
    assert not (EX / "solutions").exists()
    for nb in NOTEBOOKS:
        for src in cells(nb):
            if blank_name(src):
                assert "NotImplementedError" in src, f"{nb.name}: the blank {blank_name(src)} is filled in"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_solution_notebook_is_in_step(nb):
    "The solution notebook is the exercise with its blanks filled: every other cell the same (sync_solutions.py)."
    sol = SOL / nb.name
    assert sol.exists(), f"no {sol}: run python instructors/sync_solutions.py"
    ex_cells, sol_cells = json.loads(nb.read_text())["cells"], json.loads(sol.read_text())["cells"]
    assert len(ex_cells) == len(sol_cells), "cells added or removed: run python instructors/sync_solutions.py"
    for a, b in zip(ex_cells, sol_cells):
        name = blank_name("".join(a["source"]))
        if name:
            assert blank_name("".join(b["source"])) == name and "NotImplementedError" not in "".join(b["source"])
        else:
            assert a["source"] == b["source"], (
                f"{nb.name} and its solution differ: run python instructors/sync_solutions.py"
            )


# The experiment assignments end with a real experiment (bodies pretrained, fine-tuned over seeds: minutes). `make test`
# runs their solutions with these edits to the experiment's budget (every check at full size: only the experiment
# shrinks), `make test-slow` runs them as written. Each edit must apply, so a changed notebook fails here, not quietly.
REDUCED = {
    "ex08_transfer": [
        ("steps=500", "steps=40"),
        ("epochs=10", "epochs=2"),
        ("[20, 60, 200], 3, fit", "[20, 60], 2, fit"),
    ],
    "ex10_mask_rate": [("steps=500", "steps=40"), ("epochs=30", "epochs=2"), ("range(5)", "range(2)")],
}
RESULT_OF = {"ex08_transfer": "rows", "ex10_mask_rate": "acc"}  # what each experiment fills when it ran


def run_solution(nb, edits=()):
    "Execute the solution of `nb` top to bottom, with `edits` (old, new) made to its code first; its checks' results."
    from minipre.checks import RESULTS

    src = cells(SOL / nb.name)
    for old, new in edits:
        assert any(old in s for s in src), f"{nb.name}: {old!r} is not in the solution any more: update REDUCED"
        src = [s.replace(old, new) for s in src]
    ns, blanks, before = {}, 0, len(RESULTS)
    for s in src:
        blanks += blank_name(s) is not None
        exec(s, ns)
    results = RESULTS[before:]
    assert blanks >= 1 and len(results) >= blanks
    assert all(r.passed for r in results), [r for r in results if not r.passed]
    return ns


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_solutions_pass_every_check(nb):
    ns = run_solution(nb, REDUCED.get(nb.stem, ()))
    if nb.stem in RESULT_OF:
        assert ns[RESULT_OF[nb.stem]], f"{nb.name}: the experiment did not run"


@pytest.mark.slow
@pytest.mark.parametrize("nb", [p for p in NOTEBOOKS if p.stem in REDUCED], ids=lambda p: p.stem)
def test_solutions_at_full_budget(nb):
    assert run_solution(nb)[RESULT_OF[nb.stem]]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercise_is_set_for_a_syllabus(nb):
    """Each exercise states its difficulty, time and chapter, offers a hint before each check, and ends with
    questions; its chapter links back to it."""
    md = ["".join(c["source"]) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "markdown"]
    head = next(m for m in md if "**Difficulty:**" in m)
    assert "★" in head and "**Expected time:**" in head
    chapter = head.split("](../nbs/")[1].split(")")[0]
    assert (ROOT / "nbs" / chapter).exists(), chapter
    assert sum("<summary>A hint" in m for m in md) == sum(1 for s in cells(nb) if s.strip().startswith("check_"))
    assert md[-1].startswith("## Questions for understanding")
    back = [m for m in (json.loads((ROOT / "nbs" / chapter).read_text())["cells"]) if m["cell_type"] == "markdown"]
    assert any(f"exercises/{nb.name}" in "".join(m["source"]) for m in back), f"{chapter} does not link {nb.name}"


def _sync():
    "instructors/sync_solutions.py (a script, not part of the package)."
    from conftest import script_module

    return script_module("instructors/sync_solutions.py")


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_nbgrader_metadata(nb):
    """Exercise and solution carry nbgrader's cell metadata: every blank an answer cell, every check a locked test
    cell worth its rubric's points, which are the checker's own (a check's output is what nbgrader reads as credit)."""
    import minipre.checks as C

    rubric = _sync().rubric_of(nb)
    for path in (nb, SOL / nb.name):
        ids = []
        for c in json.loads(path.read_text())["cells"]:
            src, meta = "".join(c["source"]), c["metadata"].get("nbgrader")
            if blank_name(src):
                assert meta and meta["solution"] and not meta["grade"] and meta["grade_id"] == blank_name(src), path
            elif c["cell_type"] == "code" and src.strip().startswith("check_"):
                name = src.split("(")[0].strip()
                assert meta and meta["grade"] and meta["locked"] and not meta["solution"], (path, name)
                assert meta["points"] == rubric[name] == getattr(C, name).points, (path, name)
            else:
                assert meta is None, (path, src[:40])
                continue
            assert meta["schema_version"] == 3
            ids.append(meta["grade_id"])
        assert len(ids) == len(set(ids)), f"{path.name}: grade ids repeat"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_nbgrader_makes_the_handout_from_the_solutions(nb):
    "Clearing a solution cell's marked part as nbgrader's generate_assignment does gives the handout's blank."
    sync = _sync()
    handout = {blank_name(s): s for s in cells(nb) if blank_name(s)}
    solutions = {blank_name(s): s for s in cells(SOL / nb.name) if blank_name(s)}
    assert handout.keys() == solutions.keys()
    for name, src in solutions.items():
        assert "### BEGIN SOLUTION" in src and "### END SOLUTION" in src, name
        assert sync.cleared(src) == handout[name], name
