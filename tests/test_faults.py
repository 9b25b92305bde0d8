"""The fault suite: runs killed at random moments, each checkpoint file damaged in turn, a save that hits a file-size
limit. Each time, nothing already saved is lost, and the next run either resumes or says in one line exactly why not
(naming the damaged file and the intact checkpoint to fall back on)."""

import json, random, shutil, signal, subprocess, time
from pathlib import Path
import pytest
from conftest import BIN, cli_env, minipre, tiny

ARGS = ["pretrain", "--objective", "clm", *tiny(width=64, eval_every=3, quiet=True, threads=1)]


def run(out, steps, prefix=()):
    return minipre(*ARGS, "--out", out, "--steps", steps, prefix=prefix)


def intact(out) -> Path:
    "The checkpoint `latest` points at, checked to load: meta parses, the weights open, the step matches its name."
    from safetensors.torch import load_file

    ck = Path(out) / (Path(out) / "latest").read_text().strip()
    meta = json.loads((ck / "meta.json").read_text())
    load_file(str(ck / "model.safetensors"))
    assert ck.name == f"ckpt-{meta['step']:07d}"
    return ck


def test_killed_at_random_moments_never_loses_a_checkpoint(tmp_path):
    out, rng = tmp_path / "run", random.Random(0)
    assert run(out, 3).returncode == 0  # one checkpoint to lose, if anything could lose it
    for attempt in range(3):  # three kills at seeded moments: imports, training, saving
        p = subprocess.Popen(
            [str(BIN / "minipre"), *ARGS, "--out", str(out), "--steps", "400"],
            env=cli_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(2.5, 7.0))  # after imports, somewhere in training or saving
        p.send_signal(signal.SIGKILL)
        p.wait()
        ck = intact(out)  # `latest` is whole and points at a whole checkpoint
        print(f"kill {attempt}: latest = {ck.name}")
    r = run(out, int(intact(out).name.split("-")[1]) + 3)  # the next run resumes and finishes
    assert r.returncode == 0, r.stderr
    assert not list(out.glob(".tmp-*")) and not list(out.glob(".latest.*"))  # leftovers of killed saves are gone


@pytest.fixture(scope="module")
def six_steps(tmp_path_factory):
    "A run of six steps, checkpoints at steps 3 and 6: trained once, copied for each test that damages it."
    out = tmp_path_factory.mktemp("faults") / "run"
    assert run(out, 6).returncode == 0
    return out


@pytest.mark.parametrize("victim", ["model.safetensors", "meta.json", "state.pt", "tokenizer.json", "latest"])
def test_each_damaged_file_is_named_with_the_way_back(tmp_path, six_steps, victim, runslow):
    out = tmp_path / "run"
    shutil.copytree(six_steps, out)
    newest = out / (out / "latest").read_text().strip()
    target = out / "latest" if victim == "latest" else newest / victim
    raw = target.read_bytes()
    target.write_bytes(raw[: len(raw) // 3] if victim != "latest" else b"")
    r = run(out, 9)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert (victim if victim != "latest" else "latest is empty") in err, err
    fallback = "ckpt-0000006" if victim == "latest" else "ckpt-0000003"  # an empty `latest`: both are whole
    assert f"{fallback} is intact" in err and f"echo {fallback}" in err, err
    if victim in ("latest", "model.safetensors") or runslow:  # the advice followed: the same resume from ckpt-0000003
        (out / "latest").write_text(
            "ckpt-0000003"
        )  # whichever file of the newer one was damaged (make test-slow: each)
        r = run(out, 9)
        assert r.returncode == 0, r.stderr


def test_a_save_that_hits_a_file_size_limit_keeps_the_last_checkpoint(tmp_path):
    out = tmp_path / "run"
    assert run(out, 3).returncode == 0
    before = intact(out)
    r = run(out, 9, prefix=("bash", "-c", 'ulimit -f 64; exec "$@"', "limit"))  # 64 KiB: less than one weights file
    assert r.returncode == 2, (r.returncode, r.stderr)
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and "could not save the checkpoint of step 6" in err, err
    assert str(before) in err  # says which checkpoint is still there
    assert intact(out) == before and not list(out.glob(".tmp-*"))
    r = run(out, 9)  # without the limit the run goes on from step 3
    assert r.returncode == 0 and "done: 9 steps" in r.stdout, r.stderr


def test_a_lock_that_cannot_be_written_is_one_line(tmp_path):
    "No room for even the lock file's few bytes (a disk full to the last byte, here a zero file-size limit): one line."
    code = (
        "import sys, resource, signal\n"
        "from minipre.checkpoint import CheckpointError, folder_lock\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"  # a write past the limit fails (EFBIG) instead of killing us
        "resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n"
        "try:\n"
        "    with folder_lock(sys.argv[1]):\n"
        "        print('held')\n"
        "except CheckpointError as e:\n"
        "    print('refused:', e)\n"
    )
    r = subprocess.run([str(BIN / "python"), "-c", code, str(tmp_path / "run")], capture_output=True, text=True)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert r.stdout.startswith("refused:") and "cannot be written" in r.stdout, r.stdout
