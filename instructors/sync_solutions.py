"""Keep instructors/solutions/ in step with the exercises: python instructors/sync_solutions.py

Each solution notebook is its exercise with every blank (a cell opening with `# exercise: NAME`) replaced by the
solution cell of the same name. Edit an exercise, then run this: every other cell is copied from the exercise, the
solution cells are kept. A blank with no solution yet is reported (exit status 1) and left as the blank.
The solutions live outside exercises/, so that the folder an instructor hands out holds none.
tests/test_exercises.py fails when the two drift apart, and runs every solution notebook through its checkers.

Both notebooks also carry nbgrader's cell metadata (schema 3): each blank is an autograded answer cell, each check an
autograded test cell worth its rubric's points (a check's output is its points, which nbgrader reads as partial
credit). In a solution cell the code after the signature sits between nbgrader's `### BEGIN SOLUTION` and
`### END SOLUTION`, so `nbgrader generate_assignment` on instructors/solutions/ gives the handout's blank back.
"""

import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EX, SOL = ROOT / "exercises", ROOT / "instructors" / "solutions"  # the handout, and what never goes in it


def blank_name(src: str) -> str | None:
    first = src.splitlines()[0] if src else ""
    return first.split("exercise:")[1].strip() if first.startswith("# exercise:") else None


def solution_cells(path: Path) -> dict:
    if not path.exists():
        return {}
    cells = json.loads(path.read_text())["cells"]
    return {blank_name("".join(c["source"])): c for c in cells if blank_name("".join(c["source"]))}


def check_name(src: str) -> str | None:
    "The checker a check cell calls (`check_attention(attend)` -> 'check_attention'), or None."
    return src.split("(", 1)[0].strip() if src.strip().startswith("check_") else None


def rubric_of(exercise: Path) -> dict:
    "The points of each check: instructors/rubrics/exNN.json."
    return json.loads((ROOT / "instructors" / "rubrics" / f"{exercise.name[:4]}.json").read_text())


def nbgrader_meta(nb: dict, rubric: dict) -> dict:
    "Mark each blank as an nbgrader answer cell and each check as a test cell worth its rubric's points."
    for c in nb["cells"]:
        src = "".join(c["source"])
        c["metadata"].pop("nbgrader", None)
        if blank_name(src):
            meta = {"grade": False, "grade_id": blank_name(src), "locked": False, "solution": True}
        elif c["cell_type"] == "code" and check_name(src):
            name = check_name(src)
            meta = {"grade": True, "grade_id": name, "locked": True, "points": rubric[name], "solution": False}
        else:
            continue
        c["metadata"]["nbgrader"] = meta | {"schema_version": 3, "task": False}
    return nb


def signature_end(lines: list[str]) -> int:
    "Index of the line after the signature of the cell's first function (its `def ...:` may span lines)."
    i = next(k for k, line in enumerate(lines) if line.startswith("def "))
    while not lines[i].rstrip().endswith(":"):
        i += 1
    return i + 1


def marked(src: str) -> str:
    "A solution cell with nbgrader's markers around what follows the signature (added once)."
    if "### BEGIN SOLUTION" in src:
        return src
    lines = src.rstrip("\n").split("\n")
    k = signature_end(lines)
    return "\n".join(lines[:k] + ["    ### BEGIN SOLUTION", *lines[k:], "    ### END SOLUTION"])


def cleared(src: str) -> str:
    "What nbgrader's generate_assignment makes of a marked solution cell: the marked part becomes its stub."
    lines, out, inside = src.split("\n"), [], False
    for line in lines:
        if line.strip() == "### BEGIN SOLUTION":
            pad, inside = line[: len(line) - len(line.lstrip())], True
            out += [pad + "# YOUR CODE HERE", pad + "raise NotImplementedError()"]
        elif line.strip() == "### END SOLUTION":
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def solved(exercise: Path) -> tuple[dict, list[str]]:
    "The solution notebook for `exercise`, and the blanks that have no solution yet."
    nb = json.loads(exercise.read_text())
    have, missing = solution_cells(SOL / exercise.name), []
    for i, c in enumerate(nb["cells"]):
        name = blank_name("".join(c["source"]))
        if name is None:
            continue
        if name in have:
            nb["cells"][i] = have[name]
            nb["cells"][i]["source"] = marked("".join(have[name]["source"])).splitlines(keepends=True)
        else:
            missing.append(name)
    return nbgrader_meta(nb, rubric_of(exercise)), missing


def main() -> int:
    bad = []
    for ex in sorted(EX.glob("ex*.ipynb")):
        nb, missing = solved(ex)
        handout = nbgrader_meta(json.loads(ex.read_text()), rubric_of(ex))
        ex.write_text(json.dumps(handout, indent=1, ensure_ascii=False) + "\n")
        SOL.mkdir(parents=True, exist_ok=True)
        (SOL / ex.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        bad += [f"{ex.name}: {m}" for m in missing]
    if bad:
        print("no solution yet for:", ", ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
