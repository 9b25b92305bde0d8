"""Every decimal number that prose quotes from a transfer record is one the record gives (#27).

The README, RESULTS.md and chapter 10 quote the recorded experiments in sentences ("+12.1 points", "66.7 against
70.1", "17.3 min of training"). Each passage below is tied to the record it quotes; every decimal number in it must
be one that record yields, rendered the way `format_table` renders it: a mean or spread over seeds, a paired
difference or an end of its interval, a difference between two starts' means at one N, a pretraining figure. A
superseded record's passage must carry its own figures and say so; when a record is re-run, the passage that quotes
it fails here until it is rewritten.
"""

import itertools, json, math, re, sys

import pytest
from conftest import ROOT, md_cells

DECIMAL = re.compile(r"(?<![\w.])[+-]?\d+\.\d+(?![\w.])")


def numbers_in(text: str) -> set[str]:
    "The decimal numbers of a text, unsigned ('+12.1' and '12.1' are one number)."
    return {m.group().lstrip("+-") for m in DECIMAL.finditer(text)}


def record_numbers(rec: dict) -> set[str]:
    "Every decimal number a record yields, as prose would write it."
    from minipre.transfer import format_table, paired_differences, summarize

    out = numbers_in(format_table(rec)) | numbers_in(json.dumps(rec.get("protocol")))  # and the protocol it states
    f1 = lambda x: f"{abs(x):.1f}"
    sm = summarize(rec)
    for s, by in sm.items():
        for n, st in by.items():
            out |= {f1(100 * st["mean"])} | ({f1(100 * st["std"])} if st["std"] is not None else set())
    out |= {f1(100 * r["acc"]) for r in rec.get("runs", [])}  # "one seed stopped early at 58.8%"
    out |= {f1(100 * t["best_val_acc"]) for t in rec.get("tuning", [])}  # the carved scores a recipe was chosen by
    for a, b in itertools.permutations(sm, 2):  # "ahead by 3.4 points": one start's mean minus another's
        out |= {f1(100 * (sm[a][n]["mean"] - sm[b][n]["mean"])) for n in sm[a] if n in sm[b]}
    for ref in sm:
        for s, by in paired_differences(rec, ref=ref).items():
            out |= {f1(100 * x) for d in by.values() for x in d[:3] if x is not None}
    pre = rec.get("pretraining") or {}
    minutes = [p["minutes"] for p in pre.values()]
    for p in pre.values():
        out |= {f"{p['minutes']:.1f}"} | {f"{v:.2f}" for v in p["val_loss"]}
        out |= {f"{s['val_loss']:.2f}" for s in p.get("snapshots", []) if s.get("val_loss") is not None}
    if "wall_minutes" in rec:  # a cached chapter run says how long it took in all
        out |= {f"{rec['wall_minutes']:.1f}"}
    fine = rec.get("finetune_seconds", 0) / 60
    out |= {f"{fine:.1f}", f"{sum(minutes):.1f}", f"{sum(minutes) + fine:.1f}"}
    return out


def section(text: str, heading: str) -> str:
    "The Markdown section under `heading` (up to the next heading of the same or a higher level)."
    level = heading.split(" ")[0]
    body = text.split(heading + "\n", 1)[1]
    stop = re.search(rf"^#{{1,{len(level)}}} ", body, flags=re.M)
    return body[: stop.start()] if stop else body


def chapter_cell(name: str, starts: str) -> str:
    cells = [c for c in md_cells(ROOT / "nbs" / f"{name}.ipynb") if c.startswith(starts)]
    assert len(cells) == 1, f"{name}: one markdown cell starting {starts!r}, found {len(cells)}"
    return cells[0]


