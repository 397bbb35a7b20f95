"""A training script that knows nothing about machinable but its handover:
MACHINABLE_CONFIG (a JSON file with "config" and "flags"), MACHINABLE_SEED,
and records printed as {"_record": {...}} lines. Standard library only."""
import argparse
import json
import os
import random
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, required=True)
args = parser.parse_args()

with open(os.environ["MACHINABLE_CONFIG"]) as f:
    handover = json.load(f)
config = handover["config"]

random.seed(int(os.environ["MACHINABLE_SEED"]))  # the component's SEED
if config.get("fail"):
    print("diverged: loss is nan", file=sys.stderr)
    sys.exit(3)

loss = 1.0
for epoch in range(config["epochs"]):
    loss = loss * (1 - args.lr) + random.random() * 0.01
    print(json.dumps({"_record": {"epoch": epoch, "loss": loss}}), flush=True)
print("trained", os.environ["MACHINABLE_COMPONENT_ID"], "final loss", loss)
