"""`minipre grade` end to end on sample submissions of exercise 3: a correct one, one that calls the library's own
attention, one whose top level never ends; a rubric; a CSV and a JSON grade table; errors that name the file."""

import csv, json

import pytest
from conftest import ROOT, cli_env, minipre

EX3 = ROOT / "exercises" / "ex03_attention.ipynb"
RIGHT = {
    "attend": "def attend(q, k, v):\n    return torch.softmax(q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5, -1) @ v",
    "causal_attend": (
        "def causal_attend(q, k, v):\n    T = q.shape[-2]\n    s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])\n"
        "    s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float('-inf'))\n"
        "    return torch.softmax(s, -1) @ v"
    ),
    "padded_attend": (
        "def padded_attend(q, k, v, m):\n    s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])\n"
        "    return torch.softmax(s.masked_fill(~m.bool()[:, None, None, :], float('-inf')), -1) @ v"
    ),
}


def submission(folder, name, fill=None, extra_cell=None):
    nb = json.loads(EX3.read_text())
    for c in nb["cells"]:
        src = "".join(c["source"])
        if src.startswith("# exercise:"):
            c["source"] = {**RIGHT, **(fill or {})}[src.splitlines()[0].split(":")[1].strip()]
    if extra_cell:
        nb["cells"].insert(2, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                               "source": extra_cell})  # fmt: skip
    p = folder / f"{name}.ipynb"
    p.write_text(json.dumps(nb))
    return p


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    pytest.importorskip("nbclient")
    d = tmp_path_factory.mktemp("grade")
    subs = d / "submissions"
    subs.mkdir()
    submission(subs, "ada")
    submission(subs, "bo", {"attend": "from minipre.attention import naive_attention as attend"})
    submission(subs, "cal", extra_cell="while True:\n    pass")  # the notebook itself never ends
    rubric = d / "rubric.json"
    rubric.write_text(json.dumps({"check_attention": 2, "check_causal_mask": 1, "check_padding_mask": 1}))
    r = minipre("grade", str(subs), "--rubric", str(rubric), "--to", str(d / "grades.csv"), "--timeout", "20",
                env=cli_env(), timeout=400)  # fmt: skip
    return d, r


def test_grade_table(graded):
    d, r = graded
    assert r.returncode == 0, r.stderr[-2000:]
    rows = list(csv.DictReader((d / "grades.csv").open()))
    assert len(rows) == 3 * 3  # three students, three checks each, including the ones that never ran
    pts = {s: sum(float(x["points"]) for x in rows if x["student"] == s) for s in ("ada", "bo", "cal")}
    assert pts == {"ada": 4, "bo": 2, "cal": 0}, pts
    said = {(x["student"], x["check"]): x["message"] for x in rows}
    assert (
        "minipre's naive_attention" in said["bo", "check_attention"]
        and "implement it yourself" in said["bo", "check_attention"]
    )
    assert "did not run: the notebook ran past its time limit (20 s)" in said["cal", "check_attention"]
    assert "| ada | 4 | 4 |" in r.stdout


def test_grade_errors_name_the_file(tmp_path):
    r = minipre("grade", str(tmp_path / "none.ipynb"), env=cli_env())
    assert r.returncode == 2 and "none.ipynb: no such notebook or folder" in r.stderr
    (tmp_path / "r.json").write_text('{"attention": 1}')
    (tmp_path / "a.ipynb").write_text(EX3.read_text())
    r = minipre("grade", str(tmp_path / "a.ipynb"), "--rubric", str(tmp_path / "r.json"), env=cli_env())
    assert r.returncode == 2 and "r.json: 'attention' is not a checker's name" in r.stderr
    r = minipre("grade", str(tmp_path / "a.ipynb"), "--to", "grades.xlsx", env=cli_env())
    assert r.returncode == 2 and "--to grades.xlsx must end in .csv or .json" in r.stderr


def test_classroom_workflow_runs_a_command_minipre_accepts():
    "instructors/autograde.yml's grade line parses, and every rubric names the checks its exercise calls."
    import shlex
    import minipre.checks as checks
    from minipre.cli import build_parser
    from minipre.grade import load_rubric

    text = (ROOT / "instructors" / "autograde.yml").read_text()
    line = next(ln.strip() for ln in text.splitlines() if ln.strip().startswith("minipre grade"))
    args = build_parser().parse_args(shlex.split(line.replace("$folder", "ex03/").replace("$ex", "ex03"))[1:])
    assert args.cmd == "grade" and args.rubric == "rubrics/ex03.json"
    from minipre.grade import checks_called

    for nb in sorted((ROOT / "exercises").glob("ex*.ipynb")):
        rubric = load_rubric(ROOT / "instructors" / "rubrics" / f"{nb.name.split('_')[0]}.json")
        assert set(rubric) == set(checks_called(json.loads(nb.read_text()))), nb.name
        assert all(callable(getattr(checks, name, None)) for name in rubric)
