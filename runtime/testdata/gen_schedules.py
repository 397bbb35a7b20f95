#!/usr/bin/env python3
"""Reference schedules for runtime.Resolver (SPEC sections 3.1 and 5).

An independent re-implementation of machinable 2.x's seeding order, using
only Python's standard library. It writes schedules.json next to this file;
runtime/resolve_test.go replays every case with the Go resolver.

    python3 runtime/testdata/gen_schedules.py

Plan description (per case, "plan"):
  components: [{name, version, checkpoint?, flags?, components?}]
      version: null (defaults), a dict (patch) or a list of dicts (one
      alternative per element); components: sub-components of a node,
      each {name, version}.
  versions:   [dict] experiment-wide patches (.version()), optional.
  repeats:    [{kind: "repeat"|"split", k, name, covers}] in call order;
      name is "" for the default (REPEAT / SPLIT); covers is the number of
      components added before the call.
"""

import copy
import itertools
import json
import os
import random

ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
MAX_SEED = 2**31 - 1


def global_seed_from_int(n):
    return random.Random(n).randint(62**5, 62**6 - 1)


def encode_experiment_id(seed):
    out = ""
    while seed:
        seed, r = divmod(seed, 62)
        out = BASE62[r] + out
    return out.rjust(6, "0")


def deep_merge(a, b):
    out = copy.deepcopy(a)
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def version_alternatives(version, exp_versions):
    """Configs of the alternatives of one component, in list order."""
    if version is None:
        alts = [{}]
    elif isinstance(version, dict):
        alts = [version]
    elif isinstance(version, list):
        alts = list(version)
    else:
        raise TypeError(version)
    out = []
    for alt in alts:
        config = deep_merge({}, alt)
        for v in exp_versions:
            config = deep_merge(config, v)
        out.append(config)
    return out


def component_alternatives(comp, exp_versions):
    """(config, [(sub name, sub config), ...]) per alternative: the cross
    product of the node's alternatives and each sub-component's, the last
    sub-component varying fastest."""
    node_alts = version_alternatives(comp.get("version"), exp_versions)
    sub_alts = [
        [(s["name"], c) for c in version_alternatives(s.get("version"), exp_versions)]
        for s in comp.get("components", [])
    ]
    return [(combo[0], list(combo[1:])) for combo in itertools.product(node_alts, *sub_alts)]


def schedule(global_seed, plan):
    components = plan["components"]
    repeats = plan.get("repeats", [])
    exp_versions = plan.get("versions", [])
    experiment_id = encode_experiment_id(global_seed)

    seed_stream = random.Random(global_seed)
    id_stream = random.Random(global_seed)

    def next_seed():
        return seed_stream.randint(0, MAX_SEED)

    def next_id():
        return "".join(id_stream.choice(ID_ALPHABET) for _ in range(12))

    # 1. one seed per repeat/split call, in call order
    names, suffixes, repeat_seeds = [], [], []
    level = {}
    for r in repeats:
        name = r["name"] or r["kind"].upper()
        n = level.get(name, 0)
        level[name] = n + 1
        names.append(name)
        suffixes.append("_%d" % n if n else "")
        repeat_seeds.append(next_seed())

    def identity(name, config, user_flags, checkpoint, repeat_flags):
        flags = dict(user_flags or {})
        flags.update(repeat_flags)
        flags["GLOBAL_SEED"] = global_seed
        flags["EXPERIMENT_ID"] = experiment_id
        flags["SEED"] = next_seed()
        cid = next_id()
        flags["COMPONENT_ID"] = cid
        if checkpoint:
            flags["CHECKPOINT"] = checkpoint
        return {"id": cid, "name": name, "config": config, "flags": flags}

    # 2. combinations: the last repeat call is the outermost loop
    out = []
    ranges = [range(r["k"]) for r in reversed(repeats)]
    for rev in itertools.product(*ranges):
        digits = list(reversed(rev))  # digits[i] belongs to repeats[i]
        for ci, comp in enumerate(components):
            repeat_flags = {}
            skip = False
            for i, r in enumerate(repeats):
                if ci >= r["covers"]:
                    if digits[i] != 0:
                        skip = True
                        break
                    continue
                repeat_flags[names[i] + "_NUMBER" + suffixes[i]] = digits[i]
                repeat_flags[names[i] + "_TOTAL" + suffixes[i]] = r["k"]
                repeat_flags[names[i] + "_SEED" + suffixes[i]] = repeat_seeds[i]
            if skip:
                continue
            for config, subs in component_alternatives(comp, exp_versions):
                entry = identity(comp["name"], config, comp.get("flags"),
                                 comp.get("checkpoint"), repeat_flags)
                if subs:
                    entry["components"] = [
                        identity(sname, sconfig, None, None, repeat_flags)
                        for sname, sconfig in subs
                    ]
                out.append(entry)
    return out


