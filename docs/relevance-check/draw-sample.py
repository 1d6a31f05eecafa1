#!/usr/bin/env python3
"""Draw a check sample of news items the way matcher_train.jsonl was drawn (session 13).

Usage:
  python3 docs/relevance-check/draw-sample.py --data ../shared/data [--n 400] [--seed 20261213] \
      [--stage 1|2] [--out ids.txt] [--queue DIR [--mix N]]

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

Stage 2 (the default output): the first stage drew security news uniformly, but the training file's security
news is enriched as well (see ACTOR below), so a second stage tops every source-and-stratum cell up to the
training file's shares; the first stage is kept whole (it is uniform within each cell). Stage 1 + stage 2 is
the sample "drawn like matcher_train.jsonl"; stage 1 alone is a uniform sample of the security news.

With --queue DIR, also writes a blind labelling queue for the stage's new items: mixed with training items
(half relevant, half not, at random; stage 2 avoids stage 1's), shuffled, each under a sequence number
(q0001...) with title and description cut to 400 characters; the key from sequence number to id and origin
goes to DIR/key.jsonl, not to be read until labelling is finished. Nothing of an item's text is written
inside the repository.
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
# Security news (second stage only): the training file's cybernews items are enriched too (found after the
# first stage was labelled, from the words over-represented in them against the pool, not from any label):
# state words 18.5% of them against 8.1% of the pool, espionage/APT/government words 9.3% against 6.3%,
# attack/hacking/arrest words 22.9% against 12.7%; matcher_dev.jsonl's cybernews items show the same shares.
ACTOR = re.compile(
    r"\b(espionage|apt\s?\d*|\w+-nexus|nexus|state-sponsored|sponsored|nation-state|state-backed|state-linked|"
    r"government\w*|military|intelligence|ministry|ministries|diplomat\w*|sanction\w*)\b",
    re.I,
)
ATTACK = re.compile(
    r"\b(cyber-?attack\w*|hack\w*|arrest\w*|law enforcement|takedown|dismantl\w*|seiz\w*|charged|sentenced|"
    r"extradit\w*)\b",
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
    if source_of(item["id"]) == "cybernews":
        if STATE.search(t):
            return "state"
        if ACTOR.search(t):
            return "actor"
        if ATTACK.search(t):
            return "attack"
        return "other"
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


def supplement(items, train, dev, first, seed):
    """Second stage: more items, so that first + second hold every source and stratum (cybernews included) in
    the training file's shares. The first stage is a uniform sample within each stratum, so it is kept whole;
    the total is the smallest that no stratum's first-stage count exceeds, and each stratum is topped up
    uniformly at random from its pool."""
    rng = random.Random(seed + 2)
    taken = {r["id"] for r in train} | {r["id"] for r in dev} | set(first)
    by_id = {it["id"]: it for it in items}
    cells = lambda ids: [(source_of(i), stratum(by_id[i])) for i in ids]
    train_share = {}
    for c in cells([r["id"] for r in train]):
        train_share[c] = train_share.get(c, 0) + 1
    have = {}
    for c in cells(first):
        have[c] = have.get(c, 0) + 1
    total = len(first)
    while True:
        target = apportion(total, train_share)
        if all(target.get(c, 0) >= n for c, n in have.items()):
            break
        total += 1
    extra, plan = [], {}
    for c in sorted(target):
        need = target[c] - have.get(c, 0)
        if need <= 0:
            continue
        cands = sorted(i for i in by_id if i not in taken and (source_of(i), stratum(by_id[i])) == c)
        extra += rng.sample(cands, need)
        plan["/".join(c)] = need
    return sorted(extra), plan, total


def write_queue(qdir, items, train, ids, mix, seed, avoid=()):
    """Blind labelling queue: ids mixed with `mix` training items (half relevant), shuffled, numbered."""
    rng = random.Random(seed)
    pos = sorted(r["id"] for r in train if r["label"] == 1 and r["id"] not in avoid)
    neg = sorted(r["id"] for r in train if r["label"] == 0 and r["id"] not in avoid)
    mixed = rng.sample(pos, mix // 2) + rng.sample(neg, mix - mix // 2)
    queue = [(i, "drawn") for i in ids] + [(i, "train") for i in mixed]
    rng.shuffle(queue)
    by_id = {it["id"]: it for it in items}
    qdir.mkdir(parents=True, exist_ok=True)
    with open(qdir / "queue.txt", "w", encoding="utf-8") as q, open(qdir / "key.jsonl", "w") as k:
        for n, (i, origin) in enumerate(queue, 1):
            seq = f"q{n:04d}"
            it = by_id[i]
            desc = re.sub(r"\s+", " ", TAG.sub(" ", it.get("description") or "")).strip()[:400]
            q.write(f"{seq} | {it.get('title') or ''}\n      {desc}\n")
            k.write(json.dumps({"seq": seq, "id": i, "origin": origin}) + "\n")
    return mixed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--data", required=True, help="folder holding news_items.jsonl and the matcher files")
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=20261213)
    ap.add_argument("--out", help="write the drawn ids here, one a line (default: stdout)")
    ap.add_argument("--stage", type=int, choices=(1, 2), default=2,
                    help="1: the first, uniform-in-security-news draw only; 2 (default): with the second stage")
    ap.add_argument("--queue", help="folder OUTSIDE the repository for the blind labelling queue of --stage")
    ap.add_argument("--mix", type=int, help="training items mixed into the queue (default 50 stage 1, 20 stage 2)")
    a = ap.parse_args()
    if not 1 <= a.n <= 2000:
        sys.exit("draw-sample: --n must be between 1 and 2000.")
    data = Path(a.data)
    items = read_jsonl(data / "news_items.jsonl")
    train = read_jsonl(data / "matcher_train.jsonl")
    dev = read_jsonl(data / "matcher_dev.jsonl")
    drawn, plan = draw(items, train, dev, a.n, a.seed)
    print(f"draw-sample: stage 1, {len(drawn)} items, seed {a.seed}: {json.dumps(plan)}", file=sys.stderr)
    ids = drawn
    if a.stage == 2:
        extra, plan2, total = supplement(items, train, dev, drawn, a.seed)
        print(f"draw-sample: stage 2, {len(extra)} more ({total} in all): {json.dumps(plan2)}", file=sys.stderr)
        ids = sorted(drawn + extra)
    out = "\n".join(ids) + "\n"
    if a.out:
        Path(a.out).write_text(out)
    else:
        sys.stdout.write(out)
    if a.queue:
        qdir = Path(a.queue).resolve()
        if Path.cwd().resolve() in qdir.parents or qdir == Path.cwd().resolve():
            sys.exit("draw-sample: --queue must be outside the repository (it holds item text).")
        mix1 = write_queue(qdir, items, train, drawn, 50 if a.mix is None or a.stage == 2 else a.mix, a.seed + 1)
        if a.stage == 2:
            write_queue(qdir, items, train, extra, 20 if a.mix is None else a.mix, a.seed + 3, avoid=set(mix1))


if __name__ == "__main__":
    main()
