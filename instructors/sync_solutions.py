"""Keep instructors/solutions/ in step with the exercises: python instructors/sync_solutions.py

Each solution notebook is its exercise with every blank (a cell opening with `# exercise: NAME`) replaced by the
solution cell of the same name. Edit an exercise, then run this: every other cell is copied from the exercise, the
solution cells are kept. A blank with no solution yet is reported (exit status 1) and left as the blank.
The solutions live outside exercises/, so that the folder an instructor hands out holds none.
tests/test_exercises.py fails when the two drift apart, and runs every solution notebook through its checkers.
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
        else:
            missing.append(name)
    return nb, missing


def main() -> int:
    bad = []
    for ex in sorted(EX.glob("ex*.ipynb")):
        nb, missing = solved(ex)
        SOL.mkdir(parents=True, exist_ok=True)
        (SOL / ex.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        bad += [f"{ex.name}: {m}" for m in missing]
    if bad:
        print("no solution yet for:", ", ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