README = (ROOT / "README.md").read_text()
RESULTS = (ROOT / "benchmarks" / "RESULTS.md").read_text()
# (where, the passage, the records it quotes)
PASSAGES = [
    (
        "README: the data-efficiency plot",
        section(README, "## The data-efficiency plot"),
        ("transfer-sst2", "transfer-quick", "transfer-lab"),
    ),
    # the record's rendered part; the notes after it quote other runs, each with its own figures and command
    (
        "RESULTS: the record",
        section(RESULTS, "## Pretrain-then-fine-tune transfer on real data").split("What this record is, and is not")[
            0
        ],
        ("transfer-sst2",),
    ),
    (
        "RESULTS: sst2-quick",
        section(RESULTS, "## The ten-minute version (`sst2-quick`), for iterating: not the record"),
        ("transfer-quick", "transfer-sst2"),  # it compares itself with the record
    ),
    ("10_transfer: the record", chapter_cell("10_transfer", "What the measurement says"), ("transfer-sst2",)),
    (
        "RESULTS: sst2-lab",
        section(RESULTS, "## The lab run (`sst2-lab`): a few minutes from a shipped body"),
        ("transfer-lab", "transfer-lab-first-body"),  # it says what the superseded first body reached
    ),
    ("10_transfer: sst2-lab", chapter_cell("10_transfer", "What the lab run shows"), ("transfer-lab",)),
    # it compares itself with the record's larger run
    ("10_transfer: sst2-quick", chapter_cell("10_transfer", "What our run shows"), ("transfer-quick", "transfer-sst2")),
    ("10_transfer: the lab's setup", chapter_cell("10_transfer", "## The lab:"), ("transfer-lab",)),
    ("10_transfer: the offline demo", chapter_cell("10_transfer", "What the demo shows"), ("transfer-synthetic",)),
    (
        "README: the offline demo",
        README.split("Both are idempotent.")[1].split("With real data")[0],
        ("transfer-synthetic",),
    ),
    ("07_pretrain_gpt: the ladder", chapter_cell("07_pretrain_gpt", "What the ladder shows"), ("ladder",)),
    ("09_finetune: long documents", chapter_cell("09_finetune", "What the long reviews show"), ("long-documents",)),
    ("09_finetune: the ablation", chapter_cell("09_finetune", "What the ablation shows"), ("finetune-ablation",)),
    ("08_pretrain_bert: masking", chapter_cell("08_pretrain_bert", "What the masking study shows"), ("masking",)),
    ("RESULTS: masking", section(RESULTS, "## Masking: how much to hide, and how"), ("masking",)),
    (
        "RESULTS: the ablation",
        section(RESULTS, "## Fine-tuning ablation: one body, one change at a time"),
        ("finetune-ablation",),
    ),
    (
        "RESULTS: long documents",
        section(RESULTS, "## Long documents: windows against truncation"),
        ("long-documents",),
    ),
    (
        "RESULTS: long documents, the larger body",
        section(RESULTS, "## Long documents: is the body the limit?"),
        ("long-documents-larger", "long-documents"),  # it compares itself with the shipped body's record
    ),
    (
        "09_finetune: the larger body",
        chapter_cell("09_finetune", "What the larger body shows"),
        ("long-documents-larger", "long-documents"),
    ),
]
PASSAGES += [
    ("10_transfer: the ladder", chapter_cell("10_transfer", "What the ladder shows"), ("ladder-sst2",)),
    (
        "RESULTS: the ladder",
        section(RESULTS, "## The pretraining ladder: one warmup-stable-decay run, finished at seven rungs"),
        ("ladder-sst2", "transfer-lab-first-body"),  # it compares the first lab body's two measurements
    ),
    (
        "README: the ladder",
        section(README, "## The pretraining ladder: what more pretraining buys"),
        ("ladder-sst2", "published-sst2"),
    ),
    (
        "RESULTS: the ladder on long reviews",
        section(RESULTS, "## The ladder on long reviews: the top rung against the bag of words in its own domain"),
        ("ladder-imdb",),
    ),
    (
        "RESULTS: the published encoder",
        section(RESULTS, "## The far end of the ladder: a published encoder under the same protocol"),
        ("published-sst2", "ladder-sst2"),
    ),
    (
        "10_transfer: the far end",
        chapter_cell("10_transfer", "What the far end shows"),
        ("published-sst2", "ladder-sst2"),
    ),
    (
        "RESULTS: the kind of text",
        section(RESULTS, "## The kind of text: general English against reviews at equal tokens"),
        ("text-kind-sst2", "ladder-sst2"),
    ),
    (
        "10_transfer: the kind of text",
        chapter_cell("10_transfer", "What the kind of text shows"),
        ("text-kind-sst2", "ladder-sst2"),
    ),
    (
        "RESULTS: the BPE trainers",
        section(RESULTS, "## Training a BPE tokenizer from scratch: recounting against incremental counts"),
        ("bpe-speed",),
    ),
    ("README: the pieces", section(README, "## Pieces you can take on their own"), ("bpe-speed",)),
    (
        "00_big_picture: on real reviews",
        chapter_cell("00_big_picture", "## What it buys on real reviews"),
        ("published-sst2", "ladder-sst2"),
    ),
]
if "## Compute curve" in RESULTS:
    PASSAGES.append(
        (
            "RESULTS: compute curve",
            section(RESULTS, "## Compute curve: transfer against pretraining"),
            ("compute-curve", "transfer-sst2"),  # it reads the curve against the full-budget record
        )
    )
    PASSAGES.append(
        (
            "10_transfer: compute curve",
            chapter_cell("10_transfer", "What the compute curve shows"),
            ("compute-curve", "transfer-sst2"),
        )  # fmt: skip
    )


def long_documents_numbers(rec: dict) -> set[str]:
    "The long-documents record holds one transfer record per way of reading, and the section renders the rest."
    if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the repository, not of the package
        sys.path.insert(0, str(ROOT))
    from benchmarks.long_documents import section

    out = numbers_in(section(rec))
    for sub in rec["records"].values():
        out |= record_numbers(sub)
    return out


