"""Every user mistake at the command line gets one line on stderr, exit status 2, no traceback, and a message that
names the offending thing (the flag as typed, the file, the row, the value). Table-driven: one row per case."""

import pytest
from minipre.cli import main
from conftest import tiny

T = "pretrain"
TINY = tiny(steps=2, eval_every=2, quiet=True)


def files(d):
    "Bad and good input files of the kinds people bring: made fresh in each test's folder."
    (d / "empty.txt").write_text("")
    (d / "nothing").mkdir()
    (d / "nothing" / "notes.md").write_text("not a corpus")
    (d / "tiny.txt").write_text("just a few words here\n")
    (d / "nocol.csv").write_text("review,stars\nfine,1\nbad,0\n")
    (d / "nulltext.jsonl").write_text('{"text": "a document"}\n{"text": null}\n')
    rows = "".join(f"good movie {i},1\nbad movie {i},0\n" for i in range(20))
    (d / "good.csv").write_text("text,label\n" + rows)
    (d / "one.csv").write_text("text,label\n" + "".join(f"good {i},1\n" for i in range(10)))
    (d / "neg.csv").write_text("text,label\n" + rows + "unlabeled row,-1\n")
    (d / "mixed.csv").write_text("text,label\n" + rows + "odd row,pos\n")
    (d / "labels.txt").write_text("good\nbad\n")
    (d / "afile").write_text("I am a file")
    (d / "run").mkdir()
    (d / "run" / "latest").write_text("")
    (d / "bad.jsonl").write_text('{"text": "ok", "label": 0}\n{"text": "fine", "label": 1\n')


CASES = [  # (argv, text that the one-line message must contain); {d} is the test's folder
    ([T, "--objective", "clm", "--out", "{d}/o", "--steps", "0"], "--steps"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--steps", "-5"], "--steps"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--steps", "many"], "--steps"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--lr", "0"], "--lr"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--lr", "-0.1"], "--lr"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--lr", "nan"], "--lr"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--batch-size", "0"], "--batch-size"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--block-size", "1"], "--block-size"),
    ([T, "--objective", "mlm", "--out", "{d}/o", "--block-size", "2"], "--block-size"),
    ([T, "--objective", "mlm", "--out", "{d}/o", "--mask-rate", "0"], "--mask-rate"),
    ([T, "--objective", "mlm", "--out", "{d}/o", "--mask-rate", "1.5"], "--mask-rate"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--vocab-size", "0"], "--vocab-size"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--layers", "0"], "--layers"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--width", "0"], "--width"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--heads", "0"], "--heads"),
    (
        [T, "--objective", "clm", "--out", "{d}/o", "--width", "100", "--heads", "3"],
        "--width 100 is not divisible by --heads 3",
    ),
    ([T, "--objective", "clm", "--out", "{d}/o", "--warmup", "-1"], "--warmup"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--eval-every", "0"], "--eval-every"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--threads", "0"], "--threads"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--max-minutes", "0"], "--max-minutes"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--muon-lr", "-1"], "--muon-lr"),
    (
        [T, "--objective", "clm", "--out", "{d}/o", "--optimizer", "muon", "--strategy", "fsdp"],
        "--optimizer muon needs whole matrices",
    ),
    ([T, "--objective", "clm", "--out", "{d}/o", "--seed", "-1"], "--seed"),
    ([T, "--objective", "clm", "--out", "{d}/afile"], "afile is an existing file"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--corpus", "{d}/no/such/place"], "no/such/place"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--corpus", "{d}/empty.txt"], "empty.txt: file is empty"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--corpus", "{d}/nothing"], "nothing: no .txt"),
    ([T, "--objective", "mlm", "--out", "{d}/o", "--tokenizer", "char"], "--tokenizer bpe"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--corpus", "{d}/tiny.txt", *TINY], "too few for blocks of 16"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--corpus", "{d}/nocol.csv", *TINY], "nocol.csv: no column 'text'"),
    ([T, "--objective", "clm", "--out", "{d}/o", "--corpus", "{d}/nulltext.jsonl", *TINY], "nulltext.jsonl, line 2"),
    (
        [T, "--objective", "clm", "--out", "{d}/o", "--corpus", "{d}/bad.jsonl", *TINY],
        "bad.jsonl, line 2: not valid JSON",
    ),
    ([T, "--objective", "clm", "--out", "{d}/run", *TINY], "latest is empty"),
    (["transfer", "--sizes", "1", "--out", "{d}/t"], "--sizes"),
    (["transfer", "--sizes", "100,lots", "--out", "{d}/t"], "--sizes"),
    (["transfer", "--seeds", "0", "--out", "{d}/t"], "--seeds"),
    (["transfer", "--minutes", "0", "--out", "{d}/t"], "--minutes"),
    (["transfer", "--preset", "synthetic", "--labeled", "{d}/no/such.csv", "--out", "{d}/t"], "no/such.csv"),
    (["transfer", "--preset", "synthetic", "--labeled", "{d}/one.csv", "--out", "{d}/t"], "single class"),
    (["transfer", "--preset", "synthetic", "--labeled", "{d}/neg.csv", "--out", "{d}/t"], "label -1 is negative"),
    (["transfer", "--preset", "synthetic", "--labeled", "{d}/mixed.csv", "--out", "{d}/t"], "mix numbers"),
    (
        ["transfer", "--preset", "synthetic", "--labeled", "{d}/labels.txt", "--out", "{d}/t"],
        "labels.txt: labeled data needs a table",
    ),
    (
        ["transfer", "--preset", "synthetic", "--labeled", "{d}/good.csv", "--label-col", "stars", "--out", "{d}/t"],
        "no column 'stars'",
    ),
    (["transfer", "--preset", "synthetic", "--out", "{d}/afile"], "afile is an existing file"),
    (["transfer", "--preset", "gigantic"], "--preset"),
    (["demo", "--corpus", "{d}/no/such/place"], "no/such/place"),
    (["demo", "--vocab-size", "0"], "--vocab-size"),
    (["demo", "--data", "{d}", "--pipeline-only"], "no movie_reviews_unlabeled/ folder there"),  # not a silent fallback
    (["flyaway"], "flyaway"),
]


