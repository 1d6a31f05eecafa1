#!/usr/bin/env python3
"""Split drawn-like-train.jsonl in two halves by a seeded hash of the id (session 13).

Half B holds the items whose SHA-256 of "drawn-like-train:" + id, read as hex, ends in an odd digit; half A the
rest. A fit may use half A (with matcher_train.jsonl); half B is kept to check it.

Usage: python3 docs/relevance-check/split-halves.py OUT_DIR   (writes OUT_DIR/half-a.jsonl and half-b.jsonl)
"""

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def half_of(item_id):
    return "b" if int(hashlib.sha256(f"drawn-like-train:{item_id}".encode()).hexdigest()[-1], 16) % 2 else "a"


def main():
    if len(sys.argv) != 2:
        sys.exit("split-halves: give one output folder (outside the repository is fine).")
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    lines = (HERE / "drawn-like-train.jsonl").read_text().splitlines()
    halves = {"a": [], "b": []}
    for line in lines:
        halves[half_of(json.loads(line)["id"])].append(line)
    for h, rows in halves.items():
        (out / f"half-{h}.jsonl").write_text("\n".join(rows) + "\n")
        print(f"split-halves: half {h.upper()}: {len(rows)} items, {sum(json.loads(r)['label'] for r in rows)} relevant")


if __name__ == "__main__":
    main()
