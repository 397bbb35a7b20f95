#!/usr/bin/env python3
"""Writes vectors.jsonl: format(value, spec) as CPython computes it, for
pyformat's tests. Run: python3 gen.py > vectors.jsonl"""
import json
import math

ints = [0, 1, -1, 7, 42, -42, 255, 1234, 1234567, -1234567, 2**70, -(2**65)]
int_specs = ["", "d", "5", "<5", "^7", "*^9", "=+8", "+", " ", "05", "010,", "08,", ",", "_",
             "x", "#x", "X", "#X", "o", "#o", "b", "#b", "_b", "#_x", "08b", ".2f", "e", "g", "%", ",.1f", "c"]
floats = [0.0, -0.0, 1.0, -1.5, 0.1, 2.5, 3.14159265358979, 1234.5, -1234567.891, 1e16, 1e15,
          123456789.0, 0.0001, 0.00001, 1e100, 1e-100, 12.0, 100.0, 0.5, 1.005, 2 / 3,
          float("inf"), float("-inf"), float("nan"), 5e-324, 1.7976931348623157e308]
float_specs = ["", ".4f", ".2f", ".0f", "f", "#.0f", "e", ".3e", "E", ".0e", "#.0e", "g", ".3g", ".1g",
               "#g", "#.3g", "G", ".2", ".3", ".10", "%", ".1%", ",", ",.2f", "_.3f", "010.3f", "+.2f",
               " .2f", "<10.2f", ">10.2f", "^10.2f", "=+10.2f", "*>12,.2f", "z.1f", "012,.2f", "n", "10"]
strs = ["", "abc", "h\u00e9llo", "a longer string"]
str_specs = ["", "s", "10", "<10", ">10", "^10", "*^11", ".2", "10.3", "05", "x<6"]


def value(v):
    if isinstance(v, float):
        return repr(v)  # "nan", "inf", "-inf" included
    return str(v)


for v in ints:
    for s in int_specs:
        if s == "c" and not 0 <= v < 0x110000:
            continue
        print(json.dumps(["int", value(v), s, format(v, s)], ensure_ascii=False))
for v in floats:
    for s in float_specs:
        print(json.dumps(["float", value(v), s, format(v, s)], ensure_ascii=False))
for v in strs:
    for s in str_specs:
        print(json.dumps(["str", v, s, format(v, s)], ensure_ascii=False))
