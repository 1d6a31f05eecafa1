"""Chooses and checks the looser clustering rule as docs/cluster-check/README.md says, from the candidate pairs'
features (pairs.ts) and labels.jsonl.
    python3 docs/cluster-check/evaluate.py /tmp/pairs.json"""
import hashlib, itertools, json, os, sys

features = {(p['a'], p['b']): p for p in json.load(open(sys.argv[1]))}
here = os.path.dirname(os.path.abspath(__file__))
labels = []
for line in open(os.path.join(here, 'labels.jsonl')):
    o = json.loads(line)
    labels.append({**features[(o['a'], o['b'])], 'weight': o['weight'], 'same': o['same']})


def half(p):
    return 'A' if hashlib.sha1((p['a'] + p['b']).encode()).digest()[0] % 2 == 0 else 'B'


def today(p):
    """Similarity >= 0.22 and a shared distinctive word used by at most a quarter of the window."""
    return p['sim'] >= 0.22 and any(d <= p['size'] / 4 or p['size'] < 20 for d in p['df'])


def looser(t, n, d):
    return lambda p: today(p) or (p['sim'] >= t and sum(1 for x in p['df'] if x <= d) >= n)


def figures(rule, pairs):
    tp = sum(p['weight'] for p in pairs if p['same'] and rule(p))
    fp = sum(p['weight'] for p in pairs if not p['same'] and rule(p))
    fn = sum(p['weight'] for p in pairs if p['same'] and not rule(p))
    precision = tp / (tp + fp) if tp + fp else 0
    recall = tp / (tp + fn) if tp + fn else 0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0
    counts = tuple(sum(1 for p in pairs if cond(p)) for cond in (
        lambda p: p['same'] and rule(p), lambda p: not p['same'] and rule(p), lambda p: p['same'] and not rule(p)))
    return precision, recall, f1, counts


def show(name, f):
    print(f'  {name:<22} weighted precision {f[0]:.3f} recall {f[1]:.3f} F1 {f[2]:.3f}   pairs TP/FP/FN {f[3][0]}/{f[3][1]}/{f[3][2]}')


A = [p for p in labels if half(p) == 'A']
B = [p for p in labels if half(p) == 'B']
print(f'half A: {len(A)} pairs ({sum(p["same"] for p in A)} same); half B: {len(B)} ({sum(p["same"] for p in B)} same)')
grid = []
for t, n, d in itertools.product([0.10, 0.12, 0.14, 0.16, 0.18], [1, 2, 3], [0, 1, 2, 3, 5]):
    grid.append(((t, n, d), figures(looser(t, n, d), A)))
eligible = [g for g in grid if g[1][0] >= 0.95]
best = max(g[1][2] for g in eligible)
chosen = sorted([g for g in eligible if g[1][2] >= best - 0.01], key=lambda g: (-g[0][0], -g[0][1], g[0][2]))[0][0]
print('half A (choice):')
show('today', figures(today, A))
for g in sorted(eligible, key=lambda g: -g[1][2])[:5]:
    show('T %.2f n %d d %d' % g[0], g[1])
print('chosen: T %.2f, n %d, d %d' % chosen)
print('half B (check):')
show('today', figures(today, B))
show('chosen', figures(looser(*chosen), B))
print('all 320:')
show('today', figures(today, labels))
show('chosen', figures(looser(*chosen), labels))
