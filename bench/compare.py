#!/usr/bin/env python3
"""nnc against PyTorch eager on the workloads of PERFORMANCE.md, measured in one run.

Usage (from the repository root):
    bench/compare            # the wrapper sets the BLAS environment and runs this script
    bench/compare --quick    # one JMH fork and shorter iterations
    bench/compare --readme   # also replace the table in README.md (between the perf-table markers)
    bench/compare --only=w4,w5,conv   # some rows only (w1 … w5, conv, matmul); W4 and W5 with one command

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
# --only w4,w5,conv: just those rows (names: w1 … w5, conv, matmul)
ONLY = next((a.split("=", 1)[1].split(",") for a in sys.argv if a.startswith("--only=")), None)
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


class LeNet(torch.nn.Module):
    """W4: bench/models/w4_lenet.nn."""

    def __init__(self):
        super().__init__()
        self.c1, self.c2 = torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.Conv2d(6, 16, 5)
        self.f = mlp([400, 120, 84, 10], torch.nn.ReLU)

    def forward(self, x):
        F = torch.nn.functional
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.f(x.flatten(1))


class ResnetBlock(torch.nn.Module):
    """W5: bench/models/w5_resnet.nn."""

    def __init__(self, c=64):
        super().__init__()
        self.c1, self.c2 = torch.nn.Conv2d(c, c, 3, padding=1, bias=False), torch.nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.n1, self.n2 = torch.nn.BatchNorm2d(c), torch.nn.BatchNorm2d(c)
        self.head = torch.nn.Linear(c, 10)

    def forward(self, x):
        F = torch.nn.functional
        y = F.relu(self.n1(self.c1(x)))
        y = F.relu(self.n2(self.c2(y)) + x)
        return self.head(y.mean((2, 3)))


def torch_workload(name, batch):
    if name == "w4":
        model = LeNet()
        x, y = torch.randn(batch, 1, 28, 28), torch.randint(0, 10, (batch,))
        loss_fn = torch.nn.CrossEntropyLoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
    elif name == "w5":
        model = ResnetBlock()
        x, y = torch.randn(batch, 64, 32, 32), torch.randint(0, 10, (batch,))
        loss_fn = torch.nn.CrossEntropyLoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
    elif name == "w1":
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
    calls = {"w4": 5, "w5": 2, "w3": 200}.get(name, 20 if batch > 1 else 200)
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
    workloads = [("w1", 64, "W1 house, batch 64"), ("w2", 256, "W2 mnist, batch 256"), ("w2", 1, "W2 mnist, batch 1"),
                 ("w3", 1, "W3 tiny, batch 1"), ("w4", 64, "W4 LeNet-5, batch 64"), ("w5", 16, "W5 ResNet block, batch 16")]
    if ONLY:
        workloads = [w for w in workloads if w[0] in ONLY]
    for name, batch, label in workloads:
        t = torch_workload(name, batch)
        j = jmh("WorkloadsBench", {"workload": f"{name}:{batch}", "precision": "f32", "engine": "scalar,vector"})
        for call in ("trainStep", "infer"):
            s = j[(call, "scalar", "f32", "1", f"{name}:{batch}")]
            v = j[(call, "vector", "f32", "1", f"{name}:{batch}")]
            emit(f"| {label} | {call} | {t[call]:.1f} | {s:.1f} | {t[call] / s:.2f}× | {v:.1f} | {t[call] / v:.2f}× |")
    if not ONLY or "conv" in ONLY:
        conv_rates()
    if ONLY and "matmul" not in ONLY:
        return finish()
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
    finish()


def conv_rates():
    """W5's convolution forward alone against the 2-d product of the same size, and PyTorch's."""
    flops = 2.0 * 64 * 576 * 16 * 1024
    conv = torch.nn.Conv2d(64, 64, 3, padding=1, bias=False)
    x = torch.randn(16, 64, 32, 32)
    with torch.no_grad():
        t = median_us(lambda: conv(x), 2, 10 if QUICK else 20)
    j = jmh("ConvBench", {"engine": "scalar,vector"})
    emit()
    emit("| W5 convolution forward, f32 | PyTorch GFLOP/s | nnc scalar GFLOP/s | nnc vector GFLOP/s | "
         "2-d product [64, 576]·[576, 16384], nnc vector GFLOP/s | vector convolution / product |")
    emit("|---|---:|---:|---:|---:|---:|")
    g_t = flops / t / 1e3
    g_s, g_v = flops / j[("conv", "scalar")] / 1e3, flops / j[("conv", "vector")] / 1e3
    g_p = flops / j[("product", "vector")] / 1e3
    emit(f"| 16 × 64 → 64 channels, 3×3, 32×32 | {g_t:.1f} | {g_s:.1f} | {g_v:.1f} | {g_p:.1f} | {g_v / g_p:.0%} |")


def finish():
    if README:
        write_readme()


if __name__ == "__main__":
    main()
