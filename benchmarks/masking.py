"""Masked LM's corruption, measured for transfer: 15% against 30% of the tokens, BERT's 80/10/10 against all-<mask>.

    MINIPRE_DATA=../shared/data python -m benchmarks.masking [--out runs/masking]

The quick setup (`sst2-quick`: a 2 x 128 encoder, a fifth of the IMDb unlabeled reviews, one 4096-token tokenizer
shared by every body, 800 masked-LM steps capped at 150 s each) pretrained three times, changing only the corruption:
30% with 80/10/10 (the preset's), 15% with 80/10/10 (BERT's), 30% all-<mask>. Each body is then fine-tuned on SST-2
under chapter 10's protocol (every start choosing among the preset's recipes on a split carved from its own N labels,
scored once on SST-2 dev) beside the same model from scratch, at N = 100 and 1000 with 3 seeds (the same subsets for
every start: paired). The record also keeps each body's masked-token accuracy on held-out reviews (the same 15%
of tokens hidden as <mask> for every body). Writes
`docs/masking.json` (resumable: bodies and results stay in `--out`) and the RESULTS.md section (`--record-only`
rewrites only the section). Run it with nothing else on the machine.
"""

import time
from dataclasses import replace
from pathlib import Path

from benchmarks.results import benchmark_args, record_and_section, run_facts

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "docs" / "masking.json"
TITLE = "Masking: how much to hide, and how"
BODIES = {  # start name -> (mask rate, every chosen token <mask>)
    "mlm-30": (0.3, False),
    "mlm-15": (0.15, False),
    "mlm-30-all-mask": (0.3, True),
}
SEEDS = 3


def section(rec: dict) -> str:
    "The RESULTS.md section, every figure rendered from the record."
    from minipre.transfer import chosen_recipes, format_table

    pre = rec["pretraining"]
    lines = [
        f"| {s} | {rec['bodies'][s]['mask_rate']:.0%} | {'all <mask>' if rec['bodies'][s]['mask_all'] else '80/10/10'} "
        f"| {p['steps']} | {p['minutes']:.1f} | {p['val_loss'][-1]:.2f} | {100 * rec['masked_acc'][s]:.1f} |"
        for s, p in pre.items()
    ]
    return "\n\n".join(
        [
            f"Recorded {rec['date']}: {rec['machine']}, nothing else running. Command: `{rec['command']}` (the "
            "section: `python -m benchmarks.masking --record-only`). Record: `docs/masking.json`. "
            f"{sum(p['minutes'] for p in rec['pretraining'].values()):.1f} minutes of pretraining, "
            f"{sum(r['seconds'] for r in rec['runs'] + rec['tuning']) / 60:.1f} of fine-tuning.",
            "The `sst2-quick` encoder pretrained three times on the same IMDb reviews with one tokenizer, changing "
            "only the corruption, then fine-tuned on SST-2 under chapter 10's protocol beside the same model from "
            f"scratch ({SEEDS} seeds, paired). The pretraining runs (masked-token accuracy: the share of hidden "
            "tokens predicted exactly, the same 15% of held-out reviews hidden as <mask> for every body):",
            "| body | mask rate | corruption | steps | minutes | validation loss (its own corruption) "
            "| masked-token accuracy (%) |\n"
            "|---|---|---|---|---|---|---|\n" + "\n".join(lines),
            "Accuracy on SST-2 dev (%), mean ± std over seeds, and each start against scratch:",
            format_table(rec),
            "The recipe each start chose on its carved split:",
            "\n".join(chosen_recipes(rec)),
        ]
    )


def main():
    a = benchmark_args(__doc__, "runs/masking")
    rec = None
    if not a.record_only:
        import torch
        from minipre.config import PRESETS
        from minipre.data import load_labeled, ptb_normalize
        from minipre.mlm import mlm_metrics
        from minipre.pretrain import build_pretraining, build_tokenizer, corpus_texts, pretrain, token_streams
        from minipre.tokenize import load_tokenizer
        from minipre.transfer import LabeledSplits, PretrainingSummary, run_transfer

        torch.set_num_threads(2)
        t0 = time.perf_counter()
        out = Path(a.out)
        out.mkdir(parents=True, exist_ok=True)
        p = PRESETS["sst2-quick"]
        recipe = p.pretraining.but(objective="mlm", steps=p.steps["mlm"], progress=False)
        texts = corpus_texts(recipe, a.data)
        tok_path = out / "tokenizer.json"
        if tok_path.exists():
            tok = load_tokenizer(tok_path)
        else:
            tok = build_tokenizer("bpe", texts[0], recipe.vocab_size)
            tok.save(tok_path)
        streams = token_streams(tok, *texts)
        bodies, summaries, masked = {}, {}, {}
        # every body filling in the same hidden tokens: 15% of held-out text, all <mask> (80/10/10 would score the
        # kept tenth, which a body only has to copy)
        common = build_pretraining(
            recipe.but(mask_rate=0.15, mask_all=True), texts=([], []), tok=tok, streams=streams
        ).task
        for name, (rate, all_mask) in BODIES.items():
            r = recipe.but(mask_rate=rate, mask_all=all_mask)
            net, _, st = pretrain(r, out / name, texts=texts, tok=tok, streams=streams)
            bodies[name], summaries[name] = net, PretrainingSummary.of(st)
            masked[name] = mlm_metrics(net, common, n_batches=20)["accuracy"]
            print(f"{name}: {st.step} steps, validation loss {summaries[name].val_loss[-1]:.2f}, masked-token "
                  f"accuracy {masked[name]:.3f}", flush=True)  # fmt: skip
        labeled = LabeledSplits.from_dataset(load_labeled(p.labeled, data=a.data), ptb_normalize)
        protocol = replace(p.protocol, seeds=SEEDS, seeds_small=SEEDS)
        scratch_cfg = replace(next(iter(bodies.values())).config, causal=False)
        res = run_transfer(labeled, {"scratch": None, **bodies}, tok, protocol, scratch_cfg, out / "results.json")
        rec = res.to_dict()
        rec["pretraining"] = {s: vars(v) for s, v in summaries.items()}
        rec["masked_acc"] = masked
        rec["bodies"] = {s: {"mask_rate": r, "mask_all": m} for s, (r, m) in BODIES.items()}
        rec |= run_facts("MINIPRE_DATA=../shared/data python -m benchmarks.masking", t0)
    record_and_section(RECORD, TITLE, section, rec)


if __name__ == "__main__":
    main()
