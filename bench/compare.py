#!/usr/bin/env python3
"""nnc against its peers on the workloads of PERFORMANCE.md, measured in one run.

Usage (from the repository root):
    bench/compare            # the wrapper sets the BLAS environment and runs this script
    bench/compare --quick    # one JMH fork, shorter iterations, 2 fresh JVMs per figure
    bench/compare --readme   # also replace the tables in README.md (between the perf-table markers)
    bench/compare --jvms N   # fresh JVMs per application-loop figure (default 5)
    bench/compare --heavy-jvms N --heavy-warm-s S   # for W4-W6: N fresh JVMs (default 3), warm-up cut at S s (default 120)
    bench/compare --quick --only w3:1   # a smoke test: only these workloads (comma-separated)
    bench/compare --only w4:64,w5:16,conv   # W4 and W5, and the convolution's FLOP rate ("conv")
    bench/compare --readme --only w6:8      # measure W6 only and merge its rows into README's tables

With --readme and --only, the rows measured replace the README's rows of the same workload and
call (the others stay, each table row names the run that measured it, and the runs are listed
above the tables); without --only, the tables are replaced whole.

The peers first (bench/peers.py, one thread, f32): PyTorch 1.13 eager (Debian's python3-torch),
and from bench/.venv (bench/setup-peers) PyTorch 2.x eager, torch.compile and JAX jit (pinned to
one core with taskset); without bench/.venv those columns are skipped, and the report says so.
Then nnc's generated classes of bench/models/*.nn on JDK 17 (java on PATH) and JDK 25 (Temurin):
JMH (src/test/java/dev/nnc/bench/WorkloadsBench.java) and the application loop (AppLoop.java: a
fresh JVM per figure, a plain loop warmed up until the JIT is quiet, then 5 timed blocks, the
median block), whose figure is the median over the fresh JVMs, with their max/min spread. The heavy
workloads (W4-W6: a call of milliseconds, so the warm-up of 8,000 calls or 120 s takes minutes) get
the application loop only, no JMH, and at most 3 fresh JVMs per figure. Then
the convolution of W5 alone against the 2-d product of the same size (ConvBench), and the square
matrix products against numpy/OpenBLAS. Ratios are peer time / nnc time: above 1
means nnc is faster.
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

from peers import median_us  # bench/peers.py, beside this script

def check_options(argv):
    """Stops with the usage on an option this script does not take (it would otherwise run for half an hour)."""
    usage = "Usage" + __doc__.split("Usage")[1].split("\n\n")[0]
    i = 0
    while i < len(argv):
        if argv[i] in ("-h", "--help"):
            print(usage)
            sys.exit(0)
        if argv[i] in ("--quick", "--readme"):
            i += 1
        elif argv[i] in ("--jvms", "--only", "--heavy-jvms", "--heavy-warm-s") and i + 1 < len(argv) and (argv[i] == "--only" or argv[i + 1].isdigit()):
            i += 2
        else:
            sys.exit(f"bench/compare: unknown or incomplete option {argv[i]!r}\n{usage}")


QUICK = "--quick" in sys.argv
README = "--readme" in sys.argv
def int_option(name, default):
    """The value of option name, else default (also for a bad value: main's check_options then stops with the usage)."""
    i = sys.argv.index(name) + 1 if name in sys.argv else len(sys.argv)
    return int(sys.argv[i]) if i < len(sys.argv) and sys.argv[i].isdigit() else default


JVMS = int_option("--jvms", 2 if QUICK else 5)
JDKS = [("17", "java"), ("25", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")]
VENV_PYTHON = "bench/.venv/bin/python"
WORKLOADS = [("w1:64", "W1 house, batch 64"), ("w2:256", "W2 mnist, batch 256"),
             ("w2:1", "W2 mnist, batch 1"), ("w3:1", "W3 tiny, batch 1"),
             ("w4:64", "W4 LeNet-5, batch 64"), ("w5:16", "W5 ResNet block, batch 16")]
# W6 of issue 16: the encoder block of bench/models/w6_block.nn at batch 8 and sequence 128, and its attention
# alone at sequence 1024 (bench/models/attn_1024.nn), against PyTorch eager only
WORKLOADS += [("w6:8", "W6 block, batch 8"), ("attn:1024", "W6 attention alone, seq 1024")]
ONLY = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
if ONLY:  # a smoke test of the script on some workloads, e.g. --only w3:1
    WORKLOADS = [w for w in WORKLOADS if w[0] in ONLY]
CALLS = ("trainStep", "infer")


def calls(w):
    """The entries measured of workload w, each with the name of the peers' figure it compares with."""
    if w.startswith("attn:"):  # the attention alone: forward, and forward with backward
        return (("infer", "forward"), ("gradients", "backward"))
    return tuple((c, c) for c in CALLS)


# a call of milliseconds: application loop only (the JMH columns say "—"), fewer fresh JVMs, and a warm-up cut
# after HEAVY_WARM_S seconds if 8,000 calls take longer (the bytes column then shows whether C1 code was measured)
HEAVY = {"w4:64", "w5:16", "w6:8", "attn:1024"}
HEAVY_JVMS = int_option("--heavy-jvms", min(JVMS, 3))
HEAVY_WARM_S = int_option("--heavy-warm-s", 120)
STAMP = time.strftime("%Y-%m-%d %H:%M", time.gmtime())  # names this run in the README's tables
# targets of issues 12, 15 and 16 (vector application loop vs PyTorch 1.13 eager)
TARGETS = {("w1:64", "trainStep"): 3, ("w1:64", "infer"): 1.5, ("w2:256", "trainStep"): 1, ("w2:1", "infer"): 2,
           ("w3:1", "trainStep"): 100, ("w3:1", "infer"): 100,
           ("w4:64", "trainStep"): 2, ("w4:64", "infer"): 1.5, ("w5:16", "trainStep"): 1, ("w6:8", "trainStep"): 1.5,
           ("attn:1024", "infer"): 1}
LINES = []


def emit(line=""):
    """Prints one line of the report and keeps it for --readme."""
    print(line, flush=True)
    LINES.append(line)


def write_readme():
    """Replaces the text between the perf-table markers of README.md with this run's report, or with
    --only merges this run's rows into the tables there (see the module's doc)."""
    begin, end = "<!-- perf-table:begin (bench/compare --readme) -->", "<!-- perf-table:end -->"
    with open("README.md", encoding="utf-8") as f:
        text = f.read()
    i, j = text.find(begin), text.find(end)
    if i < 0 or j < i:
        sys.exit("README.md has no perf-table markers")
    lines = merge_report(text[i + len(begin):j].strip("\n").split("\n"), LINES) if ONLY else LINES
    text = text[:i + len(begin)] + "\n" + "\n".join(lines) + "\n" + text[j:]
    tmp = "README.md.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, "README.md")


def cells(row):
    return [c.strip() for c in row.strip().strip("|").split("|")]


def parse_report(lines):
    """A report as items: ["run", stamp, line], ["table", header, rule, rows] or ["text", line]."""
    items = []
    for line in lines:
        if line.startswith("run "):
            items.append(["run", line[4:20], line])
        elif line.startswith("|") and items and items[-1][0] == "table":
            t = items[-1]
            if t[2] is None:
                t[2] = line
            else:
                t[3].append(line)
        elif line.startswith("|"):
            items.append(["table", line, None, []])
        else:
            items.append(["text", line])
    return items


def merge_report(old_lines, new_lines):
    """This run's report, with the rows of the README's tables it did not measure kept: a row is
    replaced by this run's row of the same workload and call (first two cells, or the first where
    the table has one key column); old tables this run did not produce are kept after its own."""
    old, new = parse_report(old_lines), parse_report(new_lines)
    name = lambda table: " | ".join(cells(table[1])[:3])  # W1-W6 rows against nnc's own figures, or against the peers
    old_tables = {name(t): t for t in old if t[0] == "table"}
    out_items = []
    for item in new:
        if item[0] != "table" or name(item) not in old_tables:
            out_items.append(item)
            continue
        prev = old_tables.pop(name(item))
        if prev[1] != item[1]:
            sys.exit(f"README's table {name(item)!r} has other columns than this run's "
                     f"({prev[1]} against {item[1]}): run without --only to replace the tables")
        keyed = 2 if cells(item[1])[1] == "call" else 1
        fresh = {tuple(cells(r)[:keyed]): r for r in item[3]}
        rows = [fresh.pop(tuple(cells(r)[:keyed]), r) for r in prev[3]] + list(fresh.values())
        out_items.append(["table", item[1], item[2], rows])
    for t in old_tables.values():
        out_items += [["text", ""], t]
    used = {cells(r)[-1] for t in out_items if t[0] == "table" for r in t[3]}
    runs = {r[1]: r[2] for r in old + new if r[0] == "run" and r[1] in used}
    lines = [runs[k] for k in sorted(runs, reverse=True)]
    for item in out_items:
        if item[0] == "text":
            lines.append(item[1])
        elif item[0] == "table":
            lines += [item[1], item[2]] + item[3]
    return lines


def peers():
    """{(engine label): {workload: {call: us}}} and the notes naming versions or what was skipped."""
    ws = [w for w, _ in WORKLOADS]
    quick = ["--quick"] if QUICK else []
    runs = [("PyTorch 1.13 eager", ["/usr/bin/python3", "bench/peers.py", "eager"], "eager")]
    notes = []
    if os.path.exists(VENV_PYTHON):
        runs += [("PyTorch 2 eager", [VENV_PYTHON, "bench/peers.py", "eager"], "eager"),
                 ("torch.compile", [VENV_PYTHON, "bench/peers.py", "compile"], "compile"),
                 ("JAX jit", ["taskset", "-c", "0", VENV_PYTHON, "bench/peers.py", "jax"], "jax")]
    else:
        notes.append(f"{VENV_PYTHON} missing (run bench/setup-peers): PyTorch 2, torch.compile and JAX skipped")
    out = {}
    blas = debian_blas()
    if "openblas" not in blas:
        # Debian's PyTorch 1.13 calls libblas.so.3: the reference BLAS unless an OpenBLAS provides it, several times slower
        raise SystemExit(f"bench/compare: libblas.so.3 is {blas}, not OpenBLAS, so PyTorch 1.13's figures would not be valid: "
                         "apt-get install libopenblas0-pthread")
    notes.append(f"PyTorch 1.13's libblas.so.3: {blas}")
    for label, cmd, engine in runs:
        env = dict(os.environ, XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
        r = subprocess.run(cmd + ws + quick, check=True, capture_output=True, text=True, env=env)
        data = json.loads(r.stdout.strip().splitlines()[-1])
        if not data["results"]:  # a column of "—" all the same, so that README's tables keep their columns (--only)
            notes.append(f"{label} skipped: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else 'no result'}")
            out[label] = {w: None for w in ws}
            continue
        # an engine may leave out workloads it has no model for (JAX: W4, W5; W6 is measured against PyTorch eager only)
        out[label] = {w: data["results"].get(w, {}).get(engine) for w in ws}
        notes.append(label + " " + " ".join(f"{k} {v}" for k, v in data["versions"].items()))
    return out, notes


def debian_blas():
    """The library Debian's libblas.so.3 resolves to (the BLAS PyTorch 1.13 from python3-torch runs on)."""
    path = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
    return os.path.realpath(path) if os.path.exists(path) else "missing"


def java_version(java):
    return subprocess.run([java, "-version"], capture_output=True, text=True).stderr.splitlines()[0]


def app_loop(java, spec, max_warm_s=120):
    """One fresh JVM running AppLoop on spec: its median block, µs per call (and the bytes per call)."""
    cp = "target/test-classes:target/classes:" + open("target/bench.classpath").read().strip()
    args = [java, "-Xss16m", "--add-modules", "jdk.incubator.vector", "-cp", cp, "dev.nnc.bench.AppLoop",
            "--time", "5", "--block-ms", "200" if QUICK else "500", "--max-warm-s", str(max_warm_s), spec]
    r = subprocess.run(args, check=True, capture_output=True, text=True)
    data = json.loads(r.stdout.strip().splitlines()[-1])
    print(f"app loop {spec} ({java}): {data['median_us']:.1f} us, {data['bytes_per_call']} B/call, "
          f"other processes {others_cpu(data)} cores, host {host_gflops(data)} GFLOP/s", file=sys.stderr)
    return data


def others_cpu(run):
    """The cores' worth of CPU other processes used during an AppLoop run's timed blocks, as text."""
    return "?" if run.get("others_cpu") is None else f"{run['others_cpu']:.2f}"


def host_gflops(run):
    """The host's floating-point rate beside an AppLoop run's timed blocks (AppLoop's host_gflops, HostSpeed), as text."""
    return "?" if run.get("host_gflops") is None else f"{run['host_gflops']:.2f}"


def jmh(bench, params, java="java"):
    """JMH's scores by (method, params...), and the max/min spread of each one's fork means."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    args = ["bench/run", bench, "-rf", "json", "-rff", out]
    if QUICK:
        args += ["-f", "1", "-wi", "3", "-i", "3"]
    for k, v in params.items():
        args += ["-p", f"{k}={v}"]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, JAVA=java))
    with open(out) as f:
        data = json.load(f)
    os.unlink(out)
    results, spreads = {}, {}
    for r in data:
        method = r["benchmark"].rsplit(".", 1)[1]
        key = (method,) + tuple(r["params"][k] for k in sorted(r["params"]))
        results[key] = r["primaryMetric"]["score"]
        forks = [statistics.mean(f) for f in r["primaryMetric"]["rawData"]]
        spreads[key] = max(forks) / min(forks)
    return results, spreads


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
    check_options(sys.argv[1:])
    t_start = time.time()
    subprocess.run(["mvn", "-q", "-B", "-ntp", "-DskipTests", "test-compile", "dependency:build-classpath",
                    "-Dmdep.outputFile=target/bench.classpath", "-Dmdep.includeScope=test"], check=True, stdout=sys.stderr)
    peer, notes = peers()
    jmh_v, app = {}, {}
    scalar = None
    for jdk, java in JDKS:
        engines = "scalar,vector" if scalar is None else "vector"
        jmh_v[jdk] = {}
        for w, _ in WORKLOADS:
            if w in HEAVY:
                continue
            scores, spreads = jmh("WorkloadsBench", {"workload": w, "precision": "f32", "engine": engines}, java)
            for call, _ in calls(w):
                key = (call, "vector", "f32", "1", w)
                jmh_v[jdk][(w, call)] = (scores[key], spreads[key])
                if engines.startswith("scalar"):
                    scalar = scalar or {}
                    skey = (call, "scalar", "f32", "1", w)
                    scalar[(w, call)] = (scores[skey], spreads[skey])
        # fresh JVMs, interleaved: round r runs every figure once
        runs = {}
        for r in range(JVMS):
            for w, _ in WORKLOADS:
                if w in HEAVY and r >= HEAVY_JVMS:
                    continue
                for call, _ in calls(w):
                    runs.setdefault((w, call), []).append(app_loop(java, f"{w},vector,f32,{call}", HEAVY_WARM_S if w in HEAVY else 120))
        app[jdk] = runs

    emit(f"run {STAMP} UTC: f32, one thread; " + "; ".join(f"JDK {jdk}: {java_version(java)}" for jdk, java in JDKS)
         + f"; peers: {'; '.join(notes)}; numpy {np.__version__} with {blas_core()}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    emit()
    emit(f"nnc, µs per call: JMH (2 forks; max/min of the fork means) and the application loop (median over {JVMS} "
         f"fresh JVMs of each one's median block, {HEAVY_JVMS} for W4-W6 with a warm-up of 8,000 calls or {HEAVY_WARM_S} s; max/min over the JVMs); bytes: allocated "
         "per call in the timed blocks, the largest over the JVMs; run: the run that measured the row (above).")
    emit()
    head = f"| workload | call | scalar JMH {JDKS[0][0]} |"
    rule = "|---|---|---:|"
    for jdk, _ in JDKS:
        head += f" vector JMH {jdk} | vector app loop {jdk} | bytes |"
        rule += "---:|---:|---:|"
    emit(head + " run |")
    emit(rule + "---|")
    jmh_cell = lambda table, key: f"{table[key][0]:.1f} ({table[key][1]:.2f})" if key in table else "—"
    for w, label in WORKLOADS:
        for call, _ in calls(w):
            row = f"| {label} | {call} | {jmh_cell(scalar or {}, (w, call))} |"
            for jdk, _ in JDKS:
                meds = [r["median_us"] for r in app[jdk][(w, call)]]
                row += (f" {jmh_cell(jmh_v[jdk], (w, call))} | **{statistics.median(meds):.1f}** ({max(meds) / min(meds):.2f}) |"
                        f" {max(r['bytes_per_call'] for r in app[jdk][(w, call)])} |")
            emit(row + f" {STAMP} |")
    emit()
    wide = []
    for w, label in WORKLOADS:
        for call, _ in calls(w):
            for jdk, _ in JDKS:
                rs = app[jdk][(w, call)]
                slow, fast = max(rs, key=lambda r: r["median_us"]), min(rs, key=lambda r: r["median_us"])
                if slow["median_us"] / fast["median_us"] > 1.2:
                    wide.append(f"{label} {call} JDK {jdk}: slowest JVM {slow['median_us']:.1f} µs ({others_cpu(slow)} cores, "
                                f"host {host_gflops(slow)} GFLOP/s), fastest {fast['median_us']:.1f} µs ({others_cpu(fast)}, "
                                f"{host_gflops(fast)})")
    if wide:
        emit(f"Spreads above 1.2 in run {STAMP}, with, for the slowest and the fastest JVM, the cores' worth of CPU other processes "
             "used during its timed blocks (AppLoop's others_cpu) and the host's floating-point rate beside them (host_gflops: "
             "twelve chains of scalar fused multiply-adds; a lower rate with others_cpu near 0 means something outside this "
             "machine shared the core): " + "; ".join(wide) + ".")
        emit()
    emit("Against the peers: µs per call, and the ratio peer ÷ nnc vector application loop (JDK 17 / JDK 25); "
         "above 1, nnc is faster. Target: the issues' minimum ratio against PyTorch 1.13 eager.")
    emit()
    labels = list(peer)
    emit("| workload | call | " + " | ".join(labels) + " | target | run |")
    emit("|---|---|" + "---:|" * len(labels) + "---:|---|")
    for w, label in WORKLOADS:
        for call, peer_call in calls(w):
            nnc = {jdk: statistics.median(r["median_us"] for r in app[jdk][(w, call)]) for jdk, _ in JDKS}
            cells = []
            for l in labels:
                if peer[l][w] is None:
                    cells.append("—")
                    continue
                t = peer[l][w][peer_call]
                ratios = " / ".join(f"{t / nnc[jdk]:.2f}×" for jdk, _ in JDKS)
                cells.append(f"{t:.1f} ({ratios})")
            target = TARGETS.get((w, call))
            emit(f"| {label} | {call} | " + " | ".join(cells) + f" | {f'≥ {target}×' if target else ''} | {STAMP} |")
    if not ONLY or "conv" in ONLY:
        conv_rate()
    if ONLY and "matmul" not in ONLY:
        return finish(t_start)
    emit()
    emit("| square f32 matmul | numpy/OpenBLAS GFLOP/s | nnc scalar GFLOP/s | nnc vector GFLOP/s | vector / OpenBLAS | run |")
    emit("|---|---:|---:|---:|---:|---|")
    j, _ = jmh("MatmulBench", {"n": "256,512,1024", "engine": "scalar,vector"})
    for n in (256, 512, 1024):
        a = np.random.randn(n, n).astype(np.float32)
        b = np.random.randn(n, n).astype(np.float32)
        t = median_us(lambda: a @ b, 5 if n < 1024 else 2, 10 if QUICK else 20)
        flops = 2.0 * n ** 3
        g_np = flops / t / 1e3
        g_s = flops / j[("matmul", "scalar", str(n))] / 1e3
        g_v = flops / j[("matmul", "vector", str(n))] / 1e3
        emit(f"| {n} | {g_np:.1f} | {g_s:.1f} | {g_v:.1f} | {g_v / g_np:.0%} | {STAMP} |")
    finish(t_start)


def conv_rate():
    """W5's convolution forward alone against the 2-d product of the same size (ConvBench), and PyTorch's."""
    flops = 2.0 * 64 * 576 * 16 * 1024
    r = subprocess.run(["/usr/bin/python3", "bench/peers.py", "eager", "conv:16"] + (["--quick"] if QUICK else []),
                       check=True, capture_output=True, text=True)
    t = json.loads(r.stdout.strip().splitlines()[-1])["results"]["conv:16"]["eager"]["infer"]
    j, _ = jmh("ConvBench", {"engine": "scalar,vector"})
    emit()
    emit("| W5 convolution forward, f32, JMH 17 | PyTorch 1.13 GFLOP/s | nnc scalar GFLOP/s | nnc vector GFLOP/s | "
         "2-d product [64, 576]·[576, 16384], nnc vector GFLOP/s | vector convolution / product | run |")
    emit("|---|---:|---:|---:|---:|---:|---|")
    g_t = flops / t / 1e3
    g_s, g_v = flops / j[("conv", "scalar")] / 1e3, flops / j[("conv", "vector")] / 1e3
    g_p = flops / j[("product", "vector")] / 1e3
    emit(f"| 16 × 64 → 64 channels, 3×3, 32×32 | {g_t:.1f} | {g_s:.1f} | {g_v:.1f} | {g_p:.1f} | {g_v / g_p:.0%} | {STAMP} |")


def finish(t_start):
    print(f"bench/compare took {(time.time() - t_start) / 60:.0f} min", file=sys.stderr)
    if README:
        write_readme()


if __name__ == "__main__":
    main()
