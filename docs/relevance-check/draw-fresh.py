#!/usr/bin/env python3
"""Draw a fresh check sample like the training file, outside every label file (session 31).

Usage:
  python3 docs/relevance-check/draw-fresh.py --data ../shared/data [--n 300] [--seed 20261205] [--only-sets] [--queue DIR]

Items of news_items.jsonl that are in none of matcher_train.jsonl, matcher_dev.jsonl and this repository's label
files (every id, a and b field of docs/**/*.jsonl; with --only-sets, the training and dev files alone: several
label files here were chosen by the scorer's score, so leaving them out leaves out what it lets in), drawn in one
stage: each (source, stratum) cell of the training
file (draw-sample.py's strata) gets its share of N, rounded, uniformly at random within the cell. Prints the ids
drawn, one a line (stdout). With --queue DIR (outside the repository), also writes a blind labelling queue there:
the drawn items mixed with 40 training items (20 relevant, 20 not, at random), shuffled, each under a sequence
number with its title and description (tags, the publisher's footer and runs of spaces removed, cut to 400
characters), and the key from sequence number to id and origin in DIR/key.jsonl.

Session 31's draws: the first (no --only-sets, seed 20261205) was made before fresh-sample.jsonl existed, which now
counts as a label file; to draw it again, run this at commit "relevance-check: draw-fresh.py, the one-stage draw".
The second is --only-sets --seed 20261206, which no label file here changes.
"""
import argparse
import collections
import importlib.util
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("draw_sample", HERE / "draw-sample.py")
ds = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ds)


def labelled_ids(data, only_sets):
    used = {json.loads(l)["id"] for f in ("matcher_train.jsonl", "matcher_dev.jsonl") for l in open(data / f) if l.strip()}
    if only_sets:
        return used
    for f in sorted(HERE.parent.glob("**/*.jsonl")):
        for l in open(f):
            if not l.strip():
                continue
            r = json.loads(l)
            used.update(r[k] for k in ("id", "a", "b") if isinstance(r.get(k), str))
            used.update(r.get("ids") or [])
    return used


def clean(text):
    s = ds.TAG.sub(" ", text or "")
    i = s.find("The post ")
    if i >= 0 and "appeared first on" in s[i:]:
        s = s[:i]
    return " ".join(s.split())[:400]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=20261205)
    ap.add_argument("--only-sets", action="store_true", help="leave out the training and dev files only")
    ap.add_argument("--queue", type=Path)
    a = ap.parse_args()
    items = [json.loads(l) for l in open(a.data / "news_items.jsonl")]
    byid = {x["id"]: x for x in items}
    train = [json.loads(l) for l in open(a.data / "matcher_train.jsonl")]
    used = labelled_ids(a.data, a.only_sets)
    rnd = random.Random(a.seed)
    cell = lambda x: (ds.source_of(x["id"]), ds.stratum(x))
    share = collections.Counter(cell(byid[t["id"]]) for t in train)
    pool = collections.defaultdict(list)
    for x in items:
        if x["id"] not in used:
            pool[cell(x)].append(x["id"])
    drawn = []
    for c, n in share.items():
        drawn += rnd.sample(sorted(pool[c]), min(round(n / len(train) * a.n), len(pool[c])))
    rnd.shuffle(drawn)
    print("\n".join(drawn))
    if a.queue:
        pos = [t["id"] for t in train if t["label"] == 1]
        neg = [t["id"] for t in train if t["label"] == 0]
        rows = [{"id": i, "origin": "drawn"} for i in drawn] + [{"id": i, "origin": "calibration"} for i in rnd.sample(pos, 20) + rnd.sample(neg, 20)]
        rnd.shuffle(rows)
        a.queue.mkdir(parents=True, exist_ok=True)
        with open(a.queue / "key.jsonl", "w") as k, open(a.queue / "queue.jsonl", "w") as q:
            for n, r in enumerate(rows, 1):
                seq = "n%03d" % n
                x = byid[r["id"]]
                k.write(json.dumps({"seq": seq, **r}) + "\n")
                q.write(json.dumps({"seq": seq, "title": " ".join((x.get("title") or "").split()), "description": clean(x.get("description"))}) + "\n")


if __name__ == "__main__":
    main()
