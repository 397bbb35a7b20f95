#!/usr/bin/env python3
"""Reference schedules for runtime.Resolver (SPEC sections 3.1 and 5).

An independent re-implementation of how machinable 2.0.x turns a plan into
a schedule (experiment/experiment.py and experiment/parser.py at v2.0.0,
config/interface.py for the flags), using only Python's standard library.
It follows the original's structure, so a shape it gets right here is the
shape 2.0 gets: the plan is unpacked into entries as Experiment.components()
does (a list version gives one entry per element, a node's entries are the
cross product with its sub-components' lists), repeats are built level by
level as parse_experiment does, and only the scheduled (node) component
draws a SEED and a COMPONENT_ID.

It writes schedules.json next to this file; runtime/resolve_test.go replays
every case with the Go resolver, so the tests do not need python3.

    python3 runtime/testdata/gen_schedules.py

Plan description (per case, "plan"):
  components: [{name, version, checkpoint?, flags?, components?}]
      version: null (defaults), a dict (patch) or a list of dicts (one
      alternative per element); components: sub-components of a node,
      each {name, version, flags?}.
  versions:   [dict] experiment-wide patches (.version()), optional; they
      apply before each component's own version.
  repeats:    [{kind: "repeat"|"split", k, name}] in call order; name is ""
      for the default (REPEAT / SPLIT). Where in the plan the call was made
      does not matter: a repeat covers the whole experiment.
"""

import copy
import json
import os
import random

ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def generate_seed(state):
    return state.randint(0, 2**31 - 1)


def generate_component_id(state):
    return "".join(state.choice(ID_ALPHABET) for _ in range(12))


def global_seed_from_int(n):
    return random.Random(n).randint(62**5, 62**6 - 1)


def encode_experiment_id(seed):
    out = ""
    while seed:
        seed, r = divmod(seed, 62)
        out = BASE62[r] + out
    return out.rjust(6, "0")


def update_dict(d, update):
    """2.x's merge: nested dicts merge, anything else replaces."""
    d = dict(d)
    for k, v in update.items():
        if isinstance(v, dict):
            d[k] = update_dict(d.get(k, {}), v)
        else:
            d[k] = copy.deepcopy(v)
    return d


def unpack(comp):
    """A list version gives one entry per element (ExperimentComponent.unpack)."""
    if isinstance(comp.get("version"), list):
        return [dict(comp, version=v) for v in comp["version"]]
    return [comp]


def plan_entries(plan):
    """The entries Experiment.components() records, in order: the node's
    alternatives outermost, then each sub-component's list in turn."""
    entries = []

    def add(node, subs):
        nodes = unpack(node)
        if len(nodes) > 1:
            for n in nodes:
                add(n, subs)
            return
        for i, sub in enumerate(subs):
            alts = unpack(sub)
            if len(alts) > 1:
                for alt in alts:
                    add(node, subs[:i] + [alt] + subs[i + 1:])
                return
        entries.append((node, subs))

    for comp in plan["components"]:
        add(comp, list(comp.get("components", [])))
    return entries


def repeat_combinations(repeats, seed_state):
    """parse_experiment's repeat loop: each level wraps the ones before it."""
    combos = []
    for level, r in enumerate(repeats):
        k, name = r["k"], r["name"] or r["kind"].upper()
        repeat_seed = generate_seed(seed_state)
        suffix = "_" + str(level) if level > 0 else ""
        collection = []
        for n in range(k):
            info = {name + "_SEED" + suffix: repeat_seed,
                    name + "_TOTAL" + suffix: k,
                    name + "_NUMBER" + suffix: n}
            loop = [update_dict(inner, info) for inner in combos] or [info]
            collection.extend(loop)
        combos = collection
    return combos or [{}]


def resolved(comp, exp_versions):
    """Config and flags of one component as get_component makes them."""
    config = {}
    for v in exp_versions + [comp.get("version")]:
        if v is not None:
            config = update_dict(config, v)
    flags = {"TUNING": False, "COMPONENTS_ALIAS": {}, "OUTPUT_REDIRECTION": "SYS_AND_FILE"}
    flags.update(copy.deepcopy(comp.get("flags") or {}))
    if comp.get("checkpoint"):
        flags["CHECKPOINT"] = comp["checkpoint"]
    flags["NAME"] = comp["name"]
    flags["MODULE"] = comp["name"]
    flags["VERSIONING"] = []
    flags["LINEAGE"] = []
    return {"name": comp["name"], "config": config, "flags": flags}


def schedule(global_seed, plan):
    seed_state = random.Random(global_seed)
    id_state = random.Random(global_seed)
    experiment_id = encode_experiment_id(global_seed)
    exp_versions = plan.get("versions", [])
    combos = repeat_combinations(plan.get("repeats", []), seed_state)
    out = []
    for combo in combos:
        for node, subs in plan_entries(plan):
            entry = resolved(node, exp_versions)
            flags = entry["flags"]
            flags["GLOBAL_SEED"] = global_seed
            flags["EXPERIMENT_ID"] = experiment_id
            flags["SUBMISSION_ID"] = experiment_id
            flags["SEED"] = generate_seed(seed_state)
            entry["id"] = generate_component_id(id_state)
            flags["COMPONENT_ID"] = entry["id"]
            flags.update(combo)
            if subs:
                entry["components"] = [resolved(s, exp_versions) for s in subs]
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