def larger_body_numbers(rec: dict) -> set[str]:
    "The --body run: its windows record, and the section that reads it against the shipped body's record."
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.long_documents import larger_section

    base = json.loads((ROOT / "docs" / "long-documents.json").read_text())
    out = numbers_in(larger_section(rec, base)) | {f"{rec['pretraining']['clm']['minutes']:.1f}"}
    for sub in rec["records"].values():
        out |= record_numbers(sub)
    return out


def ladder_numbers(rec: dict) -> set[str]:
    "The ladder's record: each rung's loss (and perplexity, seconds), the gaps between rungs, the time in all."
    out = {f"{rec['wall_minutes']:.1f}"}
    losses = [r["val_loss"] for r in rec["rungs"]]
    for r in rec["rungs"]:
        out |= {f"{r['val_loss']:.3f}", f"{r['val_loss']:.2f}", f"{math.exp(r['val_loss']):.1f}", f"{r['seconds']:.1f}"}
    for a, b in itertools.permutations(losses, 2):
        out |= {f"{abs(a - b):.3f}", f"{abs(a - b):.2f}"}
    return out


def ablation_numbers(rec: dict) -> set[str]:
    "The fine-tuning ablation's record: its table (means, spreads, paired differences and their ends) and its time."
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.finetune_ablation import section

    return numbers_in(section(rec)) | {f"{100 * r['acc']:.1f}" for r in rec["runs"]}  # "one seed stopped at 61.5"


def masking_numbers(rec: dict) -> set[str]:
    "The masking study: a transfer record, with its pretraining table rendered by the benchmark's section."
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.masking import section

    return record_numbers(rec) | numbers_in(section(rec))


def ladder_sst2_numbers(rec: dict) -> set[str]:
    "The ladder's transfer record, and the section RESULTS renders from it with the rungs' own record."
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.ladder_transfer import section as ladder_section

    bodies = {r["name"]: r for r in json.loads((ROOT / "docs" / "pretraining-ladder.json").read_text())["bodies"]}
    return record_numbers(rec) | numbers_in(ladder_section(rec, bodies))


def published_numbers(rec: dict) -> set[str]:
    "The published encoder's record, the section that pairs it with the ladder's runs, and its pretraining's bound."
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.published_transfer import section as published_section

    ladder = json.loads((ROOT / "docs" / "ladder-sst2.json").read_text())
    bound = {f"{rec['published_pretraining']['tokens_at_least'] / 1e9:.1f}"}  # "3.3 billion tokens"
    return record_numbers(rec) | numbers_in(published_section(rec, ladder)) | bound


def bpe_speed_numbers(rec: dict) -> set[str]:
    "The BPE trainers' timings: the section benchmarks/bpe_speed.py renders from the record."
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.bpe_speed import section as bpe_section

    return numbers_in(bpe_section(rec))


def text_kind_numbers(rec: dict) -> set[str]:
    "The other texts' record, the section that pairs it with the IMDb ladder's runs, and the pretraining records."
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.text_kind import section as kind_section

    ladder = json.loads((ROOT / "docs" / "ladder-sst2.json").read_text())
    made = [json.loads(p.read_text()) for p in (ROOT / "docs").glob("pretraining-ladder-*.json")]
    commands = {n for m in made for b in m["bodies"] for n in numbers_in(b["command"])}  # "--fractions 0.25,1"
    return record_numbers(rec) | numbers_in(kind_section(rec, ladder)) | commands


NUMBERS = {
    "bpe-speed": bpe_speed_numbers,
    "text-kind-sst2": text_kind_numbers,
    "published-sst2": published_numbers,
    "ladder-sst2": ladder_sst2_numbers,
    "ladder-imdb": ladder_sst2_numbers,
    "long-documents": long_documents_numbers,
    "long-documents-larger": larger_body_numbers,
    "ladder": ladder_numbers,
    "finetune-ablation": ablation_numbers,
    "masking": masking_numbers,
}


def allowed(records) -> set[str]:
    out = set()
    for r in records:
        rec = json.loads((ROOT / "docs" / f"{r}.json").read_text())
        out |= NUMBERS.get(r, record_numbers)(rec)
    return out


@pytest.mark.parametrize("where, text, records", PASSAGES, ids=[p[0] for p in PASSAGES])
def test_quoted_numbers_come_from_the_record(where, text, records):
    ok = allowed(records)
    stray = sorted(numbers_in(text) - ok, key=float)
    assert not stray, f"{where} quotes numbers its record ({', '.join(records)}) does not give: {stray}"


def test_the_check_catches_a_stale_claim():
    "A claim from a superseded record ('ahead of scratch by 12.0 points at N = 1000') fails against today's record."
    stale = "next-token pretraining is ahead of scratch by 12.0 points at N = 1000"
    assert "12.0" in numbers_in(stale) - allowed(("transfer-sst2",))
