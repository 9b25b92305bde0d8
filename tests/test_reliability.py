"""Reliability by category: tables written by the csv module come back exactly (property-based, with quotes, commas,
line breaks, every Unicode line separator, byte-order marks and empty cells); one writer per run folder; a classifier
never lands in a pretraining run's folder; a transfer re-run with another labeled set is refused."""

import csv
import io
import signal
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minipre.data import is_number_label, label_names, load_labeled, read_rows
from conftest import BIN, cli_env, minipre, tiny

TINY = tiny(quiet=True, threads=1)
SEPARATORS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

# texts with everything a table's cells hold in the wild; NUL is refused on purpose (a binary file)
cell_text = st.text(
    st.one_of(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), st.sampled_from(SEPARATORS)),
    max_size=40,
)
# class names: the loader's own rule (is_number_label) decides what reads as a number, so no name drawn here is one
label_text = st.text(st.characters(whitelist_categories=("L", "N", "P", "Zs")), min_size=1, max_size=12).filter(
    lambda s: s == s.strip() and s and not is_number_label(s)
)


run = minipre


def write_table(path: Path, rows, delimiter: str, encoding: str):
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter).writerows([["text", "label"], *rows])
    path.write_bytes(buf.getvalue().encode(encoding))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(cell_text, min_size=1, max_size=8),
    suffix=st.sampled_from([".csv", ".tsv"]),
    delimiter=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_every_cell_comes_back_exactly(tmp_path, texts, suffix, delimiter, encoding):
    path = tmp_path / f"t{suffix}"
    rows = [[t, str(i % 3)] for i, t in enumerate(texts)]
    write_table(path, rows, "\t" if suffix == ".tsv" else delimiter, encoding)
    back = read_rows(path)
    kept = [r for r in rows if r[0].strip() or r[1].strip()]  # rows of blank cells only are skipped, as blank lines
    assert [(r["text"], r["label"]) for r in back] == [tuple(r) for r in kept]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(label_text, min_size=2, max_size=4, unique=True),
    texts=st.lists(cell_text.filter(str.strip), min_size=6, max_size=12),
    suffix=st.sampled_from([".csv", ".tsv", ".jsonl"]),
)
def test_labels_and_texts_survive_load_labeled(tmp_path, names, texts, suffix):
    path = tmp_path / f"t{suffix}"
    rows = [(t, names[i % len(names)]) for i, t in enumerate(texts)]
    if suffix == ".jsonl":
        import json

        path.write_text("".join(json.dumps({"text": t, "label": y}) + "\n" for t, y in rows))
    else:
        write_table(path, rows, "\t" if suffix == ".tsv" else ",", "utf-8")
    dd = load_labeled(path, val_frac=0.3)
    got = {(t, label_names(dd)[y]) for split in dd.values() for t, y in zip(split["text"], split["label"])}
    assert got == set(rows)
    assert sorted(label_names(dd)) == sorted(names)


def test_a_second_writer_is_refused_while_the_first_runs(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(f"the cat sat on mat number {i} and purred" for i in range(400)))
    out = tmp_path / "run"
    args = ["pretrain", "--objective", "clm", "--corpus", corpus, "--out", out, *TINY, "--eval-every", "50"]
    first = subprocess.Popen(
        [str(BIN / "minipre"), *map(str, args), "--steps", "100000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=cli_env(),
    )
    try:
        for _ in range(600):
            if (out / ".lock").exists() and (out / ".lock").stat().st_size:
                break
            time.sleep(0.1)
        second = run(*args, "--steps", "10")
        err = second.stderr.strip()
        assert second.returncode == 2 and len(err.splitlines()) == 1, err
        assert f"in use by pid {first.pid}" in err, err
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # the killed run's lock is stale: the next run takes it over, says so, and resumes or starts
    again = run(*args, "--steps", "10")
    assert again.returncode == 0, again.stderr
    assert f"stale lock of pid {first.pid}" in again.stderr
    assert not (out / ".lock").exists()


def test_a_classifier_never_lands_in_a_pretraining_folder(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(f"good film number {i} . bad film number {i} ." for i in range(300)))
    table = tmp_path / "t.csv"
    table.write_text("text,label\n" + "".join(f"good film {i},1\nbad film {i},0\n" for i in range(30)))
    body = tmp_path / "body"
    r = run(
        "pretrain", "--objective", "mlm", "--corpus", corpus, "--out", body, *TINY, "--steps", "4", "--eval-every", "2"
    )
    assert r.returncode == 0, r.stderr
    before = sorted(p.name for p in body.iterdir())
    r = run("finetune", "--body", body, "--labeled", table, "--out", body)
    assert r.returncode == 2 and "holds a pretraining run" in r.stderr, r.stderr
    assert sorted(p.name for p in body.iterdir()) == before  # nothing written, nothing rotated away
    # a refused command leaves no empty folder behind
    r = run("finetune", "--body", body, "--labeled", tmp_path / "missing.csv", "--out", tmp_path / "new")
    assert r.returncode == 2 and not (tmp_path / "new").exists(), r.stderr


@pytest.mark.parametrize(
    "args,says",
    [
        (["pretrain", "--objective", "clm", "--out", "{t}/o", "--steps", "1000000000000"], "--steps must be"),
        (["pretrain", "--objective", "clm", "--out", "{t}/o", "--seed", "99999999999999999999"], "--seed"),
        (["pretrain", "--objective", "clm", "--out", "{t}/o", "--threads", "100000"], "--threads"),
        (["pretrain", "--objective", "clm", "--out", "{t}/o", "--width", "10000000"], "--width"),
        (
            ["finetune", "--scratch", "--labeled", "{t}/t.csv", "--out", "{t}/o", "--batch-size", "10000000"],
            "--batch-size",
        ),
        (["predict", "--model", "{t}/nowhere", "{t}/t.csv", "--to", "{t}/no/such/folder.csv"], "--to"),
    ],
)
def test_settings_are_checked_at_the_door(tmp_path, args, says):
    (tmp_path / "t.csv").write_text("text,label\n" + "".join(f"good {i},1\nbad {i},0\n" for i in range(20)))
    r = run(*[a.replace("{t}", str(tmp_path)) for a in args])
    err = r.stderr.strip()
    assert r.returncode == 2 and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert says in err, err
    assert not (tmp_path / "o").exists()
