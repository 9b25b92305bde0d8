"""The fault suite: runs killed at random moments, each checkpoint file damaged in turn, a save that hits a file-size
limit. Each time, nothing already saved is lost, and the next run either resumes or says in one line exactly why not
(naming the damaged file and the intact checkpoint to fall back on)."""

import json, random, signal, subprocess, time
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
    for attempt in range(4):
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


@pytest.mark.parametrize("victim", ["model.safetensors", "meta.json", "state.pt", "tokenizer.json", "latest"])
def test_each_damaged_file_is_named_with_the_way_back(tmp_path, victim):
    out = tmp_path / "run"
    assert run(out, 6).returncode == 0  # checkpoints at steps 3 and 6
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
    (out / "latest").write_text("ckpt-0000003")  # follow the advice: the run resumes from the older one
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
