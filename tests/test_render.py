"""Every chapter renders as a document, checked without a browser.

Each markdown cell of every notebook (chapters, index, exercises) is parsed as CommonMark, as JupyterLab and the docs
site do. A chapter has exactly one level-1 heading, its title, in the first cell with a `> summary` line after it (what
nbdev and the docs site read); every other heading is level 2 or deeper; no heading is a sentence of prose or carries a
stray `#`, `*` or `>` (the marks of a cell whose lines were all prefixed with `# `)."""

import json, re
from pathlib import Path
import pytest
from conftest import docs_build, headings, md_cells

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "nbs").glob("*.ipynb")) + sorted((ROOT / "exercises").glob("*.ipynb"))


def prose_like(title: str) -> bool:
    "A heading that reads as a sentence: long, or ends in a full stop, or starts with list/quote/heading marks."
    return len(title.split()) > 14 or title.rstrip().endswith((".", ":")) or bool(re.match(r"[#*>\-+]\s", title))


def check_notebook(nb: Path) -> list[str]:
    "Every rendering problem of one notebook, as sentences (empty when it reads as a document)."
    cells, problems = md_cells(nb), []
    if not cells:
        return [f"{nb.name}: no markdown cell"]
    all_h = [(i, lvl, txt) for i, c in enumerate(cells) for lvl, txt in headings(c)]
    h1 = [(i, txt) for i, lvl, txt in all_h if lvl == 1]
    if len(h1) != 1:
        problems.append(
            f"{nb.name}: {len(h1)} level-1 headings (want exactly one, the title): {[t for _, t in h1][:4]}"
        )
    if not h1 or h1[0][0] != 0:
        problems.append(f"{nb.name}: the first markdown cell does not start with `# Title`")
    for i, lvl, txt in all_h:
        if prose_like(txt):
            problems.append(f"{nb.name}, markdown cell {i}: heading {lvl} reads as prose: {txt[:70]!r}")
    first = cells[0].strip().splitlines()
    if nb.parent.name == "nbs" and not any(l.startswith("> ") for l in first[1:4]):
        problems.append(f"{nb.name}: no `> summary` line after the title")
    return problems


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_markdown_renders_as_a_document(nb):
    assert check_notebook(nb) == []


def test_the_check_catches_prose_stored_as_headings(tmp_path):
    "The defect this guards against: every line of a prose cell prefixed with '# ' (it rendered as giant headings)."
    bad = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# # Title\n", "#\n", "# > summary"]},
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": ["# This is a paragraph of prose that explains the lesson."],
            },
            {"cell_type": "markdown", "metadata": {}, "source": ["# ## A section\n", "# * a bullet"]},
        ]
    }
    p = tmp_path / "99_bad.ipynb"
    p.write_text(json.dumps(bad))
    problems = check_notebook(p)
    assert any("level-1 headings" in s for s in problems), problems
    assert any("reads as prose" in s for s in problems), problems
    good = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "\n", "> summary"]},
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": ["Prose.\n", "\n", "## A section\n", "\n", "* a bullet"],
            },
        ]
    }
    p.write_text(json.dumps(good))
    assert check_notebook(p) == []


def test_nbdev_and_the_docs_site_read_each_title_and_summary():
    "The title nbdev reads (front matter from `# Title` / `> summary`) is the docs page title, with no '#' in it."
    title_of, summary_of = docs_build().title_of, docs_build().summary_of
    for nb in sorted((ROOT / "nbs").glob("*.ipynb")):
        title, summary = title_of(nb), summary_of(nb)
        assert title and not title.startswith("#") and title != nb.stem, (nb.name, title)
        assert summary and not summary.startswith(("#", ">")), (nb.name, summary)
        first = md_cells(nb)[0]
        assert headings(first)[0] == (1, title), (nb.name, headings(first))


CORE = ["00_big_picture", "00_data", "01_tokenize", "02_objectives", "03_attention", "04_model", "06_0_loop",
        "06_train", "07_pretrain_gpt", "08_pretrain_bert", "09_finetune", "10_transfer"]  # fmt: skip


@pytest.mark.parametrize("name", CORE)
def test_core_chapter_opens_with_goals_and_ends_with_questions(name):
    "A core chapter says what the reader will learn and how long it takes; it ends with a summary and 4-8 questions."
    cells = md_cells(ROOT / "nbs" / f"{name}.ipynb")
    assert cells[1].startswith("**You will be able to:**") and "**Study time:**" in cells[1], cells[1][:200]
    assert cells[-2].startswith("## Summary") and cells[-1].startswith("## Questions")
    n_questions = sum(1 for line in cells[-1].splitlines() if line[:1].isdigit())
    assert 4 <= n_questions <= 8, n_questions
