"""The data-efficiency experiment on real data, recorded: IMDb pretraining (both objectives), SST-2 fine-tuning.

    MINIPRE_DATA=../shared/data python benchmarks/transfer.py [--out runs/transfer-sst2]

Runs (or resumes) `minipre transfer --preset sst2`, then writes the accuracy table and the targets to a section of
benchmarks/RESULTS.md and copies results.json / transfer.png to docs/transfer-sst2.{json,png} (shown in the README,
the fine-tuning chapter and the docs site).
"""
import argparse, datetime, json, os, platform, shutil, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def targets(res):
    from minipre.finetune import summarize
    sm = summarize(res); ns = sorted(sm["scratch"])
    best = {n: max(sm[s][n][0] for s in ("mlm", "clm") if n in sm.get(s, {})) for n in ns}
    gap = lambda ref, n: 100 * (best[n] - sm[ref][n][0])
    vs_scratch = ", ".join("N=%d: %+.1f" % (n, gap("scratch", n)) for n in ns)
    small = [n for n in ns if n <= 3000]
    vs_tfidf = ", ".join("N=%d: %+.1f" % (n, gap("tfidf", n)) for n in small)
    lines = [f"- pretrained beats scratch at every N: **{'yes' if all(gap('scratch', n) > 0 for n in ns) else 'no'}** ({vs_scratch} points)",
             f"- pretrained beats TF-IDF at every N up to 3000: **{'yes' if all(gap('tfidf', n) > 0 for n in small) else 'no'}** ({vs_tfidf} points)"]
    if 1000 in sm["scratch"]:
        d = gap("scratch", 1000)
        lines.append(f"- at N = 1000 the best pretrained model is {d:+.1f} points from scratch (target: +8): **{'met' if d >= 8 else 'missed'}**")
    eff = []
    for n in ns:
        big = [m for m in ns if m >= 10 * n]
        if big: eff.append("N=%d vs scratch at N=%d: %s" % (n, big[0], "yes" if best[n] >= sm["scratch"][big[0]][0] else "no"))
    lines.append("- 10x data efficiency (best pretrained with N >= scratch with 10N): " + "; ".join(eff))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/transfer-sst2")
    ap.add_argument("--data", default=os.environ.get("MINIPRE_DATA"))
    a = ap.parse_args()
    from minipre.finetune import transfer_pipeline, format_table, summarize
    res = transfer_pipeline("sst2", a.out, data=a.data, progress=False)
    out = Path(a.out)
    meta = {o: json.loads((out / o / (out / o / "latest").read_text().strip() / "meta.json").read_text()) for o in ("mlm", "clm")}
    pre = "\n".join(f"- {o}: {m['step']} steps, {m['tokens']:,} tokens in {m['elapsed'] / 60:.1f} min; validation loss "
                    f"{[r['val_loss'] for r in m['history'] if 'val_loss' in r][0]:.2f} -> {[r['val_loss'] for r in m['history'] if 'val_loss' in r][-1]:.2f}"
                    for o, m in meta.items())
    body = (f"SST-2 dev accuracy (%, mean ± std over seeds; 3 seeds up to N = 1000, 1 above; at most 300 fine-tuning steps), {res['n_eval']} dev sentences, "
            f"training subsets class-balanced. Pretraining on IMDb unlabeled reviews (Penn-Treebank-normalised), byte-level BPE 8192, "
            f"4 layers x 256, rotary positions, pre-norm, Muon for the blocks' matrices:\n\n{pre}\n\n{format_table(res)}\n\nFine-tuning took "
            f"{res['finetune_seconds'] / 60:.1f} min for {len(res['runs'])} runs.\n\nAgainst the targets:\n\n{targets(res)}\n\n"
            f"![data efficiency](../docs/transfer-sst2.png)\n\nMachine: {platform.machine()}, {os.cpu_count()} cores, no GPU; "
            f"{datetime.date.today()}. Command: `MINIPRE_DATA=../shared/data python benchmarks/transfer.py --out {a.out}` "
            f"(= `minipre transfer --preset sst2` plus this record).")
    print(body)
    shutil.copy(out / "results.json", ROOT / "docs" / "transfer-sst2.json")
    shutil.copy(out / "transfer.png", ROOT / "docs" / "transfer-sst2.png")
    from benchmarks.results import write_section
    write_section("Pretrain-then-fine-tune transfer on real data", body)


if __name__ == "__main__":
    main()
