#!/usr/bin/env python3
"""Freeze CPython random-module outputs for the Go seeding package tests.

Run from anywhere with python3 (standard library only):

    python3 seeding/testdata/gen_vectors.py

It rewrites vectors.json next to this script. Every generator is replayed
as a list of operations; the Go test performs the same operations on its
Random and compares results exactly. Integers that may exceed 64 bits are
written as decimal strings; floats use repr, which round-trips exactly.
"""

import json
import os
import platform
import random
import sys

SEEDS = [0, 1, 42, -5, 2**32 + 7, 2**70 + 3, 7957417341]
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
COMPONENT_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def s(n):
    return str(n)


class Recorder:
    """Runs operations on a Random and records (op, args, out)."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.ops = []

    def rec(self, op, args, fn):
        try:
            out = fn()
        except (ValueError, IndexError, TypeError) as e:
            self.ops.append({"op": op, "args": args, "error": str(e)})
            return
        self.ops.append({"op": op, "args": args, "out": out})

    def random(self, n=1):
        for _ in range(n):
            self.rec("random", [], self.r.random)

    def getrandbits(self, k):
        self.rec("getrandbits", [k], lambda: s(self.r.getrandbits(k)))

    def randbelow(self, n):
        self.rec("randbelow", [s(n)], lambda: s(self.r._randbelow(n)))

    def randint(self, a, b):
        self.rec("randint", [s(a), s(b)], lambda: s(self.r.randint(a, b)))

    def randrange(self, a, b, step=1):
        self.rec("randrange", [s(a), s(b), s(step)],
                 lambda: s(self.r.randrange(a, b, step)))

    def choice(self, n):
        self.rec("choice", [n], lambda: self.r.choice(range(n)))

    def shuffle(self, n):
        def f():
            x = list(range(n))
            self.r.shuffle(x)
            return x
        self.rec("shuffle", [n], f)

    def sample(self, n, k):
        self.rec("sample", [n, k], lambda: self.r.sample(range(n), k))

    def choices(self, n, weights, cum_weights, k):
        self.rec("choices", [n, weights, cum_weights, k],
                 lambda: self.r.choices(range(n), weights,
                                        cum_weights=cum_weights, k=k))

    def gauss(self, mu, sigma):
        self.rec("gauss", [mu, sigma], lambda: self.r.gauss(mu, sigma))

    def normalvariate(self, mu, sigma):
        self.rec("normalvariate", [mu, sigma],
                 lambda: self.r.normalvariate(mu, sigma))

    def uniform(self, a, b):
        self.rec("uniform", [a, b], lambda: self.r.uniform(a, b))

    def seed(self, n):
        self.r.seed(n)
        self.ops.append({"op": "seed", "args": [s(n)]})


def program(seed):
    t = Recorder(seed)
    t.random(5)
    for k in (0, 1, 31, 32, 33, 64, 65, 100, 200):
        t.getrandbits(k)
        t.getrandbits(k)
    for n in (1, 2, 3, 10, 2**31 - 1, 2**32, 2**62, 2**64 - 1, 2**64, 2**70 + 1):
        t.randbelow(n)
    # randint / randrange: small, 2**62, 2**70, negative and stepped.
    for a, b in [(0, 10), (1, 6), (-10, -1), (-5, 5), (0, 0), (7, 7),
                 (0, 2**31 - 1), (62**5, 62**6 - 1), (0, 2**62),
                 (-2**62, 2**62), (-2**63, 2**63 - 1), (0, 2**70),
                 (-2**70, 2**70), (2**63, 2**63 + 5)]:
        t.randint(a, b)
    for a, b, step in [(0, 10, 1), (0, 10, 2), (0, 10, 3), (10, 0, -1),
                       (10, 0, -3), (-7, 8, 5), (100, -100, -7),
                       (0, 2**62, 3), (2**70, -2**70, -12345),
                       (-2**63, 2**63 - 1, 1), (0, 1, 1)]:
        t.randrange(a, b, step)
    # Errors: empty ranges, zero step.
    t.randrange(5, 5)
    t.randrange(5, 0)
    t.randrange(0, 10, -1)
    t.randrange(0, 10, 0)
    t.randint(3, 2)
    for n in (1, 2, 10, 62, 1000):
        t.choice(n)
    t.choice(0)
    t.shuffle(10)
    t.shuffle(10)
    t.shuffle(1)
    t.shuffle(0)
    # sample: pool method (n <= setsize) and set method (large n).
    for n, k in [(10, 0), (10, 3), (10, 10), (26, 5), (30, 6), (100, 20),
                 (10000, 5), (10000, 50), (1000000, 10), (5, 6)]:
        t.sample(n, k)
    t.choices(5, None, None, 10)
    t.choices(5, [1, 2, 3, 4, 5], None, 10)
    t.choices(4, [0.1, 0.2, 0.3, 0.4], None, 10)
    t.choices(3, None, [1.5, 2.5, 10.0], 8)
    t.choices(3, [0, 0, 1], None, 5)
    t.choices(3, [1, 2], None, 2)
    t.choices(3, [0, 0, 0], None, 2)
    t.choices(5, None, None, 0)
    # Empty population: CPython draws once, then raises IndexError.
    t.choices(0, None, None, 3)
    t.choices(0, [], None, 2)
    t.random()
    # gauss cache: interleave random() and a reseed that must clear it.
    for _ in range(3):
        t.gauss(0.0, 1.0)
        t.gauss(10.0, 2.5)
        t.random()
    t.gauss(0.0, 1.0)
    t.seed(seed)
    t.gauss(0.0, 1.0)
    t.gauss(-3.0, 0.5)
    for _ in range(4):
        t.normalvariate(0.0, 1.0)
        t.normalvariate(100.0, 15.0)
    t.random()
    for a, b in [(0.0, 1.0), (-5.0, 5.0), (10.0, 2.0), (1e-300, 1e300)]:
        t.uniform(a, b)
    t.gauss(1.0, 1.0)
    t.normalvariate(1.0, 1.0)
    t.gauss(1.0, 1.0)
    t.random(3)
    return t.ops


def encode_id(seed):
    out = ""
    for _ in range(6):
        seed, d = divmod(seed, 62)
        out = BASE62[d] + out
    return out


def global_seeds():
    out = []
    for n in (0, 1, 2, 42, 123456789, -1, -42, 2**62, 7957417341):
        g = random.Random(n).randint(62**5, 62**6 - 1)
        out.append({"n": n, "seed": g, "id": encode_id(g)})
    return out


def streams():
    out = []
    for g in (7957417341, 916132832, 56800235583):
        seeds = random.Random(g)
        ids = random.Random(g)
        draws = []
        for _ in range(5):
            draws.append({
                "seed": seeds.randint(0, 2**31 - 1),
                "id": "".join(ids.choice(COMPONENT_ALPHABET) for _ in range(12)),
            })
        out.append({"global_seed": g, "draws": draws})
    return out


def main():
    data = {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "libc": " ".join(platform.libc_ver()),
        "generators": [{"seed": s(seed), "ops": program(seed)} for seed in SEEDS],
        "global_seeds": global_seeds(),
        "streams": streams(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
