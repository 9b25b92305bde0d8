"""The own-data workflow end to end, on a small labeled table made here: pretrain -> finetune -> predict, with a
three-class task (so the per-class report and confusion matrix are printed), and one-line errors for bad input."""
import csv, json, os, random, subprocess, sys
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent / "minipre"
TOPICS = {"sport": "match goal team coach league season striker keeper",
          "food": "recipe oven flavour spice dinner bake sauce taste",
          "tech": "software laptop chip code server battery screen app"}


def run(*args):
    env = {**os.environ, "MINIPRE_DATA": "", "OMP_NUM_THREADS": "1"}
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, env=env, timeout=900)


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    d = tmp_path_factory.mktemp("own")
    rng = random.Random(0)
    def sentence(topic):
        words = TOPICS[topic].split() + "the a of and with for new this".split()
        return " ".join(rng.choice(words) for _ in range(8))
    rows = [(sentence(t), t) for t in TOPICS for _ in range(60)]
    rng.shuffle(rows)
    for name, part in (("train.csv", rows[:150]), ("test.csv", rows[150:])):
        with open(d / name, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["review", "topic"])
            w.writerows(part)
    (d / "corpus.txt").write_text("\n".join(sentence(rng.choice(list(TOPICS))) for _ in range(1500)))
    (d / "new.txt").write_text("match goal team striker season\nrecipe oven spice sauce dinner\n")
    return d


def test_pretrain_finetune_predict(work):
    r = run("pretrain", "--objective", "mlm", "--data", work / "corpus.txt", "--out", work / "body", "--layers", "1", "--width", "64",
            "--heads", "2", "--block-size", "32", "--batch-size", "16", "--vocab-size", "400", "--steps", "60", "--eval-every", "30",
            "--positions", "rope", "--quiet")
    assert r.returncode == 0, r.stderr
    r = run("finetune", "--body", work / "body", "--labeled", work / "train.csv", "--text-col", "review", "--label-col", "topic",
            "--eval", work / "test.csv", "--out", work / "clf", "--lr", "3e-3")
    assert r.returncode == 0, r.stderr
    assert "confusion matrix" in r.stdout and "precision" in r.stdout, r.stdout    # three classes: the full report
    m = json.loads((work / "clf" / "metrics.json").read_text())
    assert m["labels"] == ["food", "sport", "tech"] and m["n_eval"] == 30 and len(m["confusion"]) == 3
    assert m["accuracy"] > 0.5, m                                                   # the topics are easy to tell apart
    r = run("predict", "--model", work / "clf", work / "new.txt")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 2 and all(l.split("\t")[0] in TOPICS for l in lines), lines   # names, not ids
    r = run("predict", "--model", work / "clf", work / "test.csv", "--text-col", "review", "--to", work / "out.csv")
    assert r.returncode == 0, r.stderr
    out = list(csv.DictReader(open(work / "out.csv")))
    assert len(out) == 30 and {o["label"] for o in out} <= set(TOPICS)


def test_finetune_from_scratch(work):
    r = run("finetune", "--scratch", "--labeled", work / "train.csv", "--text-col", "review", "--label-col", "topic",
            "--out", work / "scratch", "--layers", "1", "--width", "32", "--heads", "2", "--vocab-size", "400")
    assert r.returncode == 0, r.stderr
    assert (work / "scratch" / "metrics.json").exists()


@pytest.mark.parametrize("args,says", [
    (["finetune", "--body", "{w}/nowhere", "--labeled", "{w}/train.csv", "--text-col", "review", "--label-col", "topic",
      "--out", "{w}/x"], "nowhere: not a checkpoint folder"),
    (["finetune", "--scratch", "--labeled", "{w}/train.csv", "--out", "{w}/x"], "no column 'text'"),
    (["finetune", "--scratch", "--labeled", "{w}/train.csv", "--text-col", "review", "--label-col", "topic", "--out", "{w}/x",
      "--epochs", "0"], "--epochs"),
    (["finetune", "--labeled", "{w}/train.csv", "--out", "{w}/x"], "--body"),
    (["predict", "--model", "{w}/body", "{w}/new.txt"], "not a fine-tuned classifier"),
    (["predict", "--model", "{w}/nowhere", "{w}/new.txt"], "not a checkpoint folder"),
    (["predict", "--model", "{w}/clf", "{w}/missing.txt"], "missing.txt: no such file"),
])
def test_bad_input_one_line(work, args, says):
    if not (work / "clf").exists() or not (work / "body").exists():
        pytest.skip("needs the models of test_pretrain_finetune_predict")
    r = run(*[a.replace("{w}", str(work)) for a in args])
    err = r.stderr.strip()
    assert r.returncode == 2 and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert says in err, err
