"""The offline main job, recorded: `minipre transfer --preset synthetic` (what `make demo` runs without a data folder).

    python -m benchmarks.synthetic_demo [--out runs/transfer-synthetic]

Runs the synthetic preset under the protocol of chapter 10 (both objectives pretrained on the synthetic language, then
every start choosing its recipe on a carved split at N = 30, 100, 300), times it, copies results.json to
docs/transfer-synthetic.json and writes the RESULTS.md section from it (`--record-only`: only the section). Run it with
nothing else on the machine.
"""

import argparse, datetime, json, os, platform, shutil, time
from pathlib import Path

from minipre.files import atomic_write
from benchmarks.results import write_section

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "docs" / "transfer-synthetic.json"
TITLE = "Transfer on the synthetic language (offline demo)"


def section(rec: dict) -> str:
    "The RESULTS.md section, every figure rendered from the record."
    from minipre.transfer import chosen_recipes, format_table, recipe_scores

    pre = rec["pretraining"]
    steps = ", ".join(f"{o} {p['steps']} steps ({p['minutes']:.1f} min)" for o, p in pre.items())
    scored = [s for s in ("clm", "mlm") if any(t["start"] == s for t in rec["tuning"])]
    sizes = sorted({t["n"] for t in rec["tuning"]})
    full = [n for n in sizes if all(t["best_val_acc"] == 1.0 for t in rec["tuning"] if t["n"] == n)]
    capped = sorted({r["n"] for r in rec["runs"] if r.get("ended") in ("step cap", "epoch limit")})
    caveat = (
        "Not a clean lesson yet: "
        + (
            f"at N = {', '.join(map(str, full))} every candidate of every start scored 100% on its carved split, so "
            "the split cannot tell recipes apart (the training sentences use three adjectives per class, which every "
            "recipe learns); "
            if full
            else ""
        )  # fmt: skip
        + (
            f"runs at N = {', '.join(map(str, capped))} ended at their step or epoch budget instead of by early "
            "stopping (on a carved split at 100% only the loss can still improve, and it keeps falling). "
            if capped
            else ""
        )  # fmt: skip
        + "A harder synthetic task is the fix; it is not built yet."
    )
    return "\n\n".join(
        [
            f"Recorded {rec['date']}: {rec['machine']}, nothing else running. Command: `{rec['command']}` (the "
            "section: `python -m benchmarks.synthetic_demo --record-only`). Record: `docs/transfer-synthetic.json`. "
            f"Single run of the pipeline, {rec['wall_minutes']:.1f} minutes end to end.",
            f"Pretraining on the synthetic language: {steps}. The labeled sentences of training use only 3 of the 12 "
            "sentiment adjectives per class; the evaluation sentences use all 12. Accuracy (%), mean ± std over seeds:",
            format_table(rec),
            "The recipe each start chose on its carved split:",
            "\n".join(chosen_recipes(rec)),
            *[
                p
                for s in scored
                for p in (
                    f"What the {s} start chose from (carved-split accuracy, %; the chosen one in bold):",
                    "\n".join(recipe_scores(rec, s)),
                )
            ],
            caveat if full or capped else "",
        ]
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/transfer-synthetic")
    ap.add_argument("--record-only", action="store_true")
    a = ap.parse_args()
    if not a.record_only:
        import torch
        from minipre.transfer import transfer_pipeline

        torch.set_num_threads(2)
        shutil.rmtree(a.out, ignore_errors=True)  # a fresh run: its time is the record's
        t0 = time.perf_counter()
        res = transfer_pipeline("synthetic", a.out, progress=False)
        rec = res.record.to_dict()
        rec["wall_minutes"] = (time.perf_counter() - t0) / 60
        rec["date"] = datetime.date.today().isoformat()
        rec["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, 2 threads"
        rec["command"] = "python -m benchmarks.synthetic_demo"
        atomic_write(RECORD, json.dumps(rec, indent=1))
    rec = json.loads(RECORD.read_text())
    body = section(rec)
    print(body)
    write_section(TITLE, body)


if __name__ == "__main__":
    main()