@pytest.mark.parametrize(
    "argv,says", CASES, ids=[f"{i:02d}-{' '.join(a[:1] + a[-2:])}" for i, (a, _) in enumerate(CASES)]
)
def test_bad_input_is_one_clear_line(tmp_path, capsys, monkeypatch, argv, says):
    monkeypatch.setenv("MINIPRE_DATA", "")
    monkeypatch.chdir(tmp_path)
    files(tmp_path)
    argv = [a.replace("{d}", str(tmp_path)) for a in argv]
    says = says.replace("{d}", str(tmp_path))
    try:
        rc = main(argv)
    except SystemExit as e:  # argparse's own errors exit from inside parse_args
        rc = e.code
    err = capsys.readouterr().err.strip()
    assert rc == 2, (rc, err)
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert says in err, err
    for word in ("block_size", "batch_size", "mask_rate", "vocab_size", "max_seconds", "eval_every"):
        assert word not in err, f"the message names the Python keyword {word!r}: {err}"


def test_the_table_is_large_enough():
    assert len(CASES) >= 40


def test_the_older_data_flag_still_names_the_text(tmp_path, capsys, monkeypatch):
    "`pretrain --data FILE` (before --corpus existed) still reads FILE, and says to write --corpus."
    monkeypatch.setenv("MINIPRE_DATA", "")
    files(tmp_path)
    rc = main(["pretrain", "--objective", "clm", "--out", str(tmp_path / "o"), "--data", str(tmp_path / "empty.txt")])
    err = capsys.readouterr().err
    assert rc == 2 and f"write --corpus {tmp_path / 'empty.txt'}" in err and "empty.txt: file is empty" in err, err


def test_a_data_folder_is_a_folder_whatever_it_holds(tmp_path, capsys):
    "`--data` naming a data folder (any registered source in it, not only tiny Shakespeare) is the folder, silently."
    from argparse import Namespace
    from minipre.cli import corpus_and_folder

    (tmp_path / "sst2").mkdir()
    assert corpus_and_folder(Namespace(corpus=None, data=str(tmp_path))) == ("synthetic", str(tmp_path))
    assert corpus_and_folder(Namespace(corpus="imdb-unlabeled", data=str(tmp_path))) == (
        "imdb-unlabeled",
        str(tmp_path),
    )
    assert capsys.readouterr().err == ""
