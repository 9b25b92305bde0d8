"""Short optimizer comparison on the transfer experiment's pretraining corpus: train the sst2 preset's 4x256 model for
a fixed number of steps with a given optimizer (default AdamW at the preset's lr) and print the validation loss (20 fixed batches) along the way.

    MINIPRE_DATA=../shared/data python benchmarks/imdb_optimizer.py runs/sst2/tokenizer.json '{"obj": "clm"}'
    MINIPRE_DATA=../shared/data python benchmarks/imdb_optimizer.py runs/sst2/tokenizer.json '{"obj": "clm", "optimizer": "muon", "muon_lr": 0.02}'

The tokenizer is the one `minipre transfer --preset sst2` trained (its out folder's tokenizer.json). Other keys of the
JSON go to TrainConfig (defaults: 300 steps, lr 1.5e-3, warmup 30). Prints one JSON line.
"""
import json, sys, time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from minipre.tokenize import load_tokenizer  # noqa: E402
from minipre.data import load_corpus, ptb_normalize  # noqa: E402
from minipre.objectives import pack_stream  # noqa: E402
from minipre.model import Config, GPT, BERT  # noqa: E402
from minipre.config import TrainConfig  # noqa: E402
from minipre.train import train
from minipre.tasks import LMTask, MLMTask
from minipre.transfer import PRESETS  # noqa: E402


def main():
    torch.set_num_threads(2)
    tok = load_tokenizer(sys.argv[1]); kw = json.loads(sys.argv[2]); obj = kw.pop("obj")
    dd = load_corpus("imdb-unlabeled")
    tr, va = (pack_stream(tok.encode_batch([ptb_normalize(t) for t in dd[s]["text"]]), tok.eos_id) for s in ("train", "validation"))
    P = PRESETS["sst2"].pretraining; T, B = P.block_size, P.batch_size           # the experiment's model, block and batch
    cfg = Config(vocab_size=tok.vocab_size, max_len=T, causal=obj == "clm", pad_id=tok.pad_id or 0, **P.model)
    torch.manual_seed(0)
    net = GPT(cfg) if obj == "clm" else BERT(cfg)
    task = LMTask(tr, va, T, B) if obj == "clm" else MLMTask(tr, va, T, B, tok, P.mask_rate)
    tc = TrainConfig(**{**dict(steps=300, lr=P.train.lr, warmup=30, eval_every=100, eval_batches=20, progress=False), **kw})
    t = time.perf_counter(); st = train(net, task, tc)
    print(json.dumps(dict(obj=obj, **kw, steps_done=st.step, s=round(time.perf_counter() - t),
                          val=[(r["step"], round(r["val_loss"], 3)) for r in st.history if "val_loss" in r])), flush=True)


if __name__ == "__main__":
    main()
