"""`minipre grade` on the experiment assignments (ex09, a contaminated benchmark; ex10, one change at a time): the
instructor's solution earns every point of the shipped rubric, the handout as given earns none, and a plausible wrong
answer (a leak filter that only drops exact copies; one body shared by every setting) loses its check's points with
the checker's reason in the table. Each notebook runs its whole experiment (about a minute), so these are slow tests
(`make test-slow`)."""

import csv, json

import pytest
from conftest import ROOT, cli_env, minipre

pytestmark = pytest.mark.slow

WRONG = {
    "ex09_leakage": {
        "remove_leaks": (
            "def remove_leaks(train_texts, train_labels, eval_texts):\n"
            "    evals = set(eval_texts)  # exact copies only: a review that quotes an evaluation sentence stays\n"
            "    keep = [i for i, t in enumerate(train_texts) if t not in evals]\n"
            "    return [train_texts[i] for i in keep], [train_labels[i] for i in keep]"
        )
    },
    "ex10_mask_rate": {
        "one_change": (
            "def one_change(pretrain, base, settings):\n"
            "    body = pretrain(base)  # one body for every setting: nothing was changed\n"
            "    return {name: body for name in settings}"
        )
    },
}


def with_fill(src: dict, fills: dict) -> dict:
    "The notebook with the exercise cells named in `fills` replaced by that code."
    nb = json.loads(json.dumps(src))
    for c in nb["cells"]:
        text = "".join(c["source"])
        if text.startswith("# exercise:"):
            name = text.splitlines()[0].split(":")[1].strip()
            if name in fills:
                c["source"] = f"# exercise: {name}\n" + fills[name]
    return nb


@pytest.mark.parametrize("stem", sorted(WRONG))
def test_grading_an_experiment_assignment(tmp_path, stem):
    pytest.importorskip("nbclient")
    subs = tmp_path / "submissions"
    subs.mkdir()
    solution = json.loads((ROOT / "instructors" / "solutions" / f"{stem}.ipynb").read_text())
    (subs / "ada.ipynb").write_text(json.dumps(solution))
    (subs / "bo.ipynb").write_text((ROOT / "exercises" / f"{stem}.ipynb").read_text())  # the handout as given
    (subs / "cal.ipynb").write_text(json.dumps(with_fill(solution, WRONG[stem])))
    rubric_path = ROOT / "instructors" / "rubrics" / f"{stem[:4]}.json"
    rubric = json.loads(rubric_path.read_text())
    r = minipre("grade", subs, "--rubric", rubric_path, "--to", tmp_path / "grades.csv", "--timeout", "400",
                env=cli_env(), timeout=1500)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    pts = {s: sum(float(x["points"]) for x in rows if x["student"] == s) for s in ("ada", "bo", "cal")}
    assert pts["ada"] == sum(rubric.values()), (pts, [x for x in rows if x["student"] == "ada"])
    assert pts["bo"] == 0, pts
    wrong_check = {"ex09_leakage": "check_remove_leaks", "ex10_mask_rate": "check_one_change"}[stem]
    said = {(x["student"], x["check"]): x for x in rows}
    assert float(said["cal", wrong_check]["points"]) == 0, said["cal", wrong_check]
    assert pts["cal"] == sum(rubric.values()) - rubric[wrong_check], pts
    reason = said["cal", wrong_check]["message"]
    assert reason and "did not run" not in reason and "NotImplementedError" not in reason, reason