def C(name, version=None, checkpoint=None, flags=None, components=None):
    c = {"name": name, "version": version}
    if checkpoint:
        c["checkpoint"] = checkpoint
    if flags:
        c["flags"] = flags
    if components:
        c["components"] = components
    return c


def R(k, covers, name="", kind="repeat"):
    return {"kind": kind, "k": k, "name": name, "covers": covers}


def S(k, covers, name=""):
    return R(k, covers, name, kind="split")


CASES = [
    # (name, seed int or None, global seed or None, plan)
    ("reference_repeat3", 42, None, {"components": [C("a")], "repeats": [R(3, 1)]}),
    ("seed0_single", 0, None, {"components": [C("a")]}),
    ("seed1_single", 1, None, {"components": [C("a")]}),
    ("seed123456789_repeat2", 123456789, None, {"components": [C("a")], "repeats": [R(2, 1)]}),
    ("two_components", 42, None, {"components": [C("a"), C("b", {"x": 1})]}),
    ("two_components_repeat2", 1, None, {"components": [C("a"), C("b")], "repeats": [R(2, 2)]}),
    ("nested_repeat2_repeat3", 42, None, {"components": [C("a")], "repeats": [R(2, 1), R(3, 1)]}),
    ("triple_repeat_suffix2", 0, None, {"components": [C("a")], "repeats": [R(2, 1), R(2, 1), R(2, 1)]}),
    ("repeat2_split3", 42, None, {"components": [C("a")], "repeats": [R(2, 1), S(3, 1)]}),
    ("split5", 123456789, None, {"components": [C("a")], "repeats": [S(5, 1)]}),
    ("grid3_repeat2", 42, None, {
        "components": [C("a", [{"lr": 1}, {"lr": 2}, {"lr": 3}])],
        "repeats": [R(2, 1)],
    }),
    ("node_cross_product", 42, None, {
        "components": [C("n", {"depth": 2}, components=[
            C("s1", [{"u": 1}, {"u": 2}]),
            C("s2", {"v": 9}),
        ])],
    }),
    ("node_grid_two_list_subs_repeat2", 1, None, {
        "components": [C("n", [{"d": 1}, {"d": 2}], components=[
            C("s1", [{"u": 1}, {"u": 2}]),
            C("s2", [{"v": 1}, {"v": 2}, {"v": 3}]),
        ])],
        "repeats": [R(2, 1)],
    }),
    ("component_after_repeat", 42, None, {
        "components": [C("a"), C("b")],
        "repeats": [R(3, 1)],
    }),
    ("interleaved_repeats", 0, None, {
        "components": [C("a"), C("b"), C("c")],
        "repeats": [R(2, 1), S(2, 2)],
    }),
    ("custom_name_trial", 42, None, {"components": [C("a")], "repeats": [R(2, 1, name="TRIAL")]}),
    ("custom_name_nested_mixed", 1, None, {
        "components": [C("a")],
        "repeats": [R(2, 1, name="TRIAL"), R(2, 1), R(2, 1, name="TRIAL")],
    }),
    ("checkpoint_and_flags", 42, None, {
        "components": [C("a", {"lr": 5}, checkpoint="ckpt/a", flags={"MY_FLAG": "x", "LEVEL": 3})],
        "repeats": [R(2, 1)],
    }),
    ("experiment_version", 123456789, None, {
        "components": [C("a", [{"lr": 1}, {"lr": 2}]), C("b")],
        "versions": [{"extra": {"on": True}}],
    }),
    ("explicit_global_seed", None, 62**5, {"components": [C("a"), C("b")], "repeats": [R(2, 2)]}),
]


def main():
    cases = []
    for name, n, gs, plan in CASES:
        if gs is None:
            gs = global_seed_from_int(n)
        case = {"name": name}
        if n is not None:
            case["seed"] = n
        case["global_seed"] = gs
        case["experiment_id"] = encode_experiment_id(gs)
        plan.setdefault("repeats", [])
        case["plan"] = plan
        case["expected"] = schedule(gs, plan)
        cases.append(case)

    ref = cases[0]
    assert ref["global_seed"] == 7957417341, ref["global_seed"]
    assert ref["expected"][0]["flags"]["REPEAT_SEED"] == 2055422843
    got = [(e["id"], e["flags"]["SEED"]) for e in ref["expected"]]
    assert got == [("e9DJBHuoiCvn", 263761070), ("XfOWPgKJCcuh", 611082855),
                   ("9NTO7Rgg7Ag1", 102001072)], got

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schedules.json")
    with open(path, "w") as f:
        json.dump(cases, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
