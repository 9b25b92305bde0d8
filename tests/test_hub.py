"""Published models as bodies, from a terminal: `minipre finetune --body FOLDER` on a folder in Hugging Face's layout
(a tiny random model that transformers builds offline, see chapter 4's appendix), `minipre predict` with what it
saved, and a folder that is not what it says refused in one line naming the file."""

import csv, json, random, shutil
import pytest
from conftest import minipre

pytest.importorskip("transformers")
from minipre.hub import make_tiny_hf_folder  # noqa: E402 (after the skip: it builds models with transformers)

GOOD, BAD = ["good", "great", "fine"], ["bad", "awful", "dull"]


def reviews(n: int, seed: int) -> list[tuple[str, str]]:
    "Keyword reviews whose class is in one word of the tiny model's vocabulary."
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = ("neg", "pos")[i % 2]
        words = [rng.choice(GOOD if label == "pos" else BAD)] + rng.sample(["the", "film", "plot", "acting", "it"], 3)
        rng.shuffle(words)
        rows.append((" ".join(words), label))
    return rows


def write_table(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    d = tmp_path_factory.mktemp("hub")
    return d, make_tiny_hf_folder(d / "bert", "bert"), make_tiny_hf_folder(d / "gpt2", "gpt2")


@pytest.mark.parametrize("family", ["bert", "gpt2"])
def test_finetune_and_predict_from_a_published_folder(folders, family, tmp_path):
    d, bert, gpt2 = folders
    body = bert if family == "bert" else gpt2
    train = write_table(tmp_path / "train.csv", reviews(160, 0))
    test = write_table(tmp_path / "test.csv", reviews(40, 1))
    out = tmp_path / "clf"
    r = minipre("finetune", "--body", body, "--labeled", train, "--eval", test, "--out", out, "--lr", "1e-3")
    assert r.returncode == 0, r.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["accuracy"] >= 0.8, metrics  # the class is one word of the tiny vocabulary (chance: 0.5)
    assert metrics["body"] == str(body)
    texts = tmp_path / "new.txt"
    texts.write_text("the film was great\nawful acting\n")
    r = minipre("predict", "--model", out, texts)
    assert r.returncode == 0, r.stderr
    assert [line.split("\t")[0] for line in r.stdout.splitlines()] == ["pos", "neg"], r.stdout


def test_a_folder_that_is_not_what_it_says_is_refused_in_one_line(folders, tmp_path):
    d, bert, gpt2 = folders
    train = write_table(tmp_path / "train.csv", reviews(40, 0))
    cases = {}
    wrong_tok = shutil.copytree(bert, tmp_path / "wrong_tok")
    shutil.copy(gpt2 / "tokenizer.json", wrong_tok / "tokenizer.json")
    cases[wrong_tok] = "tokenizer.json: 300 tokens, but the model's embedding table has"
    no_weights = shutil.copytree(bert, tmp_path / "no_weights")
    (no_weights / "model.safetensors").unlink()
    cases[no_weights] = "no weights here"
    t5 = shutil.copytree(bert, tmp_path / "t5")
    (t5 / "config.json").write_text(json.dumps({**json.loads((bert / "config.json").read_text()), "model_type": "t5"}))
    cases[t5] = "model_type 't5' is not a family minipre rebuilds exactly"
    for body, says in cases.items():
        r = minipre("finetune", "--body", body, "--labeled", train, "--out", tmp_path / f"out-{body.name}")
        err = r.stderr.strip()
        assert r.returncode == 2 and len(err.splitlines()) == 1, err
        assert says in err and str(body) in err, err