def R(k, name="", kind="repeat"):
    return {"kind": kind, "k": k, "name": name}


def S(k, name=""):
    return R(k, name, kind="split")


CASES = [
    # (name, seed int or None, global seed or None, plan)
    ("reference_repeat3", 42, None, {"components": [C("a")], "repeats": [R(3)]}),
    ("seed0_single", 0, None, {"components": [C("a")]}),
    ("seed1_single", 1, None, {"components": [C("a")]}),
    ("seed123456789_repeat2", 123456789, None, {"components": [C("a")], "repeats": [R(2)]}),
    ("two_components", 42, None, {"components": [C("a"), C("b", {"x": 1})]}),
    ("two_components_repeat2", 1, None, {"components": [C("a"), C("b")], "repeats": [R(2)]}),
    ("nested_repeat2_repeat3", 42, None, {"components": [C("a")], "repeats": [R(2), R(3)]}),
    ("triple_repeat_suffix2", 0, None, {"components": [C("a")], "repeats": [R(2), R(2), R(2)]}),
    ("repeat2_split3", 42, None, {"components": [C("a")], "repeats": [R(2), S(3)]}),
    ("split3_fold_repeat2", 42, None, {"components": [C("a")], "repeats": [S(3, name="FOLD"), R(2)]}),
    ("split5", 123456789, None, {"components": [C("a")], "repeats": [S(5)]}),
    ("grid3_repeat2", 42, None, {
        "components": [C("a", [{"lr": 1}, {"lr": 2}, {"lr": 3}])],
        "repeats": [R(2)],
    }),
    ("node_cross_product", 42, None, {
        "components": [C("n", {"depth": 2}, components=[
            C("s1", [{"u": 1}, {"u": 2}]),
            C("s2", {"v": 9}, flags={"SUB": True}),
        ])],
    }),
    ("node_grid_two_list_subs_repeat2", 1, None, {
        "components": [C("n", [{"d": 1}, {"d": 2}], components=[
            C("s1", [{"u": 1}, {"u": 2}]),
            C("s2", [{"v": 1}, {"v": 2}, {"v": 3}]),
        ])],
        "repeats": [R(2)],
    }),
    ("node_then_plain_repeat2", 7, None, {
        "components": [C("n", components=[C("s1"), C("s2")]), C("a")],
        "repeats": [R(2)],
    }),
    # A repeat covers components added after it (2.x: for combination in
    # repeats: for component in components). The SPEC's worked example.
    ("component_after_repeat_seed77", 77, None, {
        "components": [C("a"), C("b")],
        "repeats": [R(2)],
    }),
    ("component_after_repeat", 42, None, {
        "components": [C("a"), C("b")],
        "repeats": [R(3)],
    }),
    ("interleaved_repeats", 0, None, {
        "components": [C("a"), C("b"), C("c")],
        "repeats": [R(2), S(2)],
    }),
    ("custom_name_trial", 42, None, {"components": [C("a")], "repeats": [R(2, name="TRIAL")]}),
    ("custom_name_nested_mixed", 1, None, {
        "components": [C("a")],
        "repeats": [R(2, name="TRIAL"), R(2), R(2, name="TRIAL")],
    }),
    ("repeat0_runs_once_without_flags", 42, None, {"components": [C("a"), C("b")], "repeats": [R(0)]}),
    ("repeat0_then_repeat2", 42, None, {"components": [C("a")], "repeats": [R(0), R(2)]}),
    ("repeat2_then_repeat0", 42, None, {"components": [C("a")], "repeats": [R(2), R(0)]}),
    ("checkpoint_and_flags", 42, None, {
        "components": [C("a", {"lr": 5}, checkpoint="ckpt/a",
                         flags={"MY_FLAG": "x", "LEVEL": 3, "SEED": "user", "NAME": "user"})],
        "repeats": [R(2)],
    }),
    ("experiment_version_before_own", 123456789, None, {
        "components": [C("a", [{"lr": 1}, {"lr": 2}]), C("b")],
        "versions": [{"extra": {"on": True}, "lr": 0.5}],
    }),
    ("experiment_version_reaches_subs", 5, None, {
        "components": [C("n", {"lr": 1}, components=[C("s", {"w": 2})])],
        "versions": [{"lr": 9, "w": 9, "shared": {"x": 1}}],
    }),
    ("explicit_global_seed", None, 62**5, {"components": [C("a"), C("b")], "repeats": [R(2)]}),
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

    seed77 = next(c for c in cases if c["name"] == "component_after_repeat_seed77")
    assert seed77["experiment_id"] == "NUw27p", seed77["experiment_id"]
    got = [(e["name"], e["id"], e["flags"]["SEED"], e["flags"]["REPEAT_SEED"]) for e in seed77["expected"]]
    assert got == [("a", "Chqu8IjOhttq", 597268013, 150008120), ("b", "9kETUVaIwOQm", 1001086201, 150008120),
                   ("a", "qi3oa7T0SvXM", 297086296, 150008120), ("b", "teXR6isMOQTP", 1316071064, 150008120)], got

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schedules.json")
    with open(path, "w") as f:
        json.dump(cases, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
