"End-to-end tests of the `minipre` console script."

import os
import pytest
from conftest import minipre, tiny


def run(*args, **env):
    "The console script in the caller's environment, with `env` changed (these tests choose MINIPRE_DATA)."
    return minipre(*args, env={**os.environ, **env})


def test_help_lists_commands():
    r = run("--help")
    assert r.returncode == 0 and "demo" in r.stdout


def test_demo_pipeline_runs_offline_on_synthetic(tmp_path):
    r = run("demo", "--corpus", "synthetic", "--pipeline-only", MINIPRE_DATA="")
    assert r.returncode == 0, r.stderr
    assert "masked-LM batch" in r.stdout and "next-token batch" in r.stdout


def test_demo_bad_corpus_is_one_line_error():
    r = run("demo", "--corpus", "/definitely/not/here")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "/definitely/not/here" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_demo_real_data_when_present(root):
    data = root.parent / "shared" / "data"
    if not (data / "movie_reviews_unlabeled").is_dir():
        pytest.skip("no shared/data beside the project")
    r = run("demo", "--pipeline-only", MINIPRE_DATA=str(data))
    assert r.returncode == 0, r.stderr
    assert "imdb-unlabeled" in r.stdout


def test_pretrain_resumes_and_bad_arguments_are_one_line(tmp_path):
    args = ["pretrain", "--objective", "mlm", "--out", tmp_path / "b", *tiny(block=32, eval_every=2, quiet=True)]
    args += ["--optimizer", "muon"]  # Muon's state goes through the checkpoint too
    r = run(*args, "--steps", "2", MINIPRE_DATA="")
    assert r.returncode == 0, r.stderr
    r = run(*args, "--steps", "4", MINIPRE_DATA="")
    assert r.returncode == 0 and "done: 4 steps" in r.stdout, r.stdout + r.stderr
    r = run("pretrain", "--objective", "mlm", "--out", tmp_path / "c", "--mask-rate", "2")
    assert r.returncode == 2 and "mask-rate" in r.stderr and "Traceback" not in r.stderr
