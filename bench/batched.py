#!/usr/bin/env python3
"""Batched products against 2-D products of the same work, in fresh JVMs (issue 14).

bench/models/batched_matmul.nn: Batched is [8, 4, 128, 32] @ [8, 4, 32, 128]; Stacked the same
rows as one [4096, 32] @ [32, 128] product; Separate 32 instances of Single, one [128, 32] @
[32, 128] product each with arrays of its own, called in turn: the same work over as much memory;
Single one instance called 32 times, the same work on arrays that stay in the caches (2 MB of
Batched's output alone do not), shown for reference. The ratio compares the batched product with
the better of Stacked and Separate, and with Single. For each model, entry (infer: the product, 33.6 MFLOP; gradients: the
gradients of sum(y * t) for both operands, three products, 100.7 MFLOP) and JDK, AppLoop runs in
--jvms fresh JVMs (a plain loop warmed up until the JIT is quiet, then 5 timed blocks); the
figure is the median over the JVMs of each one's median block, with max/min over the JVMs.

Usage (from the repository root, after bench/batched has built the test classes):
    bench/batched [--engine vector|scalar] [--jvms N]
"""
import statistics
import sys

from compare import app_loop  # bench/compare.py, beside this script: one fresh JVM running AppLoop

JDKS = [("17", "java"), ("25", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")]
MODELS = (("batched", 1), ("stacked", 1), ("separate", 1), ("single", 32))  # (model, calls for the same work)
MFLOP = {"infer": 2 * 4096 * 32 * 128 / 1e6, "gradients": 3 * 2 * 4096 * 32 * 128 / 1e6}


def options(argv):
    engine, jvms = "vector", 3
    i = 0
    while i < len(argv):
        if argv[i] == "--engine" and i + 1 < len(argv) and argv[i + 1] in ("vector", "scalar"):
            engine = argv[i + 1]
        elif argv[i] == "--jvms" and i + 1 < len(argv) and argv[i + 1].isdigit() and int(argv[i + 1]) > 0:
            jvms = int(argv[i + 1])
        else:
            sys.exit(f"bench/batched: unknown or incomplete option {argv[i]!r}\n" + __doc__.split("Usage")[1])
        i += 2
    return engine, jvms


def main():
    engine, jvms = options(sys.argv[1:])
    runs = {}
    for jdk, java in JDKS:
        for _ in range(jvms):  # interleaved: each round runs every figure once
            for model, _ in MODELS:
                for entry in MFLOP:
                    runs.setdefault((jdk, model, entry), []).append(app_loop(java, f"bmm:{model},{engine},f32,{entry}"))
    print(f"{engine} backend, f32, one thread; µs for the work of one batched product (Separate: 32 instances, one call each; "
          f"Single: 32 calls), median over "
          f"{jvms} fresh JVMs (max/min), GFLOP/s, bytes per call (the largest)")
    print()
    print("| JDK | entry | batched | stacked | separate ×32 | single ×32 | batched ÷ best of stacked, separate | batched ÷ single |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for jdk, _ in JDKS:
        for entry, mflop in MFLOP.items():
            cells, rates = [], {}
            for model, calls in MODELS:
                us = [r["median_us"] * calls for r in runs[(jdk, model, entry)]]
                med = statistics.median(us)
                rates[model] = mflop / med * 1e3
                worst = max(r["bytes_per_call"] for r in runs[(jdk, model, entry)])
                cells.append(f"{med:.1f} ({max(us) / min(us):.2f}) {rates[model]:.1f} GFLOP/s, {worst} B")
            best = max(rates["stacked"], rates["separate"])
            print(f"| {jdk} | {entry} | " + " | ".join(cells) + f" | {rates['batched'] / best:.2f} | {rates['batched'] / rates['single']:.2f} |")


if __name__ == "__main__":
    main()
