"""Every exercise notebook: as handed out, each checker reports 'not implemented yet' in plain words; its solution
notebook (exercises/solutions/) is the exercise with the blanks filled, in step with it, and passes every checker."""

import json
from pathlib import Path
import pytest

EX = Path(__file__).resolve().parents[1] / "exercises"


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
    ]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_blanks_report_not_implemented(nb):
    from minipre.checks import CheckFailed

    ns, n_checks = {}, 0
    for src in cells(nb):
        if "check_" in src and src.strip().startswith("check_"):
            with pytest.raises(CheckFailed, match="not implemented yet"):
                exec(src, ns)
            n_checks += 1
        else:
            exec(src, ns)
    assert n_checks >= 1


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_solution_notebook_is_in_step(nb):
    "The solution notebook is the exercise with its blanks filled: every other cell the same (sync_solutions.py)."
    sol = EX / "solutions" / nb.name
    assert sol.exists(), f"no {sol}: run python exercises/sync_solutions.py"
    ex_cells, sol_cells = json.loads(nb.read_text())["cells"], json.loads(sol.read_text())["cells"]
    assert len(ex_cells) == len(sol_cells), "cells added or removed: run python exercises/sync_solutions.py"
    for a, b in zip(ex_cells, sol_cells):
        name = blank_name("".join(a["source"]))
        if name:
            assert blank_name("".join(b["source"])) == name and "NotImplementedError" not in "".join(b["source"])
        else:
            assert a["source"] == b["source"], (
                f"{nb.name} and its solution differ: run python exercises/sync_solutions.py"
            )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_solutions_pass_every_check(nb, capsys):
    ns, blanks = {}, 0
    for src in cells(EX / "solutions" / nb.name):
        blanks += blank_name(src) is not None
        exec(src, ns)
    assert blanks >= 1
    assert capsys.readouterr().out.count("✓") >= blanks
