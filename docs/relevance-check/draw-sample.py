#!/usr/bin/env python3
"""Draw a check sample of news items the way matcher_train.jsonl was drawn (session 13).

Usage:
  python3 docs/relevance-check/draw-sample.py --data ../shared/data [--n 400] [--seed 20261213] \
      [--out ids.txt] [--queue DIR --mix 50]

The sample holds items of news_items.jsonl that are in neither matcher_train.jsonl nor matcher_dev.jsonl,
by source in the training file's proportions (cybernews / agnews-test / huffpost / feed).

- Security news (cybernews-*): uniformly at random.
- General news (agnews-test-*, huffpost-*, feed-*): the training file's items of these sources were "enriched
  for cyber words": far more of them name a cyber word or a state-and-diplomacy word than the pool does
  (AG News 66% against 16%, HuffPost 50% against 9%). Rule: each item falls in one of three strata by the two
  word lists below (CYBER: a cyber word, whatever else; STATE: a state or diplomacy word and no cyber word;
  OTHER: neither), and each source's draw takes from each stratum, uniformly at random, the share that
  stratum has among that source's training items. Word lists written from the words over-represented in the
  training file's general news against the pool (document frequency), not from any label or model score.

With --queue DIR, also writes a blind labelling queue: the drawn items mixed with --mix training items (half
relevant, half not, at random), shuffled, each under a sequence number (q0001...) with title and description
cut to 400 characters; the key from sequence number to id and origin goes to DIR/key.jsonl, not to be read
until labelling is finished. Nothing of an item's text is written inside the repository.
"""

import argparse
import json
import random
import re
import sys
from pathlib import Path

CYBER = re.compile(
    r"\b(hack\w*|spy\w*|cyber\w*|malware|virus\w*|computer\w*|internet|security|online|worm|phishing)\b",
    re.I,
)
STATE = re.compile(
    r"\b(beijing|china|chinese|kremlin|putin|moscow|russia\w*|tehran|iran\w*|korea\w*|pyongyang|nuclear|"
    r"uranium|sanctions?|treaty|diplomat\w*|kerry|xi)\b",
    re.I,
)
SOURCES = ("cybernews", "agnews", "huffpost", "feed")
TAG = re.compile(r"<[^>]+>")


def source_of(item_id):
    return item_id.split("-")[0]


def text_of(item):
    return (item.get("title") or "") + " " + TAG.sub(" ", item.get("description") or "")


def stratum(item):
    t = text_of(item)
    if CYBER.search(t):
        return "cyber"
    if STATE.search(t):
        return "state"
    return "other"


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def apportion(total, weights):
    """Largest-remainder rounding of total * weight / sum(weights), in key order."""
    s = sum(weights.values())
    raw = {k: total * w / s for k, w in weights.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (-(raw[k] - out[k]), k))[: total - sum(out.values())]:
        out[k] += 1
    return out


def draw(items, train, dev, n, seed):
    rng = random.Random(seed)
    taken = {r["id"] for r in train} | {r["id"] for r in dev}
    by_id = {it["id"]: it for it in items}
    train_src = {s: [r["id"] for r in train if source_of(r["id"]) == s] for s in SOURCES}
    per_source = apportion(n, {s: len(train_src[s]) for s in SOURCES})
    pool = {s: sorted(i for i in by_id if source_of(i) == s and i not in taken) for s in SOURCES}
    drawn, plan = [], {}
    for s in SOURCES:
        if s == "cybernews":
            drawn += rng.sample(pool[s], per_source[s])
            plan[s] = {"all": per_source[s]}
            continue
        shares = {k: 0 for k in ("cyber", "state", "other")}
        for i in train_src[s]:
            shares[stratum(by_id[i])] += 1
        counts = apportion(per_source[s], shares)
        plan[s] = counts
        for k in ("cyber", "state", "other"):
            cands = [i for i in pool[s] if stratum(by_id[i]) == k]
            drawn += rng.sample(cands, counts[k])
    return sorted(drawn), plan


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--data", required=True, help="folder holding news_items.jsonl and the matcher files")
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=20261213)
    ap.add_argument("--out", help="write the drawn ids here, one a line (default: stdout)")
    ap.add_argument("--queue", help="folder OUTSIDE the repository for the blind labelling queue")
    ap.add_argument("--mix", type=int, default=50, help="training items mixed into the queue")
    a = ap.parse_args()
    if not 1 <= a.n <= 2000:
        sys.exit("draw-sample: --n must be between 1 and 2000.")
    data = Path(a.data)
    items = read_jsonl(data / "news_items.jsonl")
    train = read_jsonl(data / "matcher_train.jsonl")
    dev = read_jsonl(data / "matcher_dev.jsonl")
    drawn, plan = draw(items, train, dev, a.n, a.seed)
    print(f"draw-sample: {len(drawn)} items, seed {a.seed}: {json.dumps(plan)}", file=sys.stderr)
    out = "\n".join(drawn) + "\n"
    if a.out:
        Path(a.out).write_text(out)
    else:
        sys.stdout.write(out)
    if a.queue:
        qdir = Path(a.queue).resolve()
        if Path.cwd().resolve() in qdir.parents or qdir == Path.cwd().resolve():
            sys.exit("draw-sample: --queue must be outside the repository (it holds item text).")
        qdir.mkdir(parents=True, exist_ok=True)
        rng = random.Random(a.seed + 1)
        pos = sorted(r["id"] for r in train if r["label"] == 1)
        neg = sorted(r["id"] for r in train if r["label"] == 0)
        mix = rng.sample(pos, a.mix // 2) + rng.sample(neg, a.mix - a.mix // 2)
        queue = [(i, "drawn") for i in drawn] + [(i, "train") for i in mix]
        rng.shuffle(queue)
        by_id = {it["id"]: it for it in items}
        with open(qdir / "queue.txt", "w", encoding="utf-8") as q, open(qdir / "key.jsonl", "w") as k:
            for n, (i, origin) in enumerate(queue, 1):
                seq = f"q{n:04d}"
                it = by_id[i]
                desc = re.sub(r"\s+", " ", TAG.sub(" ", it.get("description") or "")).strip()[:400]
                q.write(f"{seq} | {it.get('title') or ''}\n      {desc}\n")
                k.write(json.dumps({"seq": seq, "id": i, "origin": origin}) + "\n")


if __name__ == "__main__":
    main()
