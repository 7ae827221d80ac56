#!/usr/bin/env python3
"""nnc against PyTorch eager on the workloads of PERFORMANCE.md, measured in one run.

Usage (from the repository root):
    bench/compare            # the wrapper sets the BLAS environment and runs this script
    bench/compare --quick    # one JMH fork and shorter iterations
    bench/compare --readme   # also replace the table in README.md (between the perf-table markers)

For each workload it times PyTorch (1 thread, f32, eager) and then runs the JMH benchmark of
the same workload (src/test/java/dev/nnc/bench/WorkloadsBench.java) on the scalar and the vector
backend, so the two are interleaved; then the square matrix products against numpy/OpenBLAS.
It prints one Markdown table of medians and ratios (PyTorch time / nnc time: above 1 means nnc
is faster), with the JDK, the backends and the BLAS kernel named.
"""
import ctypes
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

QUICK = "--quick" in sys.argv
README = "--readme" in sys.argv
LINES = []


def emit(line=""):
    """Prints one line of the report and keeps it for --readme."""
    print(line, flush=True)
    LINES.append(line)


def write_readme():
    """Replaces the text between the perf-table markers of README.md with this run's report."""
    begin, end = "<!-- perf-table:begin (bench/compare --readme) -->", "<!-- perf-table:end -->"
    with open("README.md", encoding="utf-8") as f:
        text = f.read()
    i, j = text.find(begin), text.find(end)
    if i < 0 or j < i:
        sys.exit("README.md has no perf-table markers")
    text = text[:i + len(begin)] + "\n" + "\n".join(LINES) + "\n" + text[j:]
    tmp = "README.md.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, "README.md")
torch.set_num_threads(1)
torch.manual_seed(0)


def median_us(fn, calls, rounds):
    """Median over rounds of the mean time per call, in microseconds."""
    for _ in range(max(3, rounds // 5)):
        fn()
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - t0) / calls * 1e6)
    return statistics.median(samples)


def mlp(sizes, act, dropout=0.0):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(act())
            if dropout:
                layers.append(torch.nn.Dropout(dropout))
    return torch.nn.Sequential(*layers)


def torch_workload(name, batch):
    if name == "w1":
        model = mlp([331, 256, 1], torch.nn.ReLU, 0.2)
        x, y = torch.randn(batch, 331), torch.randn(batch, 1)
        loss_fn = torch.nn.MSELoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, weight_decay=1e-4)
    elif name == "w2":
        model = mlp([784, 256, 10], torch.nn.ReLU)
        x, y = torch.randn(batch, 784), torch.randint(0, 10, (batch,))
        loss_fn = torch.nn.CrossEntropyLoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
    else:
        model = mlp([2, 16, 16, 1], torch.nn.Tanh)
        x, y = torch.randn(batch, 2), torch.randn(batch, 1)
        loss_fn = torch.nn.MSELoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def train():
        model.train()
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    def infer():
        with torch.no_grad():
            model(x)

    model.eval()
    calls = 20 if name != "w3" and batch > 1 else 200
    rounds = 10 if QUICK else 30
    t_train = median_us(train, calls, rounds)
    model.eval()
    t_infer = median_us(infer, calls, rounds)
    return {"trainStep": t_train, "infer": t_infer}


def jmh(bench, params):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    args = ["bench/run", bench, "-rf", "json", "-rff", out]
    if QUICK:
        args += ["-f", "1", "-wi", "3", "-i", "3"]
    for k, v in params.items():
        args += ["-p", f"{k}={v}"]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        data = json.load(f)
    os.unlink(out)
    results = {}
    for r in data:
        method = r["benchmark"].rsplit(".", 1)[1]
        key = (method,) + tuple(r["params"][k] for k in sorted(r["params"]))
        results[key] = r["primaryMetric"]["score"]
    return results


def blas_core():
    for lib in ("libopenblas.so.0", "libopenblasp-r0.3.21.so", "libopenblas.so"):
        try:
            l = ctypes.CDLL(lib)
            l.openblas_get_corename.restype = ctypes.c_char_p
            return "OpenBLAS " + l.openblas_get_corename().decode()
        except OSError:
            continue
    return "unknown BLAS"


def main():
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    emit(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {java}; PyTorch {torch.__version__} eager, 1 thread; "
         f"numpy {np.__version__} with {blas_core()}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    emit()
    emit("| workload | call | PyTorch µs | nnc scalar µs | ratio | nnc vector µs | ratio |")
    emit("|---|---|---:|---:|---:|---:|---:|")
    for name, batch, label in [("w1", 64, "W1 house, batch 64"), ("w2", 256, "W2 mnist, batch 256"),
                               ("w2", 1, "W2 mnist, batch 1"), ("w3", 1, "W3 tiny, batch 1")]:
        t = torch_workload(name, batch)
        j = jmh("WorkloadsBench", {"workload": f"{name}:{batch}", "precision": "f32", "engine": "scalar,vector"})
        for call in ("trainStep", "infer"):
            s = j[(call, "scalar", "f32", "1", f"{name}:{batch}")]
            v = j[(call, "vector", "f32", "1", f"{name}:{batch}")]
            emit(f"| {label} | {call} | {t[call]:.1f} | {s:.1f} | {t[call] / s:.2f}× | {v:.1f} | {t[call] / v:.2f}× |")
    emit()
    emit("| square f32 matmul | numpy/OpenBLAS GFLOP/s | nnc scalar GFLOP/s | nnc vector GFLOP/s | vector / OpenBLAS |")
    emit("|---|---:|---:|---:|---:|")
    j = jmh("MatmulBench", {"n": "256,512,1024", "engine": "scalar,vector"})
    for n in (256, 512, 1024):
        a = np.random.randn(n, n).astype(np.float32)
        b = np.random.randn(n, n).astype(np.float32)
        t = median_us(lambda: a @ b, 5 if n < 1024 else 2, 10 if QUICK else 20)
        flops = 2.0 * n ** 3
        g_np = flops / t / 1e3
        g_s = flops / j[("matmul", "scalar", str(n))] / 1e3
        g_v = flops / j[("matmul", "vector", str(n))] / 1e3
        emit(f"| {n} | {g_np:.1f} | {g_s:.1f} | {g_v:.1f} | {g_v / g_np:.0%} |")
    if README:
        write_readme()


if __name__ == "__main__":
    main()
