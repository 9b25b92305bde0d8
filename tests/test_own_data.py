"""The own-data workflow end to end, on a small labeled table made here: pretrain -> finetune -> predict -> export (the
README's five commands), with a three-class task (so the per-class report and confusion matrix are printed), logs that
TensorBoard reads, the exported folder run by `transformers`, and one-line errors for bad input."""

import csv, json, random
import pytest
from conftest import minipre, tiny

TOPICS = {
    "sport": "match goal team coach league season striker keeper",
    "food": "recipe oven flavour spice dinner bake sauce taste",
    "tech": "software laptop chip code server battery screen app",
}


def run(*args):
    return minipre(*args, timeout=900)


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


LABELED = ["--text-col", "review", "--label-col", "topic"]


@pytest.fixture(scope="module")
def trained(work):
    """The README's first two commands, run once for every test that needs their folders: a masked-LM body on the
    corpus (TensorBoard logs too), then a classifier fine-tuned from it. Returns the two runs' results."""
    body = tiny(width=64, block=32, batch=16, vocab=400, steps=60, eval_every=30, quiet=True, log="tensorboard")
    pre = run("pretrain", "--objective", "mlm", "--corpus", work / "corpus.txt", "--out", work / "body", *body)
    assert pre.returncode == 0, pre.stderr
    args = ["--body", work / "body", "--labeled", work / "train.csv", *LABELED, "--eval", work / "test.csv"]
    ft = run("finetune", *args, "--out", work / "clf", "--lr", "3e-3", "--log", "tensorboard", "--pooling", "first")
    assert ft.returncode == 0, ft.stderr
    return pre, ft


@pytest.fixture(scope="module")
def scratch(work):
    "A classifier fine-tuned from scratch (mean pooling), made once."
    model = ["--layers", "1", "--width", "32", "--heads", "2", "--vocab-size", "400"]
    r = run("finetune", "--scratch", "--labeled", work / "train.csv", *LABELED, "--out", work / "scratch", *model)
    assert r.returncode == 0, r.stderr
    return work / "scratch"


def test_pretrain_finetune_predict(work, trained):
    _, ft = trained
    assert list((work / "body" / "tensorboard").glob("events.out.tfevents.*")), "no TensorBoard event file"
    assert len((work / "body" / "metrics.jsonl").read_text().splitlines()) == 60
    assert "confusion matrix" in ft.stdout and "precision" in ft.stdout, ft.stdout  # three classes: the full report
    m = json.loads((work / "clf" / "metrics.json").read_text())
    assert m["labels"] == ["food", "sport", "tech"] and m["n_eval"] == 30 and len(m["confusion"]) == 3
    assert m["accuracy"] > 0.5, m  # the topics are easy to tell apart
    r = run("predict", "--model", work / "clf", work / "new.txt")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 2 and all(l.split("\t")[0] in TOPICS for l in lines), lines  # names, not ids
    r = run("predict", "--model", work / "clf", work / "test.csv", "--text-col", "review", "--to", work / "out.csv")
    assert r.returncode == 0, r.stderr
    out = list(csv.DictReader(open(work / "out.csv")))
    assert len(out) == 30 and {o["label"] for o in out} <= set(TOPICS)
    steps = [json.loads(l)["step"] for l in (work / "clf" / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, m["steps"] + 1)), steps  # the fine-tuning run, one line a step
    assert list((work / "clf" / "tensorboard").glob("events.out.tfevents.*"))


def test_export_runs_in_transformers(work, trained):
    "The exported classifier, run by transformers alone, labels the texts as minipre predict does (5th README command)."
    transformers = pytest.importorskip("transformers")
    import torch

    r = run("export", "--model", work / "clf", "--to", work / "hf-clf")
    assert r.returncode == 0, r.stderr
    assert "XLMRobertaXLForSequenceClassification" in r.stdout, r.stdout  # a pre-norm encoder with learned positions
    model = transformers.AutoModelForSequenceClassification.from_pretrained(work / "hf-clf").eval()
    tok = transformers.AutoTokenizer.from_pretrained(work / "hf-clf")
    texts = (work / "new.txt").read_text().splitlines()
    with torch.no_grad():
        ids = model(**tok(texts, return_tensors="pt", padding=True)).logits.argmax(-1).tolist()
    ours = [
        l.split("\t")[0] for l in run("predict", "--model", work / "clf", work / "new.txt").stdout.strip().splitlines()
    ]
    assert [model.config.id2label[i] for i in ids] == ours
    card = (work / "hf-clf" / "README.md").read_text()
    assert "AutoModelForSequenceClassification" in card and "accuracy" in card, card
    r = run("export", "--model", work / "body", "--to", work / "hf-body")  # the pretrained body: a masked LM
    assert r.returncode == 0, r.stderr
    mlm = transformers.AutoModelForMaskedLM.from_pretrained(work / "hf-body")
    from minipre.checkpoint import load_model

    assert mlm.config.vocab_size == load_model(work / "body")[0].config.vocab_size
    assert "objective mlm" in (work / "hf-body" / "README.md").read_text()


def test_finetune_from_scratch(scratch):
    assert (scratch / "metrics.json").exists() and (scratch / "latest").exists()


