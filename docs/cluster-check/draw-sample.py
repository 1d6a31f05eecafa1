"""The labelled sample of docs/cluster-check: 320 of the candidate pairs (pairs.ts), stratified by MinHash
similarity, seed 20261205; each pair weighted by its stratum's size over its sample size. Prints JSON Lines
{a, b, stratum, weight} in the order the labellers read them (alternate lines went to the two labellers).
    python3 docs/cluster-check/draw-sample.py /tmp/pairs.json"""
import json, random, sys

pairs = json.load(open(sys.argv[1]))
random.seed(20261205)
STRATA = [(0.06, 0.10, 50), (0.10, 0.14, 90), (0.14, 0.18, 80), (0.18, 0.22, 50), (0.22, 1.1, 50)]
sample = []
for lo, hi, n in STRATA:
    population = [p for p in pairs if lo <= p['sim'] < hi]
    for p in random.sample(population, n):
        sample.append({'a': p['a'], 'b': p['b'], 'stratum': f'{lo}-{hi}', 'weight': round(len(population) / n, 4)})
random.shuffle(sample)
for p in sample:
    print(json.dumps(p))
