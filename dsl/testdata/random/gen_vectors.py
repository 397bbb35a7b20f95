"""Writes vectors.json: python3's random.Random(seed) for the calls in
calls.star, for several seeds. Standard library only; run with python3."""
import json, random

SEEDS = [0, 1, 42, 2**40 + 3, 263761070, -7]

def draws(seed):
    r = random.Random(seed)
    out = []
    out.append(r.random())
    out.append(r.uniform(1, 2))
    out.append(r.uniform(2.5, -1))
    out.append(r.randint(-5, 5))
    out.append(r.randint(0, 2**70))
    out.append(r.randrange(10))
    out.append(r.randrange(-10, 10, 3))
    out.append(r.randrange(2**64))
    out.append(r.choice(["a", "b", "c", "d"]))
    out.append(r.choices(["a", "b", "c"], k=5))
    out.append(r.choices(["a", "b", "c"], weights=[1, 0, 5], k=4))
    out.append(r.choices(["a", "b", "c"], cum_weights=[1, 1.5, 4], k=4))
    l = list(range(20)); r.shuffle(l); out.append(l)
    out.append(r.sample(range(50), 5))
    out.append(r.sample(range(10000), 3))
    out.append(r.gauss())
    out.append(r.gauss(5, 2))
    out.append(r.normalvariate(0, 1))
    out.append(r.getrandbits(1))
    out.append(r.getrandbits(33))
    out.append(r.getrandbits(100))
    out.append(r.random())
    return out

def encode(v):
    # ints as strings: JSON numbers would lose big ones
    if isinstance(v, bool): return v
    if isinstance(v, int): return str(v)
    if isinstance(v, list): return [encode(x) for x in v]
    return v

with open("vectors.json", "w") as f:
    json.dump([{"seed": s, "draws": encode(draws(s))} for s in SEEDS], f, indent=1)