def test_transfer_on_a_three_class_table(work):
    """`minipre transfer` on the user's own corpus and table: three classes, so macro F1 is reported next to accuracy;
    the evaluation split is carved from the table, and a second call resumes instead of training again."""
    args = ["transfer", "--preset", "synthetic", "--corpus", work / "corpus.txt", "--labeled", work / "train.csv"]
    # one seed and seconds of pretraining: what is tested is the three-class report and resuming, not the numbers
    args += [*LABELED, "--sizes", "15,45", "--seeds", "1", "--minutes", "0.05", "--out", work / "transfer", "--quiet"]
    r = run(*args)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "**macro F1**" in r.stdout and "most common class" in r.stdout, r.stdout
    res = json.loads((work / "transfer" / "results.json").read_text())
    assert sorted(res["label_names"]) == sorted(TOPICS) and len(res["eval_counts"]) == 3
    assert {(x["start"], x["n"]) for x in res["runs"]} == {(s, n) for s in ("scratch", "mlm", "clm") for n in (15, 45)}
    assert all(0 <= x["macro_f1"] <= 1 for x in res["runs"] + res["tfidf"])
    assert (work / "transfer" / "transfer.png").stat().st_size > 10_000
    again = run(*args)
    assert again.returncode == 0, again.stderr[-3000:]
    resumed = json.loads((work / "transfer" / "results.json").read_text())
    assert resumed["runs"] == res["runs"]  # nothing re-run
    rows = list(csv.reader(open(work / "train.csv", newline="")))
    rows[1][1] = "food" if rows[1][1] != "food" else "tech"  # one label changed: another labeled set
    with open(work / "other.csv", "w", newline="") as f:
        csv.writer(f).writerows(rows)
    other = run(*[work / "other.csv" if a == work / "train.csv" else a for a in args])
    assert other.returncode == 2 and "holds results for another labeled set" in other.stderr, other.stderr[-3000:]


L = "--text-col review --label-col topic"


@pytest.mark.parametrize(
    "args,says",
    [
        (
            f"finetune --body {{w}}/nowhere --labeled {{w}}/train.csv {L} --out {{w}}/x",
            "nowhere: not a checkpoint folder",
        ),
        ("finetune --scratch --labeled {w}/train.csv --out {w}/x", "no column 'text'"),
        (f"finetune --scratch --labeled {{w}}/train.csv {L} --out {{w}}/x --epochs 0", "--epochs"),
        ("finetune --labeled {w}/train.csv --out {w}/x", "--body"),
        ("predict --model {w}/body {w}/new.txt", "not a fine-tuned classifier"),
        ("predict --model {w}/nowhere {w}/new.txt", "not a checkpoint folder"),
        ("predict --model {w}/clf {w}/missing.txt", "missing.txt: no such file"),
        ("export --model {w}/nowhere --to {w}/e1", "not a checkpoint folder"),
        ("export --model {w}/clf --to {w}", "is not an empty folder"),
        ("export --model {w}/clf --to {w}/train.csv", "is not an empty folder"),
        ("export --model {w}/scratch --to {w}/e2", "--pooling first"),  # mean pooling: no HF head does it
        ("export --model {w}/clf", "--to"),
    ],
)
def test_bad_input_one_line(work, trained, scratch, args, says):
    r = run(*args.replace("{w}", str(work)).split())
    err = r.stderr.strip()
    assert r.returncode == 2 and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert says in err, err


@pytest.mark.parametrize("method", ["probe", "prompt", "lora"])
def test_finetune_recipes_that_reuse_the_body(work, trained, method):
    """`minipre finetune --method probe|prompt|lora` from the masked-LM body on the three-class table: the recipe is
    kept in metrics.json (the probe's strength, the prompt's label words, one per class) and the classifier predicts
    (LoRA's merged into plain weights)."""
    args = ["--body", work / "body", "--labeled", work / "train.csv", *LABELED, "--eval", work / "test.csv"]
    out = work / f"clf-{method}"
    r = run("finetune", *args, "--out", out, "--method", method, "--lr", "3e-3", "--prompt", " topic:")
    assert r.returncode == 0, r.stderr
    m = json.loads((out / "metrics.json").read_text())
    assert m["method"] == method, m
    if method == "probe":
        assert m["steps"] == 0 and m["ended"] == "fitted" and m["probe_c"] > 0, m
    elif method == "prompt":
        assert len(m["label_words"]) == 3 and len(set(m["label_words"])) == 3, m
    else:
        assert m["steps"] > 0 and "merged into the weights" in r.stdout, r.stdout
    assert m["accuracy"] > 0.5, m  # the topics are easy, and both recipes read the body's features
    p = run("predict", "--model", out, work / "new.txt")
    assert p.returncode == 0 and len(p.stdout.strip().splitlines()) == 2, p.stderr


def test_prompt_needs_a_language_model(work, trained):
    r = run(
        "finetune", "--scratch", "--labeled", work / "train.csv", *LABELED, "--out", work / "x", "--method", "prompt"
    )
    assert r.returncode == 2 and "give a body" in r.stderr, r.stderr
    lo = run(
        "finetune", "--scratch", "--labeled", work / "train.csv", *LABELED, "--out", work / "y", "--method", "lora"
    )
    assert lo.returncode == 2 and "--method lora: adapts a pretrained body" in lo.stderr, lo.stderr
    bad = run(
        "finetune", "--body", work / "body", "--labeled", work / "train.csv", *LABELED, "--out", work / "z",
        "--method", "prompt", "--label-words", "match,recipe",
    )  # fmt: skip
    assert bad.returncode == 2 and "--label-words gives 2 words for 3 classes" in bad.stderr, bad.stderr
