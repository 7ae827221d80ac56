#!/usr/bin/python3
"""Writes the PyTorch conformance fixtures of nnc.

Run from anywhere with the Debian interpreter (python3-torch, python3-numpy; no pip packages):

    /usr/bin/python3 src/test/conformance/make_fixtures.py            # regenerate every case
    /usr/bin/python3 src/test/conformance/make_fixtures.py --list     # print the case table
    /usr/bin/python3 src/test/conformance/make_fixtures.py NAME ...   # regenerate some cases only

For each case it writes src/test/resources/conformance/<case>/:

    model.nn               the model, in the .nn language (docs: LANGUAGE.md)
    inputs.safetensors     every input by name: F64 for real inputs, I64 for int labels
    params.safetensors     every param by name, F64
    expected.safetensors   what `nnc eval model.nn --inputs inputs.safetensors
                           --params params.safetensors --out OUT` must write (f64, dropout
                           off): every output; `loss` ([]) if the model has one; and then
                           `grad.<p>` for every param and `grad.<x>` for every real input.
                           Its __metadata__ carries `case`, and `model` when the file holds
                           several models (pass --model), and f32 tolerance overrides.
    case.json              a description, the exact command, and notes
    train.safetensors      training cases only: `step<k>.loss` and `step<k>.<p>` (see README)

Every expected value is computed by torch.autograd in float64. Each case's torch function
is written next to its .nn text and must compute the same formula; where LANGUAGE.md fixes a
convention that differs from torch's (clamp at its bounds), the torch side implements the
LANGUAGE.md convention and the case's notes say so.
"""

import json
import math
import shutil
import struct
import sys
import textwrap
import zlib
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)  # deterministic sums, and gentle on a shared machine

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]  # src/test/conformance -> repository root
OUT = ROOT / "src" / "test" / "resources" / "conformance"

# --------------------------------------------------------------------------- safetensors

_DTYPES = {"F64": ("<f8", 8), "F32": ("<f4", 4), "I64": ("<i8", 8), "I32": ("<i4", 4)}


def st_write(path, tensors, metadata=None):
    """Writes [(name, ndarray, dtype)] in order, consecutive offsets from 0, compact JSON
    header padded with spaces to a multiple of 8 bytes."""
    header = OrderedDict()
    if metadata:
        header["__metadata__"] = OrderedDict((str(k), str(v)) for k, v in metadata.items())
    blobs, off = [], 0
    for name, arr, dtype in tensors:
        npdt, _ = _DTYPES[dtype]
        arr = np.asarray(arr)
        data = np.ascontiguousarray(arr, dtype=npdt).tobytes()
        header[name] = OrderedDict(
            [("dtype", dtype), ("shape", [int(d) for d in arr.shape]), ("data_offsets", [off, off + len(data)])])
        blobs.append(data)
        off += len(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def st_read(path):
    """Returns (OrderedDict name -> (dtype, ndarray), metadata dict)."""
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"), object_pairs_hook=OrderedDict)
    data = raw[8 + n:]
    meta = header.pop("__metadata__", None) or {}
    out, end = OrderedDict(), 0
    for name, e in header.items():
        npdt, size = _DTYPES[e["dtype"]]
        b, t = e["data_offsets"]
        count = int(np.prod(e["shape"], dtype=np.int64)) if e["shape"] else 1
        assert t - b == count * size, (path, name)
        assert b == end, (path, name, "tensors must tile the data")
        end = t
        out[name] = (e["dtype"], np.frombuffer(data[b:t], dtype=npdt).reshape(e["shape"]).copy())
    assert end == len(data), (path, "trailing bytes")
    return out, meta


# --------------------------------------------------------------------------- deterministic data

class Rng:
    """Deterministic inputs, seeded from the case name."""

    def __init__(self, name):
        self.g = np.random.default_rng(zlib.crc32(name.encode("utf-8")))

    def u(self, *shape, lo=-1.0, hi=1.0):
        return np.asarray(self.g.uniform(lo, hi, size=shape), dtype=np.float64)

    def pos(self, *shape, lo=0.5, hi=2.0):
        return self.u(*shape, lo=lo, hi=hi)

    def away(self, *shape, lo=0.2, hi=1.5):
        """Magnitudes in [lo, hi] with random signs: far from kinks at 0."""
        sign = np.where(self.g.uniform(size=shape) < 0.5, -1.0, 1.0)
        return np.asarray(sign * self.g.uniform(lo, hi, size=shape), dtype=np.float64)

    def normal(self, *shape, std=1.0):
        return np.asarray(self.g.normal(0.0, std, size=shape), dtype=np.float64)

    def labels(self, n, classes):
        return np.asarray(self.g.integers(0, classes, size=n), dtype=np.int64)

    def probs(self, *shape):
        z = self.g.normal(size=shape)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def xavier(self, fan_in, fan_out):
        a = math.sqrt(6.0 / (fan_in + fan_out))
        return self.u(fan_in, fan_out, lo=-a, hi=a)


def arr(x):
    return np.asarray(x, dtype=np.float64)


# --------------------------------------------------------------------------- torch helpers

def G(f, x):
    """grad(f, x) of the language: symbolic, so it nests (create_graph=True)."""
    (g,) = torch.autograd.grad(f, x, create_graph=True, allow_unused=True)
    return torch.zeros_like(x) if g is None else g


def softplus(x):
    """Stable softplus log(1 + e^x), exact for |x| up to 1000 (F.softplus switches to x above
    its threshold of 20, which is off by e^-x)."""
    return torch.logaddexp(x, torch.zeros_like(x))


class _ClampStrict(torch.autograd.Function):
    """clamp as LANGUAGE.md defines its gradient: 1 strictly inside (lo, hi), else 0.
    (torch.clamp passes the gradient at x == lo and x == hi as well.)"""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return x.clamp(lo, hi)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((x > ctx.lo) & (x < ctx.hi)).to(g.dtype), None, None


def clamp_lang(x, lo, hi):
    return _ClampStrict.apply(x, lo, hi)


def assert_away(values, points, margin=0.05):
    """Inputs must stay away from kinks, in f64 and after rounding to f32."""
    for p in points:
        assert np.all(np.abs(np.asarray(values) - p) >= margin - 1e-12), (p, values)
    return True


def lse_all(x):
    return torch.logsumexp(x.reshape(-1), 0)


# --------------------------------------------------------------------------- cases

CASES = OrderedDict()


def case(name):
    def register(fn):
        assert name not in CASES, name
        CASES[name] = fn
        return fn
    return register


def nn(text):
    return textwrap.dedent(text).lstrip("\n")


def C(nn_text, inputs, params, fwd, *, description, model=None, notes=None, train=None, f32=None, buffers=None,
      train_mode=False):
    """A case. `buffers` are the model's buffers (written to params.safetensors with the params; fwd
    sees them as tensors without gradient and may update them in place, as F.batch_norm does in
    training mode); `train_mode` evaluates as `nnc eval --train`."""
    return dict(nn=nn(nn_text), inputs=OrderedDict(inputs), params=OrderedDict(params), fwd=fwd,
                description=description, model=model, notes=notes, train=train, f32=f32,
                buffers=OrderedDict(buffers or {}), train_mode=train_mode)


B = 5  # the default batch size: different from every static dimension used below

# ---- elementwise functions: y = f(x * w), loss = sum(y * c) ------------------------------

_UNARY = [
    # name, .nn call, torch function, domain of x, domain of w
    ("exp", "exp", torch.exp, "u", "u"),
    ("log", "log", torch.log, "pos", "pos"),
    ("sqrt", "sqrt", torch.sqrt, "pos", "pos"),
    ("abs", "abs", torch.abs, "away", "away"),
    ("sin", "sin", torch.sin, "u2", "u2"),
    ("cos", "cos", torch.cos, "u2", "u2"),
    ("tanh", "tanh", torch.tanh, "u2", "u2"),
    ("sigmoid", "sigmoid", torch.sigmoid, "u2", "u2"),
    ("relu", "relu", torch.relu, "away", "away"),
    ("softplus", "softplus", softplus, "u2", "u2"),
    ("gelu", "gelu", lambda t: F.gelu(t), "u2", "u2"),
    ("square", "square", lambda t: t * t, "u2", "u2"),
    ("silu", "silu", F.silu, "u2", "u2"),
    ("log_sigmoid", "log_sigmoid", F.logsigmoid, "u2", "u2"),
]


def _draw(r, kind, *shape):
    return {"u": lambda: r.u(*shape), "u2": lambda: r.u(*shape, lo=-2.0, hi=2.0),
            "pos": lambda: r.pos(*shape), "away": lambda: r.away(*shape)}[kind]()


def _unary_case(fname, call, tfn, xd, wd):
    mname = "Unary" + "".join(p.capitalize() for p in fname.split("_"))

    def build(r):
        return C(f"""
            // {fname}: y = {call}(x * w), weighted by c so that every element's derivative counts
            model {mname} {{
                dim batch
                input x : [batch, 3]
                input c : [batch, 3]
                param w : [3] init ones
                output y = {call}(x * w)
                loss = sum(y * c)
            }}
            """,
                 {"x": _draw(r, xd, B, 3), "c": r.u(B, 3)},
                 {"w": _draw(r, wd, 3)},
                 lambda v: (lambda y: ({"y": y}, (y * v["c"]).sum()))(tfn(v["x"] * v["w"])),
                 description=f"elementwise {call}, broadcast [batch,3]*[3], its gradient",
                 notes={"gelu": "exact erf form x*Phi(x), as torch.nn.functional.gelu's default",
                        "softplus": "log(1+e^z), computed stably",
                        "relu": "arguments kept away from 0 (the kink has its own case)",
                        "abs": "arguments kept away from 0 (the kink has its own case)"}.get(fname))
    return build


for _u in _UNARY:
    case("unary_" + _u[0])(_unary_case(*_u))


@case("leaky_relu")
def _(r):
    def fwd(v):
        z = v["x"] * v["w"]
        a = F.leaky_relu(z, 0.01)
        b = F.leaky_relu(z, 0.2)
        return {"a": a, "b": b}, (a * v["c"]).sum() + (b * v["c"] * v["c"]).sum()
    return C("""
        // leaky_relu with the default slope 0.01 and a positional slope 0.2
        model LeakyRelu {
            dim batch
            input x : [batch, 3]
            input c : [batch, 3]
            param w : [3]
            z = x * w
            output a = leaky_relu(z)
            output b = leaky_relu(z, 0.2)
            loss = sum(a * c) + sum(b * c * c)
        }
        """, {"x": r.away(B, 3), "c": r.u(B, 3)}, {"w": r.away(3)}, fwd,
             description="leaky_relu, default and positional slope", notes="arguments away from 0")


@case("elu")
def _(r):
    def fwd(v):
        z = v["x"] * v["w"]
        a = F.elu(z, 1.0)
        b = F.elu(z, 0.5)
        return {"a": a, "b": b}, (a * v["c"]).sum() + (b * v["c"]).sum() * 2
    return C("""
        // elu with the default alpha 1 and a named alpha 0.5
        model Elu {
            dim batch
            input x : [batch, 3]
            input c : [batch, 3]
            param w : [3]
            z = x * w
            output a = elu(z)
            output b = elu(z, alpha = 0.5)
            loss = sum(a * c) + sum(b * c) * 2
        }
        """, {"x": r.away(B, 3), "c": r.u(B, 3)}, {"w": r.away(3)}, fwd,
             description="elu, default and named alpha", notes="arguments away from 0")


@case("maximum_minimum")
def _(r):
    def fwd(v):
        hi = torch.maximum(v["x"], v["w"])
        lo = torch.minimum(v["y"], v["x"])
        both = torch.maximum(v["x"], torch.tensor(0.25))
        return {"hi": hi, "lo": lo, "both": both}, (hi * v["c"]).sum() + (lo * lo).sum() + (both * v["c"]).sum()
    x = np.array([[0.9, -0.3, 0.5], [0.1, 0.7, -0.8], [-0.6, 0.4, 0.45], [0.05, -0.9, 0.6]])
    assert_away(x - np.array([0.2, -0.1, 0.55]), [0]) and assert_away(x, [0.25])
    return C("""
        // elementwise maximum / minimum, broadcast against a [3] param and a number
        model MaximumMinimum {
            dim batch
            input x : [batch, 3]
            input y : [batch, 3]
            input c : [batch, 3]
            param w : [3]
            output hi = maximum(x, w)
            output lo = minimum(y, x)
            output both = maximum(x, 0.25)
            loss = sum(hi * c) + sum(lo * lo) + sum(both * c)
        }
        """, {"x": x, "y": x + np.array([[0.3, -0.2, 0.1], [-0.4, 0.2, 0.3], [0.2, -0.1, -0.3], [0.15, 0.3, -0.2]]),
              "c": r.u(4, 3)},
             {"w": arr([0.2, -0.1, 0.55])}, fwd,
             description="maximum(a, b) and minimum(a, b) with broadcasting; no ties",
             notes="ties between a and b are avoided: LANGUAGE.md does not say how maximum/minimum split the gradient on a tie (torch gives each side half)")


@case("clamp")
def _(r):
    def fwd(v):
        z = v["x"] * v["w"]
        y = torch.clamp(z, -0.5, 0.5)
        y2 = torch.clamp(z, 0, 2.5)
        return {"y": y, "y2": y2}, (y * v["c"]).sum() + (y2 * y2).sum()
    x = np.array([[0.9, -0.3, 0.45], [0.1, 1.7, -0.8], [-0.6, 0.3, 1.2], [0.35, -1.9, 0.7]])
    assert_away(x * np.array([1.1, 1.3, 0.9]), [-0.5, 0.5, 0, 2.5])
    return C("""
        // clamp with constant bounds, values strictly inside and strictly outside
        model Clamp {
            dim batch
            input x : [batch, 3]
            input c : [batch, 3]
            param w : [3]
            z = x * w
            output y = clamp(z, -0.5, 0.5)
            output y2 = clamp(z, 0, 2.5)
            loss = sum(y * c) + sum(y2 * y2)
        }
        """, {"x": x, "c": r.u(4, 3)}, {"w": arr([1.1, 1.3, 0.9])}, fwd,
             description="clamp(x, lo, hi) away from the bounds",
             notes="z = x*w is never within 0.05 of a bound; the kinks case covers the bounds")


@case("kinks")
def _(r):
    def fwd(v):
        x, k = v["x"], v["k"]
        rl = torch.relu(x)
        ab = torch.abs(x)
        cl = clamp_lang(x, -0.5, 0.5)
        t = v["t"]
        m_all = torch.amax(t)
        m_row = torch.amax(t, 1)
        n_row = torch.amin(t, -1)
        n_col = torch.amin(t, 0)
        loss = ((rl * k).sum() + (ab * k * k).sum() + (cl * (k + 2)).sum() + 2 * m_all
                + (m_row * v["q"]).sum() + (n_row * v["q"] * 3).sum() + (n_col * n_col).sum())
        return OrderedDict([("r", rl), ("a", ab), ("c", cl), ("m_all", m_all), ("m_row", m_row),
                            ("n_row", n_row), ("n_col", n_col)]), loss
    return C("""
        // Conventions at kinks (LANGUAGE.md): relu'(0) = 0, abs'(0) = 0, clamp passes the
        // gradient only strictly inside (lo, hi), max/min split it evenly among ties.
        model Kinks {
            input x : [8]          // -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 2
            input k : [8]
            input t : [3, 4]       // tied maxima and minima in rows and in a column
            input q : [3]
            r = relu(x)
            a = abs(x)
            c = clamp(x, -0.5, 0.5)
            m_all = max(t)
            m_row = max(t, axis = 1)
            n_row = min(t, axis = -1)
            n_col = min(t, axis = 0)
            output r
            output a
            output c
            output m_all
            output m_row
            output n_row
            output n_col
            loss = sum(r * k) + sum(a * k * k) + sum(c * (k + 2)) + 2 * m_all + sum(m_row * q) + sum(n_row * q * 3) + sum(n_col * n_col)
        }
        """, {"x": arr([-1, -0.5, -0.25, 0, 0.25, 0.5, 1, 2]), "k": r.u(8),
              "t": arr([[1, 3, 3, 2], [0.5, -1, 0.5, -1], [2, -1, 0, 2]]), "q": arr([0.7, -1.3, 0.4])}, {}, fwd,
             description="gradients exactly at kinks: relu(0), abs(0), clamp at lo and hi, tied max/min",
             notes=("expected gradients follow LANGUAGE.md, not torch, at the clamp bounds: grad.x is 0 "
                    "at x = -0.5 and x = 0.5 (torch.clamp would pass the gradient there); relu and abs at 0 "
                    "give 0 as in torch; max/min ties split the gradient evenly, as torch.amax/amin: "
                    "max(t) has two 3s, every row of max(t, axis = 1) ties, row 1 of min(t, axis = -1) ties, "
                    "column 1 of min(t, axis = 0) ties"))


# ---- reductions ----------------------------------------------------------------------------

def _reduction_case(fname, mname, tred, tall):
    def build(r):
        def fwd(v):
            z = v["x"] * v["s"]
            a_all = tall(z)
            a0 = tred(z, 0, False)
            a1 = tred(z, 1, False)
            last = tred(z, -1, False)
            keep = tred(z, -2, True)
            loss = (a_all * 0.5 + (a0 * a0).sum() + torch.sin(a1).sum() + (last * last * last).sum()
                    + torch.exp(keep * 0.1).sum())
            return OrderedDict([("a_all", a_all), ("a0", a0), ("a1", a1), ("last", last), ("keep", keep)]), loss
        return C(f"""
            // {fname} over all axes, axis 0, positional axis 1, axis -1, and axis -2 with keepdims
            model {mname} {{
                dim batch
                input x : [batch, 3, 4]
                param s : [4]
                z = x * s
                a_all = {fname}(z)                               // []
                a0 = {fname}(z, axis = 0)                        // [3, 4]
                a1 = {fname}(z, 1)                               // [batch, 4]
                last = {fname}(z, axis = -1)                     // [batch, 3]
                keep = {fname}(z, axis = -2, keepdims = true)    // [batch, 1, 4]
                output a_all
                output a0
                output a1
                output last
                output keep
                loss = a_all * 0.5 + sum(a0 * a0) + sum(sin(a1)) + sum(last * last * last) + sum(exp(keep * 0.1))
            }}
            """, {"x": r.u(2, 3, 4)}, {"s": r.away(4, lo=0.5, hi=1.5)}, fwd,
                 description=f"{fname} reductions: all, positive, positional, negative axes, keepdims",
                 notes="batch = 2; values are distinct, so max/min have no ties")
    return build


case("reduce_sum")(_reduction_case("sum", "ReduceSum", lambda z, d, k: z.sum(d, keepdim=k), lambda z: z.sum()))
case("reduce_mean")(_reduction_case("mean", "ReduceMean", lambda z, d, k: z.mean(d, keepdim=k), lambda z: z.mean()))
case("reduce_max")(_reduction_case("max", "ReduceMax", lambda z, d, k: torch.amax(z, d, keepdim=k), lambda z: torch.amax(z)))
case("reduce_min")(_reduction_case("min", "ReduceMin", lambda z, d, k: torch.amin(z, d, keepdim=k), lambda z: torch.amin(z)))
case("reduce_logsumexp")(_reduction_case("logsumexp", "ReduceLogsumexp",
                                         lambda z, d, k: torch.logsumexp(z, d, keepdim=k), lse_all))


@case("reduce_keepdims_all")
def _(r):
    def fwd(v):
        x = v["x"]
        dims = tuple(range(x.dim()))
        s = x.sum(dims, keepdim=True)
        m = x.mean(dims, keepdim=True)
        mx = torch.amax(x, dims, keepdim=True)
        l = torch.logsumexp(x.reshape(-1), 0).reshape(1, 1)
        y = x - m + s * 0.1 - mx * 0.2 + l * 0.3
        return OrderedDict([("s", s), ("m", m), ("mx", mx), ("l", l), ("y", y)]), (y * y * v["w"]).sum()
    return C("""
        // reductions over every axis with keepdims = true keep rank: [batch, 3] -> [1, 1]
        model ReduceKeepdimsAll {
            dim batch
            input x : [batch, 3]
            param w : [3]
            s = sum(x, keepdims = true)
            m = mean(x, keepdims = true)
            mx = max(x, keepdims = true)
            l = logsumexp(x, keepdims = true)
            y = x - m + s * 0.1 - mx * 0.2 + l * 0.3
            output s
            output m
            output mx
            output l
            output y
            loss = sum(y * y * w)
        }
        """, {"x": r.u(B, 3)}, {"w": r.pos(3)}, fwd,
             description="all-axes reductions with keepdims = true, broadcast back",
             notes="LANGUAGE.md: 'no axis = all; the reduced axis is dropped unless keepdims = true' -- read as NumPy: all axes kept with size 1")


@case("softmax_axes")
def _(r):
    def fwd(v):
        z = v["x"] * v["s"]
        p_last = torch.softmax(z, -1)
        p_mid = torch.softmax(z, 1)
        p_first = torch.softmax(z, 0)
        c = v["c"]
        return (OrderedDict([("p_last", p_last), ("p_mid", p_mid), ("p_first", p_first)]),
                (p_last * c).sum() + 2 * (p_mid * c * c).sum() - (p_first * torch.sin(c)).sum())
    return C("""
        // softmax along the default (last) axis, axis 1, and axis 0
        model SoftmaxAxes {
            dim batch
            input x : [batch, 3, 4]
            input c : [batch, 3, 4]
            param s : [4]
            z = x * s
            output p_last = softmax(z)
            output p_mid = softmax(z, axis = 1)
            output p_first = softmax(z, axis = 0)
            loss = sum(p_last * c) + 2 * sum(p_mid * c * c) - sum(p_first * sin(c))
        }
        """, {"x": r.u(2, 3, 4, lo=-2, hi=2), "c": r.u(2, 3, 4)}, {"s": r.pos(4)}, fwd,
             description="softmax along the default last axis, a middle axis and axis 0")


@case("log_softmax_axes")
def _(r):
    def fwd(v):
        z = v["x"] * v["s"]
        p_last = torch.log_softmax(z, -1)
        p_mid = torch.log_softmax(z, -2)
        c = v["c"]
        return OrderedDict([("p_last", p_last), ("p_mid", p_mid)]), (p_last * c).sum() + (p_mid * p_mid).sum()
    return C("""
        // log_softmax along the default (last) axis and axis -2
        model LogSoftmaxAxes {
            dim batch
            input x : [batch, 3, 4]
            input c : [batch, 3, 4]
            param s : [4]
            z = x * s
            output p_last = log_softmax(z)
            output p_mid = log_softmax(z, axis = -2)
            loss = sum(p_last * c) + sum(p_mid * p_mid)
        }
        """, {"x": r.u(2, 3, 4, lo=-2, hi=2), "c": r.u(2, 3, 4)}, {"s": r.pos(4)}, fwd,
             description="log_softmax along the last axis and a negative axis")


# ---- numerical stability at logits of +-1000 -----------------------------------------------

_STABLE_NOTE = "logits of +-1000: no overflow, no NaN; exact f64 values (e.g. softplus(1000) = 1000)"


@case("stable_sigmoid_softplus")
def _(r):
    def fwd(v):
        z = v["x"] * v["t"]
        s = torch.sigmoid(z)
        sp = softplus(z)
        return OrderedDict([("s", s), ("sp", sp)]), (s * v["c"]).sum() + (sp * v["c"]).sum()
    return C("""
        // sigmoid and softplus at +-1000 and +-40
        model StableSigmoidSoftplus {
            input x : [2, 4]
            input c : [2, 4]
            param t : []
            z = x * t
            output s = sigmoid(z)
            output sp = softplus(z)
            loss = sum(s * c) + sum(sp * c)
        }
        """, {"x": arr([[1000, -1000, 40, -40], [2.5, -1.5, 0.3, -0.7]]), "c": r.u(2, 4)}, {"t": arr(1.0)}, fwd,
             description="sigmoid and softplus are stable for logits of +-1000", notes=_STABLE_NOTE)


@case("stable_softmax")
def _(r):
    def fwd(v):
        x = v["x"] * v["t"]
        p = torch.softmax(x, -1)
        lp = torch.log_softmax(x, -1)
        p0 = torch.softmax(x, 0)
        lse = torch.logsumexp(x, -1)
        lse_all_ = lse_all(x)
        c = v["c"]
        loss = (p * c).sum() + (lp * c).sum() + (p0 * c).sum() + (lse * v["q"]).sum() + lse_all_ * 0.5
        return OrderedDict([("p", p), ("lp", lp), ("p0", p0), ("lse", lse), ("lse_all", lse_all_)]), loss
    return C("""
        // softmax, log_softmax, logsumexp with logits of +-1000 (and a row of tied maxima)
        model StableSoftmax {
            input x : [3, 4]
            input c : [3, 4]
            input q : [3]
            param t : []
            z = x * t
            output p = softmax(z)
            output lp = log_softmax(z)
            output p0 = softmax(z, axis = 0)
            output lse = logsumexp(z, axis = -1)
            output lse_all = logsumexp(z)
            loss = sum(p * c) + sum(lp * c) + sum(p0 * c) + sum(lse * q) + lse_all * 0.5
        }
        """, {"x": arr([[1000, -1000, 0, 1], [-1000, -1000, -999, -1001], [1000, 1000, 999, -1000]]),
              "c": r.u(3, 4), "q": arr([0.5, -1.5, 2.0])}, {"t": arr(1.0)}, fwd,
             description="softmax, log_softmax, logsumexp are stable for logits of +-1000",
             notes=_STABLE_NOTE + "; row 2 has two equal maxima: the max subtracted for stability must carry no gradient")


@case("stable_cross_entropy")
def _(r):
    def fwd(v):
        z = v["x"] * v["t"]
        ce_int = F.cross_entropy(z, v["label"])
        ce_prob = F.cross_entropy(z, v["target"])
        return OrderedDict([("ce_int", ce_int), ("ce_prob", ce_prob)]), ce_int + ce_prob
    return C("""
        // cross_entropy with int labels and with probability targets, at logits of +-1000
        model StableCrossEntropy {
            input x : [3, 4]
            input label : int[3]
            input target : [3, 4]
            param t : []
            z = x * t
            ce_int = cross_entropy(z, label)
            ce_prob = cross_entropy(z, target)
            output ce_int
            output ce_prob
            loss = ce_int + ce_prob
        }
        """, {"x": arr([[1000, -1000, 0, 1], [-1000, -1000, -999, -1001], [1000, 1000, 999, -1000]]),
              "label": np.array([1, 2, 0], dtype=np.int64),
              "target": arr([[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25], [0, 0.5, 0.5, 0]])},
             {"t": arr(1.0)}, fwd,
             description="cross_entropy is stable for logits of +-1000 (labels on a -1000 logit: loss near 2000)",
             notes=_STABLE_NOTE + "; grad.target = -log_softmax(z) / rows")


@case("stable_bce_with_logits")
def _(r):
    def fwd(v):
        z = v["x"] * v["t"]
        l = F.binary_cross_entropy_with_logits(z, v["y"])
        return OrderedDict([("l", l), ("p", torch.sigmoid(z))]), l
    return C("""
        // bce_with_logits at logits of +-1000, with 0/1 and fractional targets
        model StableBce {
            input x : [2, 3]
            input y : [2, 3]
            param t : []
            z = x * t
            l = bce_with_logits(z, y)
            output l
            output p = sigmoid(z)
            loss = l
        }
        """, {"x": arr([[1000, -1000, 1000], [-1000, 3.5, -0.5]]), "y": arr([[1, 0, 0.25], [0.5, 1, 0]])},
             {"t": arr(1.0)}, fwd,
             description="bce_with_logits is stable for logits of +-1000", notes=_STABLE_NOTE)


# ---- shapes ------------------------------------------------------------------------------

@case("reshape")
def _(r):
    def fwd(v):
        x, p = v["x"], v["p"]
        r1 = x.reshape(x.shape[0], 6)
        r2 = x.reshape(x.shape[0], 3, 2)
        r3 = p.reshape(6)
        r4 = p.reshape(3, 2)
        r5 = x.reshape(x.shape[0], 6) * r3
        loss = (r1 * r1).sum() + (r2 * torch.sin(r2)).sum() + (r4 * r4 * r4).sum() + (r5 * r5).sum() * 0.5
        return OrderedDict([("r1", r1), ("r2", r2), ("r3", r3), ("r4", r4)]), loss
    return C("""
        // reshape with a runtime dim, a const and literals (row-major order)
        model Reshape {
            dim batch
            const k = 6
            input x : [batch, 2, 3]
            param p : [2, 3]
            r1 = reshape(x, [batch, k])
            r2 = reshape(x, [batch, 3, 2])
            r3 = reshape(p, [6])
            r4 = reshape(p, [3, 2])
            r5 = reshape(x, [batch, 6]) * r3
            output r1
            output r2
            output r3
            output r4
            loss = sum(r1 * r1) + sum(r2 * sin(r2)) + sum(r4 * r4 * r4) + sum(r5 * r5) * 0.5
        }
        """, {"x": r.u(B, 2, 3)}, {"p": r.u(2, 3)}, fwd,
             description="reshape: runtime dim, const, literals; row-major")


@case("transpose")
def _(r):
    def fwd(v):
        x, t, w, y, q = v["x"], v["t"], v["w"], v["y"], v["q"]
        a = x.transpose(-1, -2) @ y                     # [3, 2]
        b = x.transpose(-1, -2)                         # [3, batch]
        c = t.transpose(-1, -2)                         # [batch, 3, 2]
        d = (x @ w).transpose(-1, -2)                   # [2, batch]
        e_ = w.transpose(-1, -2) ** 2                   # [2, 3]
        loss = (a * a).sum() + (c * q).sum() + (d @ y).sum() * 0.5 + (e_ * q.transpose(-1, -2)).sum() + torch.sin(b).sum()
        return OrderedDict([("a", a), ("b", b), ("c", c), ("d", d), ("e2", e_)]), loss
    return C("""
        // .T and transpose() swap the last two dimensions, for rank 2 and rank 3
        model Transpose {
            dim batch
            input x : [batch, 3]
            input y : [batch, 2]
            input t : [batch, 2, 3]
            param w : [3, 2]
            param q : [3, 2]
            a = x.T @ y              // [3, 2]: a product over the runtime dim
            b = transpose(x)         // [3, batch]
            c = transpose(t)         // [batch, 3, 2]
            d = (x @ w).T            // [2, batch]
            e2 = w.T ^ 2             // postfix .T binds tighter than ^
            output a
            output b
            output c
            output d
            output e2
            loss = sum(a * a) + sum(c * q) + sum(d @ y) * 0.5 + sum(e2 * q.T) + sum(sin(b))
        }
        """, {"x": r.u(B, 3), "y": r.u(B, 2), "t": r.u(B, 2, 3)}, {"w": r.u(3, 2), "q": r.u(3, 2)}, fwd,
             description=".T and transpose() on rank 2 and rank 3",
             notes="transpose of a rank-1 tensor is an error (E402), not tested here")


@case("concat")
def _(r):
    def fwd(v):
        a, b, p, q = v["a"], v["b"], v["p"], v["q"]
        c1 = torch.cat([a, b], 1)
        c2 = torch.cat([b, a], -1)
        c3 = torch.cat([p, q], 0)
        c4 = torch.cat([p, q], 0)
        loss = (c1 * c1).sum() + (c2 * v["ramp"]).sum() + (c3 @ c3).sum() + torch.sin(c4).sum()
        return OrderedDict([("c1", c1), ("c2", c2), ("c3", c3)]), loss
    return C("""
        // concat along axis 1, axis -1, and axis 0 (named and positional axis)
        model Concat {
            dim batch
            input a : [batch, 2]
            input b : [batch, 3]
            param p : [2, 3]
            param q : [1, 3]
            param ramp : [5]
            c1 = concat(a, b, axis = 1)          // [batch, 5]
            c2 = concat(b, a, axis = -1)         // [batch, 5]
            c3 = concat(p, q, 0)                 // [3, 3]
            c4 = concat(p, q, axis = -2)         // [3, 3]
            output c1
            output c2
            output c3
            loss = sum(c1 * c1) + sum(c2 * ramp) + sum(c3 @ c3) + sum(sin(c4))
        }
        """, {"a": r.u(B, 2), "b": r.u(B, 3)},
             {"p": r.u(2, 3), "q": r.u(1, 3), "ramp": arr([1, 2, 3, 4, 5])}, fwd,
             description="concat along static axes, named/positional/negative axis",
             notes=("the axis is always given: LANGUAGE.md lists concat(a, b, axis) without a default; "
                    "concatenating along a runtime dim is not tested (its dim would be batch+batch)"))


@case("one_hot")
def _(r):
    def fwd(v):
        oh = F.one_hot(v["label"], 4).to(torch.float64)
        logits = v["x"] @ v["w"]
        loss = F.cross_entropy(logits, oh) + F.mse_loss(torch.softmax(logits, -1), oh)
        return OrderedDict([("oh", oh)]), loss
    return C("""
        // one_hot(label, n) of int labels, used as a probability target and in mse
        model OneHot {
            dim batch
            const classes = 4
            input x : [batch, 3]
            input label : int[batch]
            param w : [3, classes]
            oh = one_hot(label, classes)
            logits = x @ w
            output oh
            loss = cross_entropy(logits, oh) + mse(softmax(logits), oh)
        }
        """, {"x": r.u(B, 3), "label": np.array([0, 3, 1, 3, 2], dtype=np.int64)}, {"w": r.u(3, 4)}, fwd,
             description="one_hot of int labels as an output, a cross_entropy target and an mse target")


# ---- losses ------------------------------------------------------------------------------

@case("mse")
def _(r):
    def fwd(v):
        pred = v["x"] @ v["w"] + v["b"]
        return OrderedDict([("pred", pred)]), F.mse_loss(pred, v["y"])
    return C("""
        // mse averages over every element, as torch's reduction='mean'
        model Mse {
            dim batch
            input x : [batch, 3]
            input y : [batch, 2]
            param w : [3, 2]
            param b : [2]
            output pred = x @ w + b
            loss = mse(pred, y)
        }
        """, {"x": r.u(B, 3), "y": r.u(B, 2)}, {"w": r.u(3, 2), "b": r.u(2)}, fwd,
             description="mse over [batch, 2]; grad.y included")


@case("cross_entropy_int")
def _(r):
    def fwd(v):
        logits = v["x"] @ v["w"] + v["b"]
        return (OrderedDict([("probs", torch.softmax(logits, -1)), ("logp", torch.log_softmax(logits, -1))]),
                F.cross_entropy(logits, v["label"]))
    return C("""
        // cross_entropy with int labels: mean over the rows
        model CrossEntropyInt {
            dim batch
            input x : [batch, 3]
            input label : int[batch]
            param w : [3, 4]
            param b : [4]
            logits = x @ w + b
            output probs = softmax(logits)
            output logp = log_softmax(logits)
            loss = cross_entropy(logits, label)
        }
        """, {"x": r.u(B, 3, lo=-2, hi=2), "label": np.array([2, 0, 3, 3, 1], dtype=np.int64)},
             {"w": r.u(3, 4), "b": r.u(4)}, fwd,
             description="cross_entropy with int labels (I64 input), mean over rows")


@case("cross_entropy_probs")
def _(r):
    def fwd(v):
        logits = v["x"] @ v["w"]
        return OrderedDict([("logits", logits)]), F.cross_entropy(logits, v["target"])
    return C("""
        // cross_entropy with probability targets: mean over the rows of -sum(target * log_softmax)
        model CrossEntropyProbs {
            dim batch
            input x : [batch, 3]
            input target : [batch, 4]
            param w : [3, 4]
            output logits = x @ w
            loss = cross_entropy(logits, target)
        }
        """, {"x": r.u(B, 3, lo=-2, hi=2), "target": r.probs(B, 4)}, {"w": r.u(3, 4)}, fwd,
             description="cross_entropy with soft (probability) targets; grad.target included")


@case("bce_with_logits")
def _(r):
    def fwd(v):
        z = v["x"] @ v["w"] + v["b"]
        return OrderedDict([("p", torch.sigmoid(z))]), F.binary_cross_entropy_with_logits(z, v["y"])
    return C("""
        // bce_with_logits averages over every element
        model BceWithLogits {
            dim batch
            input x : [batch, 3]
            input y : [batch, 2]
            param w : [3, 2]
            param b : [2]
            z = x @ w + b
            output p = sigmoid(z)
            loss = bce_with_logits(z, y)
        }
        """, {"x": r.u(B, 3, lo=-2, hi=2), "y": arr([[1, 0], [0, 0], [1, 1], [0.3, 0.7], [0, 1]])},
             {"w": r.u(3, 2), "b": r.u(2)}, fwd,
             description="bce_with_logits with 0/1 and fractional targets; grad.y included")


@case("huber")
def _(r):
    def fwd(v):
        pred = v["x"] * v["w"]
        h1 = F.huber_loss(pred, v["y"])
        h2 = F.huber_loss(pred, v["y"], delta=0.5)
        return OrderedDict([("h1", h1), ("h2", h2)]), h1 + 2 * h2
    x = arr([[0.1, 2.0, -0.3], [1.5, -2.2, 0.4], [0.9, 0.2, -1.1], [-0.05, 3.1, 0.6]])
    y = arr([[0.4, -0.1, -0.4], [0.3, 0.1, 0.25], [-0.6, 0.25, 0.3], [0.2, 0.9, -0.4]])
    assert_away(np.abs(x * arr([1.2, 0.8, -1.0]) - y), [0, 0.5, 1])
    return C("""
        // huber with the default delta 1 and a named delta 0.5, residuals on both sides of each delta
        model Huber {
            dim batch
            input x : [batch, 3]
            input y : [batch, 3]
            param w : [3]
            pred = x * w
            h1 = huber(pred, y)
            h2 = huber(pred, y, delta = 0.5)
            output h1
            output h2
            loss = h1 + 2 * h2
        }
        """, {"x": x, "y": y}, {"w": arr([1.2, 0.8, -1.0])}, fwd,
             description="huber (torch.nn.functional.huber_loss), default and named delta",
             notes="no residual is within 0.05 of 0, 0.5 or 1")


# ---- training-only functions at evaluation -----------------------------------------------

@case("dropout_eval")
def _(r):
    def fwd(v):
        h = torch.relu(v["x"] @ v["w"] + v["b"])
        y = h @ v["v"]
        return OrderedDict([("y", y)]), (y * y).mean()
    return C("""
        // dropout is the identity when evaluating (no --train)
        model DropoutEval {
            dim batch
            input x : [batch, 3]
            param w : [3, 4]
            param b : [4]
            param v : [4, 2]
            h = dropout(relu(x @ w + b), p = 0.5)
            output y = dropout(h, 0.3) @ v
            loss = mean(y * y)
        }
        """, {"x": r.u(B, 3)}, {"w": r.u(3, 4), "b": r.u(4), "v": r.u(4, 2)}, fwd,
             description="dropout (named and positional p) is the identity in eval")


@case("stop_gradient")
def _(r):
    def fwd(v):
        x, w = v["x"], v["w"]
        h = x * w
        y = h.detach() * w + h
        loss = (y * y).sum() + (w.detach() * x).sum() + (torch.tanh(h).detach() * x * x).sum()
        return OrderedDict([("y", y)]), loss
    return C("""
        // stop_gradient blocks the gradient, not the value
        model StopGradient {
            dim batch
            input x : [batch, 3]
            param w : [3]
            h = x * w
            output y = stop_gradient(h) * w + h
            loss = sum(y * y) + sum(stop_gradient(w) * x) + sum(stop_gradient(tanh(h)) * x * x)
        }
        """, {"x": r.u(B, 3)}, {"w": r.u(3)}, fwd,
             description="stop_gradient: value passes, gradient does not (torch .detach())")


# ---- powers ------------------------------------------------------------------------------

@case("pow_const")
def _(r):
    def fwd(v):
        p = v["x"] * v["w"]
        a = p ** 2
        b = p ** -1.5
        c = p ** 0.5
        d = p ** 3
        g = -p ** 2
        loss = a.sum() + (b * v["k"]).sum() + c.sum() * 2 + (d * v["k"]).sum() + g.mean()
        return OrderedDict([("a", a), ("b", b), ("c", c), ("d", d), ("g", g)]), loss
    return C("""
        // x ^ c for constants c, on a positive base
        model PowConst {
            dim batch
            input x : [batch, 3]
            input k : [batch, 3]
            param w : [3]
            p = x * w
            a = p ^ 2
            b = p ^ -1.5
            c = p ^ 0.5
            d = p ^ 3
            g = -p ^ 2               // -(p ^ 2)
            output a
            output b
            output c
            output d
            output g
            loss = sum(a) + sum(b * k) + sum(c) * 2 + sum(d * k) + mean(g)
        }
        """, {"x": r.pos(B, 3), "k": r.u(B, 3)}, {"w": r.pos(3, lo=0.5, hi=1.5)}, fwd,
             description="x ^ 2, x ^ -1.5, x ^ 0.5, x ^ 3, and -x ^ 2 = -(x ^ 2), positive base")


@case("pow_negative_base")
def _(r):
    def fwd(v):
        n = v["x"] * v["w"]
        a = n ** 2
        b = n ** 3
        c = n ** -1
        d = n ** -2
        return OrderedDict([("a", a), ("b", b), ("c", c), ("d", d)]), (a * v["k"]).sum() + b.sum() + (c * v["k"]).sum() + d.mean()
    return C("""
        // x ^ c with an integer constant c on negative bases, as torch.pow
        model PowNegativeBase {
            dim batch
            input x : [batch, 3]
            input k : [batch, 3]
            param w : [3]
            n = x * w
            a = n ^ 2
            b = n ^ 3
            c = n ^ -1
            d = n ^ -2
            output a
            output b
            output c
            output d
            loss = sum(a * k) + sum(b) + sum(c * k) + mean(d)
        }
        """, {"x": r.away(B, 3, lo=0.4, hi=1.5), "k": r.u(B, 3)}, {"w": arr([1.1, -0.9, 0.7])}, fwd,
             description="integer powers of negative numbers: (-2)^3 = -8, (-2)^2 = 4, (-2)^-1 = -0.5",
             notes=("LANGUAGE.md does not mention negative bases; a PyTorch user expects torch.pow: integer "
                    "exponents work on any sign (the gradient_penalty example relies on (norm - 1) ^ 2)"))


@case("pow_tensor")
def _(r):
    def fwd(v):
        x, y, w = v["x"], v["y"], v["w"]
        a = x ** y
        b = x ** w
        c = w ** v["s"]
        return OrderedDict([("a", a), ("b", b), ("c", c)]), (a * v["k"]).sum() + b.sum() + c.sum()
    return C("""
        // x ^ y with a tensor exponent: d/dx = y x^(y-1), d/dy = x^y log(x)
        model PowTensor {
            dim batch
            input x : [batch, 3]     // positive
            input y : [batch, 3]
            input k : [batch, 3]
            input s : []
            param w : [3]            // positive
            a = x ^ y
            b = x ^ w                // [batch, 3] ^ [3]
            c = w ^ s                // [3] ^ []
            output a
            output b
            output c
            loss = sum(a * k) + sum(b) + sum(c)
        }
        """, {"x": r.pos(B, 3, lo=0.3, hi=2.0), "y": r.u(B, 3, lo=-2, hi=2), "k": r.u(B, 3), "s": arr(1.7)},
             {"w": r.pos(3)}, fwd,
             description="x ^ y for tensors, with broadcasting; gradients to base and exponent")


@case("pow_number_base")
def _(r):
    def fwd(v):
        z = v["x"] * v["w"]
        a = torch.pow(2.0, z)
        b = torch.pow(math.e, z)
        c = torch.pow(2.0, -z)
        d = torch.pow(0.5, z * 3)
        f = torch.pow(math.pi, z)
        loss = (a * v["k"]).sum() + b.sum() + (c * v["k"]).sum() + d.sum() + f.mean()
        return OrderedDict([("a", a), ("b", b), ("c", c), ("d", d), ("f", f)]), loss
    return C("""
        // a number raised to a tensor: 2 ^ x, e ^ x, 2 ^ -x, 0.5 ^ (3 x), pi ^ x
        model PowNumberBase {
            dim batch
            input x : [batch, 3]
            input k : [batch, 3]
            param w : [3]
            z = x * w
            a = 2 ^ z
            b = e ^ z
            c = 2 ^ -z
            d = 0.5 ^ (z * 3)
            f = pi ^ z
            output a
            output b
            output c
            output d
            output f
            loss = sum(a * k) + sum(b) + sum(c * k) + sum(d) + mean(f)
        }
        """, {"x": r.u(B, 3, lo=-1.5, hi=1.5), "k": r.u(B, 3)}, {"w": r.u(3, lo=-1.5, hi=1.5)}, fwd,
             description="number bases: 2 ^ x, e ^ x, 2 ^ -x, 0.5 ^ x, pi ^ x")


@case("precedence")
def _(r):
    def fwd(v):
        a, b, m, z = v["a"], v["b"], v["m"], v["z"]
        p1 = -(z ** 2)
        p2 = a * (b @ m)
        p3 = torch.pow(2.0, z ** 2)
        p4 = (a - b) - a * 0.5
        p5 = (a / b) / 2
        p6 = m.transpose(-1, -2) ** 2
        p7 = (-a) @ m
        p8 = torch.pow(2.0, -z)
        p9 = a + b * z - 1
        loss = (p1.sum() + p2.sum() + p3.sum() + (p4 * p4).sum() + p5.sum() + (p6 * m).sum()
                + torch.sin(p7).sum() + p8.sum() + (p9 * p9).mean())
        return OrderedDict([("p1", p1), ("p2", p2), ("p3", p3), ("p4", p4), ("p5", p5), ("p6", p6),
                            ("p7", p7), ("p8", p8), ("p9", p9)]), loss
    return C("""
        // operator precedence and associativity (LANGUAGE.md, Expressions)
        model Precedence {
            dim batch
            input a : [batch, 3]
            input b : [batch, 3]       // away from 0
            param m : [3, 3]
            param z : [3]
            p1 = -z ^ 2                // -(z ^ 2)
            p2 = a * b @ m             // a * (b @ m)
            p3 = 2 ^ z ^ 2             // 2 ^ (z ^ 2): ^ is right-associative
            p4 = a - b - a * 0.5       // (a - b) - (a * 0.5)
            p5 = a / b / 2             // (a / b) / 2
            p6 = m.T ^ 2               // (m.T) ^ 2
            p7 = -a @ m                // (-a) @ m
            p8 = 2 ^ -z                // 2 ^ (-z)
            p9 = a + b * z - 1
            output p1
            output p2
            output p3
            output p4
            output p5
            output p6
            output p7
            output p8
            output p9
            loss = sum(p1) + sum(p2) + sum(p3) + sum(p4 * p4) + sum(p5) + sum(p6 * m) + sum(sin(p7)) + sum(p8) + mean(p9 * p9)
        }
        """, {"a": r.u(B, 3), "b": r.away(B, 3, lo=0.5, hi=1.5)}, {"m": r.u(3, 3), "z": r.u(3)}, fwd,
             description="-x^2, a*b@c, right-associative ^, left-associative - and /, .T before ^")


# ---- broadcasting ------------------------------------------------------------------------

@case("broadcast_row")
def _(r):
    def fwd(v):
        x, b, s = v["x"], v["b"], v["s"]
        y1 = x + b
        y2 = s * x
        y3 = b - x
        y4 = x / s
        y5 = s / (x + 3)
        loss = (y1 * y2).sum() + (y3 * y3).sum() + torch.sin(y4).sum() + y5.sum()
        return OrderedDict([("y1", y1), ("y2", y2), ("y3", y3), ("y4", y4), ("y5", y5)]), loss
    return C("""
        // [batch, n] with [n] on either side of + - * /
        model BroadcastRow {
            dim batch
            input x : [batch, 4]
            param b : [4]
            param s : [4]
            y1 = x + b               // [batch, n] + [n]
            y2 = s * x               // [n] * [batch, n]
            y3 = b - x               // [n] - [batch, n]
            y4 = x / s
            y5 = s / (x + 3)         // [n] / [batch, n]
            output y1
            output y2
            output y3
            output y4
            output y5
            loss = sum(y1 * y2) + sum(y3 * y3) + sum(sin(y4)) + sum(y5)
        }
        """, {"x": r.u(B, 4)}, {"b": r.u(4), "s": r.away(4, lo=0.5)}, fwd,
             description="[b,n] op [n] and [n] op [b,n]; gradients summed over the batch")


@case("broadcast_outer")
def _(r):
    def fwd(v):
        col, row = v["col"], v["row"]
        outer = col * row
        plus = col + row
        minus = row - col
        div = row / (col + 2)
        loss = (outer * outer).sum() + torch.sin(plus).sum() + minus.sum() * 0.3 + (div * v["k"]).sum()
        return OrderedDict([("outer", outer), ("plus", plus), ("minus", minus), ("div", div)]), loss
    return C("""
        // [batch, 1] with [1, n]: both operands stretch
        model BroadcastOuter {
            dim batch
            input col : [batch, 1]
            input k : [batch, 4]
            param row : [1, 4]
            outer = col * row        // [batch, 4]
            plus = col + row
            minus = row - col
            div = row / (col + 2)
            output outer
            output plus
            output minus
            output div
            loss = sum(outer * outer) + sum(sin(plus)) + sum(minus) * 0.3 + sum(div * k)
        }
        """, {"col": r.u(B, 1), "k": r.u(B, 4)}, {"row": r.u(1, 4)}, fwd,
             description="[b,1] op [1,n] -> [b,n]; both gradients are sums over stretched dims")


@case("broadcast_scalar")
def _(r):
    def fwd(v):
        x, k, t = v["x"], v["k"], v["t"]
        y = x * k + t
        z = k - x
        q = 3 * x / k + 1
        u = t / (x + 2)
        loss = (y * y).sum() + torch.sin(z).sum() + q.mean() + (u * x).sum() + k * t
        return OrderedDict([("y", y), ("z", z), ("q", q), ("u", u)]), loss
    return C("""
        // [] with tensors, and number literals with tensors
        model BroadcastScalar {
            dim batch
            input x : [batch, 3]
            input t : []
            param k : []
            y = x * k + t
            z = k - x
            q = 3 * x / k + 1
            u = t / (x + 2)
            output y
            output z
            output q
            output u
            loss = sum(y * y) + sum(sin(z)) + mean(q) + sum(u * x) + k * t
        }
        """, {"x": r.u(B, 3), "t": arr(0.7)}, {"k": arr(-1.3)}, fwd,
             description="scalar inputs/params and number literals broadcast against tensors")


@case("broadcast_rank3")
def _(r):
    def fwd(v):
        x, w, u, p, s = v["x"], v["w"], v["u"], v["p"], v["s"]
        a = x * w            # [b,3,1] * [3,1]
        b = u + p            # [b,1,4] + [2,1] -> [b,2,4]
        c = b * s            # [b,2,4] * [4]
        d = x - s            # [b,3,1] - [4] -> [b,3,4]
        loss = (a * a).sum() + torch.sin(b).sum() + (c * c).mean() + torch.tanh(d).sum()
        return OrderedDict([("a", a), ("b", b), ("c", c), ("d", d)]), loss
    return C("""
        // rank-3 broadcasting: size-1 and missing leading dimensions stretch
        model BroadcastRank3 {
            dim batch
            input x : [batch, 3, 1]
            input u : [batch, 1, 4]
            param w : [3, 1]
            param p : [2, 1]
            param s : [4]
            a = x * w                // [batch, 3, 1]
            b = u + p                // [batch, 2, 4]
            c = b * s                // [batch, 2, 4]
            d = x - s                // [batch, 3, 4]
            output a
            output b
            output c
            output d
            loss = sum(a * a) + sum(sin(b)) + mean(c * c) + sum(tanh(d))
        }
        """, {"x": r.u(B, 3, 1), "u": r.u(B, 1, 4)}, {"w": r.u(3, 1), "p": r.u(2, 1), "s": r.u(4)}, fwd,
             description="[b,n,1]*[n,1], [b,1,m]+[k,1] -> [b,k,m], [b,n,1]-[m] -> [b,n,m]")


# ---- matrix products ---------------------------------------------------------------------

@case("matmul_mm")
def _(r):
    def fwd(v):
        x, w = v["x"], v["w"]
        y = x @ w
        gram = x.transpose(-1, -2) @ x
        ww = w @ v["w2"]
        loss = (y * y).sum() + (gram * v["g"]).sum() + torch.sin(ww).sum()
        return OrderedDict([("y", y), ("gram", gram), ("ww", ww)]), loss
    return C("""
        // [m,k] @ [k,n] -> [m,n], with the runtime dim as m and as k
        model MatmulMM {
            dim batch
            input x : [batch, 3]
            param w : [3, 4]
            param w2 : [4, 2]
            param g : [3, 3]
            y = x @ w                // [batch, 4]
            gram = x.T @ x           // [3, 3]: k is the runtime dim
            ww = w @ w2              // [3, 2]: both params
            output y
            output gram
            output ww
            loss = sum(y * y) + sum(gram * g) + sum(sin(ww))
        }
        """, {"x": r.u(B, 3)}, {"w": r.u(3, 4), "w2": r.u(4, 2), "g": r.u(3, 3)}, fwd,
             description="matrix @ matrix")


@case("matmul_vm")
def _(r):
    def fwd(v):
        y = v["v"] @ v["w"]
        return OrderedDict([("y", y)]), (y * v["c"]).sum() + (y * y).sum()
    return C("""
        // [k] @ [k,n] -> [n]
        model MatmulVM {
            input v : [3]
            input c : [4]
            param w : [3, 4]
            output y = v @ w
            loss = sum(y * c) + sum(y * y)
        }
        """, {"v": r.u(3), "c": r.u(4)}, {"w": r.u(3, 4)}, fwd, description="vector @ matrix")


@case("matmul_mv")
def _(r):
    def fwd(v):
        y = v["x"] @ v["u"]
        z = v["m"] @ v["u"]
        return OrderedDict([("y", y), ("z", z)]), (y * y).sum() + torch.sin(z).sum()
    return C("""
        // [m,k] @ [k] -> [m]
        model MatmulMV {
            dim batch
            input x : [batch, 3]
            param u : [3]
            param m : [4, 3]
            output y = x @ u          // [batch]
            output z = m @ u          // [4]
            loss = sum(y * y) + sum(sin(z))
        }
        """, {"x": r.u(B, 3)}, {"u": r.u(3), "m": r.u(4, 3)}, fwd, description="matrix @ vector")


@case("matmul_vv")
def _(r):
    def fwd(v):
        d = v["a"] @ v["b"]
        return OrderedDict([("d", d)]), d * d + torch.sin(d)
    return C("""
        // [k] @ [k] -> []
        model MatmulVV {
            input a : [4]
            param b : [4]
            output d = a @ b
            loss = d * d + sin(d)
        }
        """, {"a": r.u(4)}, {"b": r.u(4)}, fwd, description="vector @ vector, a scalar")


# ---- derivatives inside models -----------------------------------------------------------

@case("grad_second_derivative")
def _(r):
    def fwd(v):
        x, a, b = v["x"], v["a"], v["b"]
        f = a * x ** 3 + b * torch.sin(x) * x
        d1 = G(f, x)
        d2 = G(G(f, x), x)
        return OrderedDict([("f", f), ("d1", d1), ("d2", d2)]), d2 ** 2 + a * d1
    return C("""
        // grad(grad(f, x), x) of a scalar: a second derivative; the loss differentiates it again
        model SecondDerivative {
            input x : []
            param a : []
            param b : []
            f = a * x ^ 3 + b * sin(x) * x
            d1 = grad(f, x)                  // 3 a x^2 + b (sin x + x cos x)
            d2 = grad(grad(f, x), x)         // 6 a x + b (2 cos x - x sin x)
            output f
            output d1
            output d2
            loss = d2 ^ 2 + a * d1
        }
        """, {"x": arr(0.8)}, {"a": arr(0.6), "b": arr(-1.4)}, fwd,
             description="nested grad of a scalar; the loss's gradients are third derivatives")


@case("grad_hvp")
def _(r):
    def fwd(v):
        x, w, vv = v["x"], v["w"], v["v"]
        f = (softplus(x @ w) ** 2).mean()
        g = G(f, w)
        hv = G((g * vv).sum(), w)
        return OrderedDict([("f", f), ("g", g), ("hv", hv)]), (hv * hv).sum() + f
    return C("""
        // a Hessian-vector product grad(sum(grad(f, w) * v), w)
        model HessianVector {
            dim batch
            input x : [batch, 3]
            input v : [3, 2]
            param w : [3, 2]
            f = mean(softplus(x @ w) ^ 2)
            g = grad(f, w)                   // [3, 2]
            hv = grad(sum(g * v), w)         // [3, 2]: H v
            output f
            output g
            output hv
            loss = sum(hv * hv) + f
        }
        """, {"x": r.u(B, 3), "v": r.u(3, 2)}, {"w": r.u(3, 2)}, fwd,
             description="Hessian-vector product in the model; the loss differentiates through it")


@case("grad_in_inference")
def _(r):
    def fwd(v):
        y = torch.tanh(v["x"] @ v["w"])
        dx = G((y * y).sum(), v["x"])
        dw = G((y * y).sum(), v["w"])
        return OrderedDict([("y", y), ("dx", dx), ("dw", dw)]), None
    return C("""
        // no loss: outputs only, two of them gradients (of an input and of a param)
        model GradInInference {
            dim batch
            input x : [batch, 3]
            param w : [3, 2]
            y = tanh(x @ w)
            output y
            output dx = grad(sum(y * y), x)
            output dw = grad(sum(y * y), w)
        }
        """, {"x": r.u(B, 3)}, {"w": r.u(3, 2)}, fwd,
             description="a model without a loss: only outputs are written (no loss, no grad.*)")


# ---- the generated examples --------------------------------------------------------------

def _example(name):
    return (ROOT / "generated-examples" / name).read_text()


@case("gradient_penalty")
def _(r):
    def critic(x, w1, b1, w2, b2):
        return torch.tanh(x @ w1 + b1) @ w2 + b2

    def fwd(v):
        ps = (v["w1"], v["b1"], v["w2"], v["b2"])
        d_real = critic(v["real"], *ps)
        d_fake = critic(v["fake"], *ps)
        d_mixed = critic(v["mixed"], *ps)
        g = G(d_mixed.sum(), v["mixed"])
        norm = torch.sqrt((g * g).sum(1) + 1e-12)
        penalty = ((norm - 1) ** 2).mean()
        loss = d_fake.mean() - d_real.mean() + 10 * penalty
        return OrderedDict([("score", d_real)]), loss

    real, fake = r.normal(4, 2), r.normal(4, 2) + 1.0
    eps = r.u(4, 1, lo=0, hi=1)
    a = math.sqrt(6.0 / 2)  # he_uniform on [2, 32]
    return C(nn(_example("gradient_penalty.nn")),
             {"real": real, "fake": fake, "mixed": eps * real + (1 - eps) * fake},
             {"w1": r.u(2, 32, lo=-a, hi=a), "b1": r.u(32, lo=-0.1, hi=0.1), "w2": r.xavier(32, 1), "b2": arr([0.05])},
             fwd, description="generated-examples/gradient_penalty.nn: WGAN-GP critic, grad inside the loss",
             notes="batch = 4; grad.mixed and every grad.<p> are second derivatives",
             train=dict(optimizer="adam", lr=1e-4, betas=(0.5, 0.9)))


@case("rosenbrock")
def _(r):
    def fwd(v):
        x, y = v["x"], v["y"]
        f = (1 - x) ** 2 + 100 * (y - x ** 2) ** 2
        gx = G(f, x)
        gy = G(f, y)
        directional = gx * v["vx"] + gy * v["vy"]
        out = OrderedDict([("value", f), ("grad_x", gx), ("grad_y", gy),
                           ("hvp_x", G(directional, x)), ("hvp_y", G(directional, y))])
        return out, f
    return C(nn(_example("rosenbrock.nn")), {"vx": arr(0.3), "vy": arr(-0.7)},
             {"x": arr(-1.5), "y": arr(2.0)}, fwd,
             description="generated-examples/rosenbrock.nn: gradients and an HVP as outputs, scalar params",
             train=dict(optimizer="adam", lr=0.01))


@case("logistic_regression")
def _(r):
    def fwd(v):
        z = v["x"] @ v["w"] + v["b"]
        return OrderedDict([("probability", torch.sigmoid(z))]), F.binary_cross_entropy_with_logits(z, v["y"])
    return C(nn(_example("logistic_regression.nn")),
             {"x": r.normal(6, 4), "y": arr([[1], [0], [0], [1], [1], [0]])},
             {"w": r.normal(4, 1, std=0.5), "b": arr([0.1])}, fwd,
             description="generated-examples/logistic_regression.nn", notes="batch = 6",
             train=dict(optimizer="sgd", lr=0.1))


@case("house_prices")
def _(r):
    def fwd(v):
        h = torch.relu(v["x"] @ v["w1"] + v["b1"])  # dropout: identity in eval
        price = h @ v["w2"] + v["b2"]
        return OrderedDict([("price", price)]), F.mse_loss(price, v["y"])
    return C(nn(_example("house_prices.nn")),
             {"x": r.normal(4, 331), "y": r.u(4, 1, lo=11.0, hi=13.0)},
             {"w1": r.xavier(331, 256), "b1": r.u(256, lo=-0.05, hi=0.05), "w2": r.xavier(256, 1), "b2": arr([12.0])},
             fwd, description="generated-examples/house_prices.nn: 331 -> 256 -> 1 MLP, dropout 0.2 (off), mse",
             notes="batch = 4; y is a log price around 12, b2 starts at 12")


@case("mnist_mlp")
def _(r):
    def fwd(v):
        logits = torch.relu(v["image"] @ v["w1"] + v["b1"]) @ v["w2"] + v["b2"]
        return OrderedDict([("probs", torch.softmax(logits, -1))]), F.cross_entropy(logits, v["label"])
    image = r.u(4, 784, lo=0, hi=1)
    image[image < 0.4] = 0.0  # mostly-dark pixels, as in MNIST
    a = math.sqrt(6.0 / 784)  # he_uniform
    return C(nn(_example("mnist_mlp.nn")),
             {"image": image, "label": np.array([7, 2, 1, 0], dtype=np.int64)},
             {"w1": r.u(784, 256, lo=-a, hi=a), "b1": r.u(256, lo=-0.05, hi=0.05), "w2": r.xavier(256, 10),
              "b2": r.u(10, lo=-0.05, hi=0.05)},
             fwd, description="generated-examples/mnist_mlp.nn: 784 -> 256 -> 10, cross_entropy on int labels",
             notes="batch = 4")


# ---- language features -------------------------------------------------------------------

@case("fn_and_rebinding")
def _(r):
    def swish(x):
        return x * torch.sigmoid(x)

    def block(x, w, b):
        return swish(x @ w + b)

    def fwd(v):
        x, w, b = v["x"], v["w"], v["b"]
        h = block(x, w, b)
        h = block(h, w, b) + h
        h = h * 2
        s = swish(v["v"])
        y = h + s
        return OrderedDict([("y", y), ("s", s)]), (y ** 2).mean() + 0.01 * (w * w).sum()
    return C("""
        // fns: inlined, shape-polymorphic, calling each other; a local rebound twice
        fn swish(x) = x * sigmoid(x)
        fn affine(x, w, b) = x @ w + b
        fn block(x, w, b) = swish(affine(x, w, b))
        fn sq(w) = sum(w * w)                 // w here is the fn's own parameter

        model FnRebind {
            dim batch
            input x : [batch, 3]
            param w : [3, 3]
            param b : [3]
            param v : [3]
            h = block(x, w, b)
            h = block(h, w, b) + h            // the right side sees the previous h
            h = h * 2
            s = swish(v)                      // the same fn on a [3] vector
            output y = h + s
            output s
            loss = mean(y ^ 2) + 0.01 * sq(w)
        }
        """, {"x": r.u(B, 3)}, {"w": r.u(3, 3), "b": r.u(3), "v": r.u(3)}, fwd,
             description="fn inlining (nested, polymorphic) and rebinding a local")


@case("java_keywords")
def _(r):
    def final(class_, this):
        return class_ * torch.sigmoid(this)

    def fwd(v):
        null = v["class"] @ v["this"] + v["new"]
        return_ = final(null, v["String"]) * v["double"]
        var = torch.tanh(return_)
        Math = torch.exp(-var)
        return (OrderedDict([("public", var), ("static", Math)]),
                Math.mean() + return_.sum() * 0.1 + (v["goto"] * v["goto"]).sum())
    return C("""
        // Java keywords and java.lang names as .nn names: the generator must rename them
        fn final(class, this) = class * sigmoid(this)

        model Keywords {
            dim batch
            input class : [batch, 3]
            input String : [batch, 3]
            param this : [3, 3]
            param new : [3]
            param double : []
            param goto : [2]
            null = class @ this + new
            return = final(null, String) * double
            var = tanh(return)
            Math = exp(-var)
            output public = var
            output static = Math
            loss = mean(Math) + sum(return) * 0.1 + sum(goto * goto)
        }
        """, {"class": r.u(B, 3), "String": r.u(B, 3)},
             {"this": r.u(3, 3), "new": r.u(3), "double": arr(1.3), "goto": arr([0.5, -0.25])}, fwd,
             description="names class, String, this, new, double, goto, null, return, var, Math, public, static, final",
             notes="'int' is not used as a name: it introduces integer input types (int[...]), LANGUAGE.md does not say whether it is reserved")


@case("two_dims")
def _(r):
    def fwd(v):
        x, q = v["x"], v["q"]
        bsz, seq = x.shape[0], x.shape[1]
        scores = (x * q).sum(-1)
        attn = torch.softmax(scores, -1)
        pooled = (x * attn.reshape(bsz, seq, 1)).sum(1)
        avg = x.mean(1)
        out = (pooled + avg) @ v["w"] + v["b"]
        return OrderedDict([("attn", attn), ("out", out)]), F.mse_loss(out, v["y"])
    return C("""
        // two runtime dims: attention pooling over a sequence
        model TwoDims {
            dim batch, seq
            input x : [batch, seq, 4]
            input y : [batch, 3]
            param q : [4]
            param w : [4, 3]
            param b : [3]
            scores = sum(x * q, axis = -1)                               // [batch, seq]
            attn = softmax(scores)                                       // over seq
            pooled = sum(x * reshape(attn, [batch, seq, 1]), axis = 1)   // [batch, 4]
            avg = mean(x, axis = 1)                                      // [batch, 4]
            out = (pooled + avg) @ w + b
            output attn
            output out
            loss = mse(out, y)
        }
        """, {"x": r.u(2, 6, 4), "y": r.u(2, 3)}, {"q": r.u(4), "w": r.u(4, 3), "b": r.u(3)}, fwd,
             description="dim batch, seq (2 and 6), read off the shape of x")


_MULTI = """
    // several models in one file, sharing a fn; pick one with --model
    fn lin(x, w, b) = x @ w + b

    model First {
        dim batch
        input x : [batch, 3]
        param w : [3, 2]
        param b : [2]
        output y = lin(x, w, b)
        loss = mean(y ^ 2)
    }

    model Second {
        dim n
        input x : [n, 2]
        input t : [n]
        param v : [2]
        output z = tanh(x @ v)
        loss = mse(z, t)
    }

    model Third {
        input x : [2]
        output y = x * 2
    }
    """


@case("multi_model_first")
def _(r):
    def fwd(v):
        y = v["x"] @ v["w"] + v["b"]
        return OrderedDict([("y", y)]), (y ** 2).mean()
    return C(_MULTI, {"x": r.u(B, 3)}, {"w": r.u(3, 2), "b": r.u(2)}, fwd, model="First",
             description="--model First of a file with three models")


@case("multi_model_second")
def _(r):
    def fwd(v):
        z = torch.tanh(v["x"] @ v["v"])
        return OrderedDict([("z", z)]), F.mse_loss(z, v["t"])
    return C(_MULTI, {"x": r.u(6, 2), "t": r.u(6)}, {"v": r.u(2)}, fwd, model="Second",
             description="--model Second of a file with three models (dim n = 6)")


@case("const_and_constants")
def _(r):
    def fwd(v):
        y = torch.sin(math.pi * v["x"]) @ v["w"] * 0.5 + math.e
        return OrderedDict([("y", y)]), y.mean() * 6 + (y * y).sum()
    return C("""
        // consts in shapes and expressions (one defined from another); the constants pi and e
        model ConstAndConstants {
            dim batch
            const n = 3
            const twice = n * 2
            const half = 0.5
            input x : [batch, n]
            param w : [n, twice]
            y = sin(pi * x) @ w * half + e
            output y
            loss = mean(y) * twice + sum(y * y)
        }
        """, {"x": r.u(B, 3)}, {"w": r.u(3, 6)}, fwd,
             description="const arithmetic (twice = n * 2 = 6) used in a shape; pi and e")


@case("loss_only")
def _(r):
    def fwd(v):
        return OrderedDict(), F.mse_loss(v["x"] @ v["w"], v["y"])
    return C("""
        // a model with a loss and no output
        model LossOnly {
            dim batch
            input x : [batch, 3]
            input y : [batch, 2]
            param w : [3, 2]
            loss = mse(x @ w, y)
        }
        """, {"x": r.u(B, 3), "y": r.u(B, 2)}, {"w": r.u(3, 2)}, fwd,
             description="no output: eval writes loss and the gradients only")


@case("unused_gradients")
def _(r):
    def fwd(v):
        y = (v["x"] * v["w"]).sum(1)
        z = v["extra"] * v["other"]
        return OrderedDict([("y", y), ("z", z)]), (y ** 2).mean()
    return C("""
        // what the loss does not use has a zero gradient
        model UnusedGradients {
            dim batch
            input x : [batch, 3]
            input extra : [batch, 3]     // used only by an output
            param w : [3]
            param other : [3]            // used only by an output
            param spare : [3]            // used by nothing
            output y = sum(x * w, axis = 1)
            output z = extra * other
            loss = mean(y ^ 2)
        }
        """, {"x": r.u(B, 3), "extra": r.u(B, 3)}, {"w": r.u(3), "other": r.u(3), "spare": r.u(3)}, fwd,
             description="grad.other, grad.spare and grad.extra are zeros")


@case("declared_precision_f32")
def _(r):
    def fwd(v):
        d = (v["x"] + 1000) - 1000
        y = d * v["w"]
        return OrderedDict([("y", y)]), (y * y).sum()
    return C("""
        // the model asks for f32, but eval computes in f64 unless --precision f32 is given
        model DeclaredF32 {
            precision f32
            dim batch
            input x : [batch, 3]
            param w : [3]
            d = (x + 1000) - 1000            // exact to ~1e-13 in f64, to ~6e-5 in f32
            output y = d * w
            loss = sum(y * y)
        }
        """, {"x": r.u(B, 3)}, {"w": r.u(3)}, fwd,
             description="`precision f32` in the model does not change eval's f64 default",
             notes="in f32, (x + 1000) - 1000 loses about 4 digits: an f32 result fails the f64 tolerance (unless the simplifier folds it away, which is also correct)")


@case("syntax_layout")
def _(r):
    def fwd(v):
        h = v["x"] @ v["w"] + v["b"]
        y = torch.maximum(h, 0.1 * h)
        s = (y * v["scale"]).sum(-1, keepdim=True)
        return OrderedDict([("out", s)]), (s * s).mean() * 2.5e3 * 1e-4 + (v["q"] ** 2).sum()
    return C("""
        /* Layout: block comments,
           semicolons, continuation lines, number formats */
        model SyntaxLayout {   // a trailing comment
            dim batch; input x : [batch, 3]; param w : [3, 2]
            param b : [2]
            param q : [2,
                       2]                          // a line break inside [ ]
            param scale : [2]
            h = x @ w +
                b                                  // continued after a binary operator
            y = maximum(h,
                        0.1 * h)                   // continued inside ( ) after a comma
            output out = sum(y * scale, axis = -1,
                             keepdims = true)
            loss = mean(out * out) * 2.5E+3 * 1e-4 + sum(q ^ 2)
        }
        """, {"x": r.u(B, 3)}, {"w": r.u(3, 2), "b": r.away(2), "q": r.u(2, 2), "scale": r.u(2)}, fwd,
             description="comments, ';', continuation lines, 2.5E+3 and 1e-4",
             notes="maximum(h, 0.1 h) is a leaky relu; h is never 0")


# ---- version 2: shapes, indexing, comparisons, selection, constants --------------------------

@case("v2_reshape_flatten")
def _(r):
    def fwd(v):
        x, w, p = v["x"], v["w"], v["p"]
        z = x * w
        r1 = z.reshape(-1, 12)
        r2 = z.reshape(z.shape[0], -1, 3)
        f1 = torch.flatten(z, 1)
        f2 = torch.flatten(p, 0, 1)
        f3 = torch.flatten(p, 0)
        u = torch.unsqueeze(z, 1) * torch.unsqueeze(z, -1)[:, :, :1]
        s = torch.squeeze(torch.unsqueeze(p, -1), -1) + torch.squeeze(p.sum((0,), keepdim=True), 0)
        loss = (r1 * r1).sum() + torch.sin(r2).sum() + (f1 * f3[:12]).sum() + (f2 * f2 * f2).sum() + u.sum() + (s * s).sum()
        return OrderedDict([("r1", r1), ("r2", r2), ("f1", f1), ("f2", f2), ("f3", f3), ("u", u), ("s", s)]), loss
    return C("""
        // reshape with -1 (inferring the runtime dim, or a constant), flatten, unsqueeze, squeeze
        model V2Reshape {
            dim batch
            input x : [batch, 2, 6]
            param w : [6]
            param p : [2, 3, 4]
            z = x * w
            r1 = reshape(z, [-1, 12])              // [batch, 12]: -1 is batch
            r2 = reshape(z, [batch, -1, 3])        // [batch, 4, 3]
            f1 = flatten(z)                        // start = 1: [batch, 12]
            f2 = flatten(p, 0, 1)                  // [6, 4]
            f3 = flatten(p, start = 0)             // [24]
            u = unsqueeze(z, 1) * unsqueeze(z, -1)[:, :, :1]   // [batch, 1, 2, 6] * [batch, 2, 1, 1]
            s = squeeze(unsqueeze(p, -1), -1) + squeeze(sum(p, axis = [0], keepdims = true), 0)
            output r1
            output r2
            output f1
            output f2
            output f3
            output u
            output s
            loss = sum(r1 * r1) + sum(sin(r2)) + sum(f1 * f3[:12]) + sum(f2 * f2 * f2) + sum(u) + sum(s * s)
        }
        """, {"x": r.u(B, 2, 6)}, {"w": r.u(6), "p": r.u(2, 3, 4)}, fwd,
             description="v2 shapes: reshape with -1 (a runtime dim or a constant), flatten (default start 1, start/end), unsqueeze, squeeze")


@case("v2_permute_transpose")
def _(r):
    def fwd(v):
        x, w = v["x"], v["w"]
        p1 = x.permute(2, 0, 1)
        t1 = x.transpose(0, 2)
        t2 = x.transpose(-1, 1)
        t3 = torch.exp(x.permute(1, 2, 0) * 0.5)
        prod = x.permute(0, 2, 1)[0] @ w
        loss = (p1 * p1).sum() + torch.sin(t1).sum() + (t2 * t2.transpose(-1, -2).transpose(-1, -2)).sum() + t3.sum() + (prod * prod).sum()
        return OrderedDict([("p1", p1), ("t1", t1), ("t2", t2), ("t3", t3)]), loss
    return C("""
        // permute and transpose(x, a, b); a permute read by a product
        model V2Permute {
            dim batch
            input x : [batch, 2, 3]
            param w : [2, 4]
            p1 = permute(x, [2, 0, 1])             // [3, batch, 2]
            t1 = transpose(x, 0, 2)                // [3, 2, batch]
            t2 = transpose(x, -1, 1)               // the last two: as .T
            t3 = exp(permute(x, [1, 2, 0]) * 0.5)  // [2, 3, batch]
            prod = permute(x, [0, 2, 1])[0] @ w    // [3, 2] @ [2, 4]: the product reads a copy
            output p1
            output t1
            output t2
            output t3
            loss = sum(p1 * p1) + sum(sin(t1)) + sum(t2 * t2.T.T) + sum(t3) + sum(prod * prod)
        }
        """, {"x": r.u(B, 2, 3)}, {"w": r.u(2, 4)}, fwd,
             description="v2 shapes: permute, transpose(x, a, b) of outer and last axes")


@case("v2_reduce_axis_lists_var")
def _(r):
    def fwd(v):
        z = v["x"] * v["s"]
        a = z.sum((0, 2))
        m = z.mean((1, -1), keepdim=True)
        mx = torch.amax(z, (0, 1))
        mn = torch.amin(z, (2, 0), keepdim=True)
        l = torch.logsumexp(z, (1, 2))
        v1 = torch.var(z)
        v2 = torch.var(z, (0, 2), correction=0)
        v3 = torch.var(z, 1, keepdim=True, correction=2)
        loss = (a * a).sum() + m.sum() + torch.sin(mx).sum() + (mn * mn).sum() + l.sum() + v1 + (v2 * v2).sum() + v3.sum()
        return OrderedDict([("a", a), ("m", m), ("mx", mx), ("mn", mn), ("l", l), ("v1", v1), ("v2", v2), ("v3", v3)]), loss
    return C("""
        // every reduction over a list of axes; var as torch.var (correction 1 by default, 0, 2)
        model V2Reductions {
            dim batch
            input x : [batch, 3, 4]
            param s : [4]
            z = x * s
            a = sum(z, axis = [0, 2])                          // [3]
            m = mean(z, [1, -1], keepdims = true)              // [batch, 1, 1]
            mx = max(z, axis = [0, 1])                         // [4]
            mn = min(z, axis = [2, 0], keepdims = true)        // [1, 3, 1]
            l = logsumexp(z, axis = [1, 2])                    // [batch]
            v1 = var(z)                                        // []
            v2 = var(z, axis = [0, 2], correction = 0)         // [3]
            v3 = var(z, 1, keepdims = true, correction = 2)    // [batch, 1, 4]
            output a
            output m
            output mx
            output mn
            output l
            output v1
            output v2
            output v3
            loss = sum(a * a) + sum(m) + sum(sin(mx)) + sum(mn * mn) + sum(l) + v1 + sum(v2 * v2) + sum(v3)
        }
        """, {"x": r.u(B, 3, 4)}, {"s": r.away(4, lo=0.5, hi=1.5)}, fwd,
             description="v2: sum/mean/max/min/logsumexp over lists of axes; var with correction 1, 0, 2",
             notes="values are distinct, so max/min have no ties")


@case("v2_indexing")
def _(r):
    def fwd(v):
        x, w = v["x"], v["w"]
        h = x * w[1]
        a = h[0]
        b = h[:, -1]
        c = h[:, 1:3, ::2]
        d = h[..., -3:-1]
        e_ = h[-2:, :2, 1]
        f = w[1:4:2, ...]
        g = w[-7:100:3, 2] + w.transpose(-1, -2)[1, 1:3]
        loss = (a * a).sum() + torch.sin(b).sum() + (c * c * c).sum() + d.sum() + (e_ * e_).sum() + (f * f).sum() + (g * g).sum()
        return OrderedDict([("a", a), ("b", b), ("c", c), ("d", d), ("e2", e_), ("f", f), ("g", g)]), loss
    return C("""
        // basic indexing as NumPy's: integers (negative from the end), slices with steps, '...',
        // on static dims and on the runtime dims batch and seq
        model V2Indexing {
            dim batch, seq
            input x : [batch, seq, 4]
            param w : [5, 4]
            h = x * w[1]
            a = h[0]                    // [seq, 4]
            b = h[:, -1]                // [batch, 4]
            c = h[:, 1:3, ::2]          // [batch, 2, 2]
            d = h[..., -3:-1]           // [batch, seq, 2]
            e2 = h[-2:, :2, 1]          // [2, 2]
            f = w[1:4:2, ...]           // [2, 4]
            g = w[-7:100:3, 2] + w.T[1, 1:3]   // bounds clamp as NumPy's: [2]
            output a
            output b
            output c
            output d
            output e2
            output f
            output g
            loss = sum(a * a) + sum(sin(b)) + sum(c * c * c) + sum(d) + sum(e2 * e2) + sum(f * f) + sum(g * g)
        }
        """, {"x": r.u(B, 4, 4)}, {"w": r.u(5, 4)}, fwd,
             description="v2 indexing: integers, negative positions, strided slices, '...', clamped bounds, runtime dims; gradients into zeros",
             notes="batch = 5, seq = 4; the gradient of an indexed tensor is zero outside the selection")


@case("v2_comparisons_where")
def _(r):
    def fwd(v):
        x, y, w = v["x"], v["y"], v["w"]
        z = x * w
        f = lambda t: t.to(torch.float64)
        lt, le, gt, ge = f(z < y), f(z <= y), f(z > y), f(z >= 0.25)
        eq, ne = f(z == z) + f(z == y), f(z != y)
        s = torch.where(z > y, z * z, y - z)
        m = torch.where(lt != 0, torch.ones_like(z), z)
        c = f(z * 2 + 1 > y * 3 - 1)
        loss = s.sum() + (m * m).sum() + (lt * z).sum() + (c * z).sum()
        return OrderedDict([("lt", lt), ("le", le), ("gt", gt), ("ge", ge), ("eq", eq), ("ne", ne), ("s", s), ("m", m), ("c", c)]), loss
    return C("""
        // the six comparisons (1 or 0, broadcasting, no gradient); where, whose gradient follows the mask
        model V2Where {
            dim batch
            input x : [batch, 3]
            input y : [3]
            param w : [3]
            z = x * w
            lt = z < y
            le = z <= y
            gt = z > y
            ge = z >= 0.25
            eq = (z == z) + (z == y)
            ne = z != y
            s = where(z > y, z * z, y - z)
            m = where(lt, 1, z)
            c = z * 2 + 1 > y * 3 - 1         // comparisons bind more loosely than + - * /
            output lt
            output le
            output gt
            output ge
            output eq
            output ne
            output s
            output m
            output c
            loss = sum(s) + sum(m * m) + sum(lt * z) + sum(c * z)
        }
        """, {"x": r.u(B, 3), "y": r.u(3)}, {"w": r.away(3, lo=0.5, hi=1.5)}, fwd,
             description="v2 comparisons < <= > >= == != (broadcasting, 1/0, no gradient) and where (gradient by the mask)",
             notes="torch's boolean results are converted to float64; inputs are continuous, so no ties")


@case("v2_masks_constants")
def _(r):
    def fwd(v):
        x, s_, p = v["x"], v["s"], v["p"]
        seq = x.shape[1]
        z = x * s_
        lo = torch.tril(z)
        up = torch.triu(z, diagonal=1)
        lo2 = torch.tril(z, -1)
        up2 = torch.triu(z, -2)
        rect = torch.tril(p, 1) + 2 * torch.triu(p, -1)
        mask = torch.tril(torch.ones(seq, seq))
        att = torch.softmax(torch.where(mask > 0, z, torch.full_like(z, -1e9)), -1)
        rng = torch.arange(seq, dtype=torch.float64)
        f = torch.full((x.shape[0], seq), 2.5) + torch.zeros(seq) + rng
        loss = (lo * lo).sum() + up.sum() + (lo2 * up2).sum() + (rect * rect).sum() + (att * x).sum() + f.sum()
        return OrderedDict([("lo", lo), ("up", up), ("lo2", lo2), ("up2", up2), ("rect", rect), ("mask", mask), ("att", att),
                            ("rng", rng), ("f", f)]), loss
    return C("""
        // tril and triu (diagonals of both signs, square over runtime dims and rectangular), a causal
        // mask with where and softmax, arange, zeros, ones and full with runtime dims
        model V2Masks {
            dim batch, seq
            input x : [batch, seq, seq]
            param s : [1]
            param p : [3, 4]
            z = x * s
            lo = tril(z)
            up = triu(z, diagonal = 1)
            lo2 = tril(z, -1)
            up2 = triu(z, -2)
            rect = tril(p, 1) + 2 * triu(p, -1)
            mask = tril(ones([seq, seq]))
            att = softmax(where(mask > 0, z, -1e9))
            rng = arange(seq)
            f = full([batch, seq], 2.5) + zeros([seq]) + rng
            output lo
            output up
            output lo2
            output up2
            output rect
            output mask
            output att
            output rng
            output f
            loss = sum(lo * lo) + sum(up) + sum(lo2 * up2) + sum(rect * rect) + sum(att * x) + sum(f)
        }
        """, {"x": r.u(B, 4, 4)}, {"s": r.away(1, lo=0.5, hi=1.5), "p": r.u(3, 4)}, fwd,
             description="v2 tril/triu, a causal mask (tril(ones([seq, seq])) with where), arange, zeros, ones, full over runtime dims",
             notes="batch = 5, seq = 4")


# ---- training ----------------------------------------------------------------------------

def _mlp_train_case(r, mname, optimizer_line, train, classify=False):
    if classify:
        head = "input label : int[batch]"
        loss_line = "loss = cross_entropy(out, label)"
        inputs = {"x": r.u(6, 4), "label": np.array([0, 2, 1, 2, 0, 1], dtype=np.int64)}
        outs = 3
    else:
        head = "input y : [batch, 3]"
        loss_line = "loss = mse(out, y)"
        inputs = {"x": r.u(6, 4), "y": r.u(6, 3)}
        outs = 3

    def fwd(v):
        h = torch.tanh(v["x"] @ v["w1"] + v["b1"])
        out = h @ v["w2"] + v["b2"]
        loss = F.cross_entropy(out, v["label"]) if classify else F.mse_loss(out, v["y"])
        return OrderedDict([("out", out)]), loss
    return C(f"""
        // a small MLP trained for 3 steps: see train.safetensors
        model {mname} {{
            dim batch
            input x : [batch, 4]
            {head}
            param w1 : [4, 8] init xavier_uniform
            param b1 : [8]
            param w2 : [8, {outs}] init xavier_uniform
            param b2 : [{outs}]
            h = tanh(x @ w1 + b1)
            output out = h @ w2 + b2
            {loss_line}
            {optimizer_line}
        }}
        """, inputs, {"w1": r.xavier(4, 8), "b1": r.u(8, lo=-0.1, hi=0.1), "w2": r.xavier(8, outs), "b2": r.u(outs, lo=-0.1, hi=0.1)},
             fwd, train=train, description="3 steps of " + optimizer_line.replace("optimizer ", ""))


@case("train_sgd")
def _(r):
    return _mlp_train_case(r, "TrainSgd", "optimizer sgd(lr = 0.1)", dict(optimizer="sgd", lr=0.1))


@case("train_sgd_momentum")
def _(r):
    return _mlp_train_case(r, "TrainSgdMomentum", "optimizer sgd(lr = 0.05, momentum = 0.9, weight_decay = 0.01)",
                           dict(optimizer="sgd", lr=0.05, momentum=0.9, weight_decay=0.01))


@case("train_sgd_nesterov")
def _(r):
    return _mlp_train_case(r, "TrainSgdNesterov",
                           "optimizer sgd(lr = 0.05, momentum = 0.8, weight_decay = 0.001, nesterov = true)",
                           dict(optimizer="sgd", lr=0.05, momentum=0.8, weight_decay=0.001, nesterov=True),
                           classify=True)


@case("train_adam")
def _(r):
    return _mlp_train_case(r, "TrainAdam", "optimizer adam(lr = 0.01)", dict(optimizer="adam", lr=0.01),
                           classify=True)


@case("train_adam_weight_decay")
def _(r):
    return _mlp_train_case(r, "TrainAdamWeightDecay",
                           "optimizer adam(lr = 0.02, beta1 = 0.8, beta2 = 0.99, eps = 1e-6, weight_decay = 0.05)",
                           dict(optimizer="adam", lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05))


@case("train_adamw_clip_norm")
def _(r):
    return _mlp_train_case(r, "TrainAdamWClipNorm",
                           "optimizer adamw(lr = 0.02, weight_decay = 0.1, clip_norm = 0.2)",
                           dict(optimizer="adamw", lr=0.02, weight_decay=0.1, clip_norm=0.2), classify=True)


@case("train_adamw_defaults")
def _(r):
    return _mlp_train_case(r, "TrainAdamWDefaults", "optimizer adamw", dict(optimizer="adamw", lr=1e-3))


@case("train_adam_clip_norm")
def _(r):
    return _mlp_train_case(r, "TrainAdamClipNorm",
                           "optimizer adam(lr = 0.02, weight_decay = 0.01, clip_norm = 0.1)",
                           dict(optimizer="adam", lr=0.02, weight_decay=0.01, clip_norm=0.1))


@case("train_sgd_clip_norm")
def _(r):
    return _mlp_train_case(r, "TrainSgdClipNorm",
                           "optimizer sgd(lr = 0.1, momentum = 0.9, clip_norm = 0.2)",
                           dict(optimizer="sgd", lr=0.1, momentum=0.9, clip_norm=0.2))


# ---- tensor core: batched products, embeddings, layer norm, silu, log_sigmoid, smoothed and
# rank-3 cross-entropy (LANGUAGE.md, Version 2) --------------------------------------------

@case("batched_matmul")
def _(r):
    def fwd(v):
        y = (v["x"] @ v["w"]) @ v["z"]
        q = v["x"] @ v["v"]
        p = v["v"] @ v["w"]
        return OrderedDict([("y", y), ("q", q), ("p", p)]), (y * y).sum() * 0.1 + (q * q).sum() + (p * p).sum()
    return C("""
        // @ of rank 3 and 4 as torch.matmul: batch axes broadcast (w is shared by every batch,
        // z by both heads), a 1-D operand on either side
        model BatchedMatmul {
            dim batch
            input x : [batch, 2, 3, 4]
            input z : [batch, 1, 5, 3]
            param w : [2, 4, 5]
            param v : [4]
            output y = (x @ w) @ z
            output q = x @ v
            output p = v @ w
            loss = sum(y * y) * 0.1 + sum(q * q) + sum(p * p)
        }
        """, {"x": r.u(B, 2, 3, 4), "z": r.u(B, 1, 5, 3)}, {"w": r.u(2, 4, 5), "v": r.u(4)}, fwd,
             description="batched @: broadcast batch axes on both sides, 1-D operands; gradients sum over broadcast axes")


@case("batched_attention")
def _(r):
    def fwd(v):
        x = v["x"]
        q, k, val = x @ v["wq"], x @ v["wk"], x @ v["wv"]
        a = torch.softmax(q @ k.transpose(-1, -2) / 2, dim=-1)
        y = a @ val
        return OrderedDict([("y", y)]), (y * v["c"]).sum()
    return C("""
        // single-head attention over [batch, seq, d]: shared weights, scores q @ k^T, values
        model BatchedAttention {
            dim batch
            input x : [batch, 4, 6]
            input c : [batch, 4, 3]
            param wq : [6, 3]
            param wk : [6, 3]
            param wv : [6, 3]
            q = x @ wq
            k = x @ wk
            a = softmax(q @ transpose(k) / 2)
            output y = a @ (x @ wv)
            loss = sum(y * c)
        }
        """, {"x": r.u(B, 4, 6), "c": r.u(B, 4, 3)}, {"wq": r.u(6, 3), "wk": r.u(6, 3), "wv": r.u(6, 3)}, fwd,
             description="attention with batched products: x @ w on rank 3, q @ transpose(k), a @ v")


@case("embedding")
def _(r):
    def fwd(v):
        e = F.embedding(v["ids"], v["table"])
        f = F.embedding(v["first"], v["table"] * 2)
        return OrderedDict([("e", e), ("f", f)]), (e * v["c"]).sum() + (f * f).sum()
    return C("""
        // embedding: rows of a table picked by int ids; repeated ids add up in the table's gradient
        model Embedding {
            dim batch
            input ids : int[batch, 3]
            input first : int[batch]
            input c : [batch, 3, 4]
            param table : [5, 4]
            output e = embedding(ids, table)
            output f = embedding(first, table * 2)
            loss = sum(e * c) + sum(f * f)
        }
        """, {"ids": np.array([[0, 4, 0], [1, 1, 1], [4, 2, 0], [3, 3, 0], [2, 0, 4]], dtype=np.int64),
              "first": np.array([4, 4, 0, 1, 4], dtype=np.int64), "c": r.u(B, 3, 4)},
             {"table": r.u(5, 4)}, fwd,
             description="embedding with repeated ids (rank-2 and rank-1 ids, a computed table)")


@case("layer_norm")
def _(r):
    def fwd(v):
        x, g, b, c = v["x"], v["g"], v["b"], v["c"]
        y1 = F.layer_norm(x, (6,), g, b, 1e-5)
        y2 = F.layer_norm(x * 2, (6,), None, None, 1e-2)
        y3 = F.layer_norm(x, (6,), g, None, 1e-5)
        y4 = F.layer_norm(x, (6,), None, b, 1e-5)
        loss = (y1 * c).sum() + (y2 * y2 * c).sum() + (y3 * c * c).sum() + (y4 * y4).sum()
        return OrderedDict([("y1", y1), ("y2", y2), ("y3", y3)]), loss
    return C("""
        // layer_norm over the last axis (biased variance): weight and bias, neither, either alone; eps
        model LayerNorm {
            dim batch
            input x : [batch, 2, 6]
            input c : [batch, 2, 6]
            param g : [6]
            param b : [6]
            output y1 = layer_norm(x, g, b)
            output y2 = layer_norm(x * 2, eps = 1e-2)
            output y3 = layer_norm(x, weight = g)
            y4 = layer_norm(x, bias = b)
            loss = sum(y1 * c) + sum(y2 * y2 * c) + sum(y3 * c * c) + sum(y4 * y4)
        }
        """, {"x": r.normal(B, 2, 6), "c": r.u(B, 2, 6)}, {"g": r.u(6, lo=0.5, hi=1.5), "b": r.u(6)}, fwd,
             description="layer_norm as F.layer_norm(x, [D], weight, bias, eps)")


def _sdpa(q, k, v, mask=None, causal=False):
    """F.scaled_dot_product_attention (torch >= 2.0) written out, so that torch 1.13 runs it."""
    s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        s = s + mask
    if causal:
        keep = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).tril()
        s = s.masked_fill(~keep, float("-inf"))
    return torch.softmax(s, dim=-1) @ v


@case("scaled_dot_product_attention")
def _(r):
    def fwd(v):
        x, m = v["x"], v["m"]
        q = (x @ v["wq"]).reshape(B, 5, 2, 3).transpose(1, 2)
        k = (x @ v["wk"]).reshape(B, 5, 2, 3).transpose(1, 2)
        val = (x @ v["wv"]).reshape(B, 5, 2, 3).transpose(1, 2)
        a = _sdpa(q, k, val, causal=True)
        b = _sdpa(q, k[:, :, :4], val[:, :, :4], mask=m)
        big = _sdpa(q * 40, k * 40, val)
        loss = (a * v["c"]).sum() + (b * b).sum() + (big * v["c"]).sum()
        return OrderedDict([("a", a), ("b", b), ("big", big)]), loss
    return C("""
        // scaled_dot_product_attention over 2 heads: causal; an input mask [5, 4] broadcast over
        // batch and heads with 4 keys of 5 queries (its gradient); scores in the thousands
        model Sdpa {
            dim batch
            input x : [batch, 5, 6]
            input m : [5, 4]
            input c : [batch, 2, 5, 3]
            param wq : [6, 6]
            param wk : [6, 6]
            param wv : [6, 6]
            q = transpose(reshape(x @ wq, [batch, 5, 2, 3]), 1, 2)
            k = transpose(reshape(x @ wk, [batch, 5, 2, 3]), 1, 2)
            v = transpose(reshape(x @ wv, [batch, 5, 2, 3]), 1, 2)
            output a = scaled_dot_product_attention(q, k, v, causal = true)
            output b = scaled_dot_product_attention(q, k[:, :, :4], v[:, :, :4], m)
            output big = scaled_dot_product_attention(q * 40, k * 40, v)
            loss = sum(a * c) + sum(b * b) + sum(big * c)
        }
        """, {"x": r.u(B, 5, 6), "m": r.u(5, 4, lo=-2.0, hi=2.0), "c": r.u(B, 2, 5, 3)},
             {"wq": r.u(6, 6), "wk": r.u(6, 6), "wv": r.u(6, 6)}, fwd,
             description="scaled_dot_product_attention as F.scaled_dot_product_attention (no dropout): causal, "
                         "an additive input mask with its gradient, large scores",
             notes="the torch function writes F.scaled_dot_product_attention out (softmax(q k^T / sqrt(E) + mask) v, "
                   "the causal mask as -inf above the diagonal) so that torch 1.13 runs it")


@case("stable_silu_log_sigmoid")
def _(r):
    def fwd(v):
        z = v["x"] * v["t"]
        a, b = F.silu(z), F.logsigmoid(z)
        return OrderedDict([("a", a), ("b", b)]), (a * v["c"]).sum() + (b * v["c"]).sum()
    return C("""
        // silu and log_sigmoid at +-1000 and in between
        model StableSiluLogSigmoid {
            input x : [6]
            input c : [6]
            param t : []
            z = x * t
            output a = silu(z)
            output b = log_sigmoid(z)
            loss = sum(a * c) + sum(b * c)
        }
        """, {"x": arr([1000, -1000, 0.5, -2, 30, -30]), "c": r.u(6)}, {"t": arr(1.0)}, fwd,
             description="silu and log_sigmoid are stable for arguments of +-1000", notes=_STABLE_NOTE)


@case("cross_entropy_rank3_smoothing")
def _(r):
    def fwd(v):
        logits = v["x"] @ v["w"]
        smooth = F.cross_entropy(logits.permute(0, 2, 1), v["label"], label_smoothing=0.1)
        plain = F.cross_entropy(logits.permute(0, 2, 1), v["label"])
        probs = F.cross_entropy(logits.sum(1), v["target"], label_smoothing=0.25)
        return OrderedDict([("smooth", smooth), ("plain", plain)]), smooth + plain + probs
    return C("""
        // cross_entropy of [batch, seq, classes] logits with int labels [batch, seq] (mean over every
        // position), with and without label smoothing; probability targets with label smoothing
        model CrossEntropyRank3 {
            dim batch
            input x : [batch, 4, 3]
            input label : int[batch, 4]
            input target : [batch, 6]
            param w : [3, 6]
            logits = x @ w
            smooth = cross_entropy(logits, label, label_smoothing = 0.1)
            plain = cross_entropy(logits, label)
            output smooth
            output plain
            loss = smooth + plain + cross_entropy(sum(logits, axis = 1), target, label_smoothing = 0.25)
        }
        """, {"x": r.u(B, 4, 3), "label": r.labels(B * 4, 6).reshape(B, 4), "target": r.probs(B, 6)},
             {"w": r.u(3, 6)}, fwd,
             description="cross_entropy: rank-3 logits averaged over every position, label_smoothing (int labels and probabilities)",
             notes="torch takes the classes on axis 1: the fixture permutes [batch, seq, classes] to [batch, classes, seq]")


# ---- version 2: convolutions, pooling, batch normalization ------------------------------------

@case("conv2d_options")
def _(r):
    def fwd(v):
        a = F.conv2d(v["x"], v["w"], v["b"], padding=1)
        c = F.conv2d(v["x"], v["w2"], None, stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)
        return OrderedDict([("a", a), ("c", c)]), (a * v["ta"]).sum() + (c * torch.sin(c)).sum()
    return C("""
        // conv2d with a bias and padding; then stride, padding and dilation as pairs, groups, no bias
        model Conv2dOptions {
            dim batch
            input x : [batch, 4, 7, 6]
            input ta : [batch, 3, 7, 6]
            param w : [3, 4, 3, 3]
            param b : [3]
            param w2 : [6, 2, 3, 2]
            output a = conv2d(x, w, b, padding = 1)
            output c = conv2d(x, w2, stride = [2, 1], padding = [1, 0], dilation = [1, 2], groups = 2)
            loss = sum(a * ta) + sum(c * sin(c))
        }
        """, {"x": r.u(B, 4, 7, 6), "ta": r.u(B, 3, 7, 6)},
             {"w": r.u(3, 4, 3, 3), "b": r.u(3), "w2": r.u(6, 2, 3, 2)}, fwd,
             description="conv2d: bias, padding; stride/padding/dilation pairs and groups (F.conv2d)")


@case("conv1d_options")
def _(r):
    def fwd(v):
        a = F.conv1d(v["x"], v["w"], v["b"], stride=2, padding=2, dilation=2)
        c = F.conv1d(v["x"], v["w2"], None, groups=3)
        return OrderedDict([("a", a), ("c", c)]), (a * a).sum() + (c * v["tc"]).sum()
    return C("""
        // conv1d with the bias by name, stride, padding and dilation; a grouped one without bias
        model Conv1dOptions {
            dim batch
            input x : [batch, 3, 11]
            input tc : [batch, 6, 9]
            param w : [4, 3, 3]
            param b : [4]
            param w2 : [6, 1, 3]
            output a = conv1d(x, w, bias = b, stride = 2, padding = 2, dilation = 2)
            output c = conv1d(x, w2, groups = 3)
            loss = sum(a * a) + sum(c * tc)
        }
        """, {"x": r.u(B, 3, 11), "tc": r.u(B, 6, 9)}, {"w": r.u(4, 3, 3), "b": r.u(4), "w2": r.u(6, 1, 3)}, fwd,
             description="conv1d: bias by name, stride, padding, dilation; groups (F.conv1d)")


@case("max_pool")
def _(r):
    def fwd(v):
        z = v["x"] * v["s"]
        a = F.max_pool2d(z, 3, stride=2, padding=1)
        b = F.max_pool2d(z, (2, 3))
        c = F.max_pool1d(v["y"], 3, stride=2, padding=1)
        return OrderedDict([("a", a), ("b", b), ("c", c)]), (a * v["ta"]).sum() + (b * b).sum() + (c * c).sum()
    return C("""
        // max pooling: overlapping padded windows, a [2, 3] kernel with its default stride, 1-d
        model MaxPool {
            dim batch
            input x : [batch, 2, 7, 6]
            input y : [batch, 3, 8]
            input ta : [batch, 2, 4, 3]
            param s : [2, 1, 1]
            z = x * s
            output a = max_pool2d(z, 3, stride = 2, padding = 1)
            output b = max_pool2d(z, [2, 3])
            output c = max_pool1d(y, 3, stride = 2, padding = 1)
            loss = sum(a * ta) + sum(b * b) + sum(c * c)
        }
        """, {"x": r.u(B, 2, 7, 6), "y": r.u(B, 3, 8), "ta": r.u(B, 2, 4, 3)}, {"s": r.pos(2, 1, 1)}, fwd,
             description="max_pool2d (overlapping, padded, pair kernel) and max_pool1d (F.max_pool1d/2d)",
             notes="continuous inputs: no ties (the max_pool_ties case has them)")


@case("max_pool_ties")
def _(r):
    x = np.array([[[[1, 1, 0, 2], [1, 0, 2, 2], [3, 3, 3, 0], [3, 3, 0, 3]]]], dtype=np.float64)
    y = np.array([[[2, 2, 2, 1, 5, 5]]], dtype=np.float64)

    def fwd(v):
        a = F.max_pool2d(v["x"], 2)
        b = F.max_pool2d(v["x"], 3, stride=1, padding=1)
        c = F.max_pool1d(v["y"], 3, stride=1, padding=1)
        return OrderedDict([("a", a), ("b", b), ("c", c)]), (a * v["ta"]).sum() + (b * v["tb"]).sum() + (c * v["tc"]).sum()
    # PyTorch's choice, which LANGUAGE.md makes the rule: the first maximum of a window in row-major order
    g = torch.tensor(x, requires_grad=True)
    F.max_pool2d(g, 2).sum().backward()
    assert np.array_equal(g.grad.numpy()[0, 0], [[1, 0, 0, 1], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]), g.grad
    return C("""
        // max pooling with tied maxima: the gradient goes to the first maximum of each window
        // in row-major order (LANGUAGE.md), which is also PyTorch's choice
        model MaxPoolTies {
            input x : [1, 1, 4, 4]
            input y : [1, 1, 6]
            input ta : [1, 1, 2, 2]
            input tb : [1, 1, 4, 4]
            input tc : [1, 1, 6]
            output a = max_pool2d(x, 2)
            output b = max_pool2d(x, 3, stride = 1, padding = 1)
            output c = max_pool1d(y, 3, stride = 1, padding = 1)
            loss = sum(a * ta) + sum(b * tb) + sum(c * tc)
        }
        """, {"x": x, "y": y, "ta": r.pos(1, 1, 2, 2), "tb": r.pos(1, 1, 4, 4), "tc": r.pos(1, 1, 6)}, {}, fwd,
             description="max pooling with ties: the gradient goes to the first maximum in row-major order")


@case("avg_pool")
def _(r):
    def fwd(v):
        z = v["x"] * v["s"]
        a = F.avg_pool2d(z, 3, stride=2, padding=1)
        b = F.avg_pool2d(z, (2, 3))
        c = F.avg_pool1d(v["y"], 3, stride=1, padding=1)
        return OrderedDict([("a", a), ("b", b), ("c", c)]), (a * v["ta"]).sum() + (b * b).sum() + (c * c).sum()
    return C("""
        // average pooling: the padding counts in the average (count_include_pad, PyTorch's default)
        model AvgPool {
            dim batch
            input x : [batch, 2, 7, 6]
            input y : [batch, 3, 8]
            input ta : [batch, 2, 4, 3]
            param s : [2, 1, 1]
            z = x * s
            output a = avg_pool2d(z, 3, stride = 2, padding = 1)
            output b = avg_pool2d(z, [2, 3])
            output c = avg_pool1d(y, 3, stride = 1, padding = 1)
            loss = sum(a * ta) + sum(b * b) + sum(c * c)
        }
        """, {"x": r.u(B, 2, 7, 6), "y": r.u(B, 3, 8), "ta": r.u(B, 2, 4, 3)}, {"s": r.pos(2, 1, 1)}, fwd,
             description="avg_pool2d and avg_pool1d, padding counted in the average (F.avg_pool1d/2d)")


@case("conv_second_order")
def _(r):
    def fwd(v):
        x, w = v["x"], v["w"]
        f = (torch.tanh(F.conv2d(x, w, padding=1)) * v["t"]).sum() + F.max_pool2d(x * x, 2, stride=1).sum()
        gx, gw = G(f, x), G(f, w)
        return OrderedDict([("gx", gx)]), f + 0.1 * (gx * gx).sum() + 0.1 * (gw * gw).sum()
    return C("""
        // the gradients of a convolution and of a max pool inside the loss: second order
        model ConvSecondOrder {
            dim batch
            input x : [batch, 2, 5, 5]
            input t : [batch, 3, 5, 5]
            param w : [3, 2, 3, 3]
            f = sum(tanh(conv2d(x, w, padding = 1)) * t) + sum(max_pool2d(x * x, 2, stride = 1))
            gx = grad(f, x)
            gw = grad(f, w)
            output gx
            loss = f + 0.1 * sum(gx * gx) + 0.1 * sum(gw * gw)
        }
        """, {"x": r.u(3, 2, 5, 5), "t": r.u(3, 3, 5, 5)}, {"w": r.u(3, 2, 3, 3)}, fwd,
             description="grad of conv2d and of max_pool2d inside the loss (second order)", notes="batch = 3")


_BN = """
    // batch_norm over conv features [N, C, H, W] (with weight and bias) and over [N, C] (without)
    model BatchNorm {
        dim batch
        input x : [batch, 2, 4, 4]
        input t : [batch, 3, 4, 4]
        input z : [batch, 3]
        param w : [3, 2, 3, 3]
        param gamma : [3]
        param beta : [3]
        buffer mean : [3]
        buffer var : [3] init ones
        buffer zmean : [3]
        buffer zvar : [3] init ones
        h = conv2d(x, w, padding = 1)
        output y = batch_norm(h, gamma, beta, mean, var)
        output u = batch_norm(z, running_mean = zmean, running_var = zvar, momentum = 0.3, eps = 1e-3)
        loss = sum(y * t) + sum(u * u * z)
    }
    """


def _batch_norm_case(r, training):
    def fwd(v):
        h = F.conv2d(v["x"], v["w"], padding=1)
        y = F.batch_norm(h, v["mean"], v["var"], v["gamma"], v["beta"], training=training, momentum=0.1, eps=1e-5)
        u = F.batch_norm(v["z"], v["zmean"], v["zvar"], None, None, training=training, momentum=0.3, eps=1e-3)
        return OrderedDict([("y", y), ("u", u)]), (y * v["t"]).sum() + (u * u * v["z"]).sum()
    mode = "training mode (--train): batch statistics, the buffers updated" if training else "evaluation: the running statistics"
    return C(_BN, {"x": r.u(B, 2, 4, 4), "t": r.u(B, 3, 4, 4), "z": r.u(B, 3)},
             {"w": r.u(3, 2, 3, 3), "gamma": r.pos(3), "beta": r.u(3)}, fwd,
             buffers={"mean": r.u(3, lo=-0.2, hi=0.2), "var": r.pos(3), "zmean": r.u(3, lo=-0.2, hi=0.2), "zvar": r.pos(3)},
             train_mode=training, description="batch_norm of [N, C, H, W] and [N, C] (F.batch_norm), " + mode,
             notes="buffer.<name> holds each buffer after the evaluation: PyTorch's running statistics, "
                   "updated with the unbiased batch variance in training mode")


@case("batch_norm_eval")
def _(r):
    return _batch_norm_case(r, False)


@case("batch_norm_train")
def _(r):
    return _batch_norm_case(r, True)


def _lenet(v):
    h1 = F.max_pool2d(torch.relu(F.conv2d(v["image"], v["c1"], v["d1"], padding=2)), 2)
    h2 = F.max_pool2d(torch.relu(F.conv2d(h1, v["c2"], v["d2"])), 2)
    h3 = torch.relu(h2.reshape(-1, 400) @ v["w3"] + v["b3"])
    h4 = torch.relu(h3 @ v["w4"] + v["b4"])
    logits = h4 @ v["w5"] + v["b5"]
    return OrderedDict([("logits", logits)]), F.cross_entropy(logits, v["label"])


@case("lenet")
def _(r):
    def he(o, i, *k):
        a = math.sqrt(6.0 / (i * math.prod(k)))  # he_uniform, PyTorch's fan-in of a [out, in, kH, kW] weight
        return r.u(o, i, *k, lo=-a, hi=a)
    return C(nn(_example("lenet.nn")),
             {"image": r.u(2, 1, 28, 28, lo=0, hi=1), "label": np.array([3, 8], dtype=np.int64)},
             {"c1": he(6, 1, 5, 5), "d1": r.u(6, lo=-0.05, hi=0.05), "c2": he(16, 6, 5, 5), "d2": r.u(16, lo=-0.05, hi=0.05),
              "w3": r.xavier(400, 120), "b3": r.u(120, lo=-0.05, hi=0.05), "w4": r.xavier(120, 84), "b4": r.u(84, lo=-0.05, hi=0.05),
              "w5": r.xavier(84, 10), "b5": r.u(10, lo=-0.05, hi=0.05)},
             _lenet, description="generated-examples/lenet.nn: LeNet-5 on 28x28 images, cross_entropy",
             notes="batch = 2", train=dict(optimizer="sgd", lr=0.01, momentum=0.9))


def _resnet_case(r, training):
    def fwd(v):
        def bn(h, i):
            return F.batch_norm(h, v[f"mean{i}"], v[f"var{i}"], v[f"g{i}"], v[f"b{i}"], training=training)
        h = torch.relu(bn(F.conv2d(v["x"], v["w1"], padding=1), 1))
        y = torch.relu(bn(F.conv2d(h, v["w2"], padding=1), 2) + v["x"])
        logits = y.mean((2, 3)) @ v["head"] + v["bias"]
        return OrderedDict([("logits", logits)]), F.cross_entropy(logits, v["label"])
    a = math.sqrt(6.0 / (16 * 9))
    mode = "training mode (--train), the buffers updated" if training else "evaluation with running statistics"
    return C(nn(_example("resnet_block.nn")),
             {"x": r.u(3, 16, 8, 8), "label": np.array([1, 7, 4], dtype=np.int64)},
             {"w1": r.u(16, 16, 3, 3, lo=-a, hi=a), "g1": r.pos(16), "b1": r.u(16, lo=-0.1, hi=0.1),
              "w2": r.u(16, 16, 3, 3, lo=-a, hi=a), "g2": r.pos(16), "b2": r.u(16, lo=-0.1, hi=0.1),
              "head": r.xavier(16, 10), "bias": r.u(10, lo=-0.05, hi=0.05)}, fwd,
             buffers={"mean1": r.u(16, lo=-0.2, hi=0.2), "var1": r.pos(16), "mean2": r.u(16, lo=-0.2, hi=0.2), "var2": r.pos(16)},
             train_mode=training, description="generated-examples/resnet_block.nn: " + mode, notes="batch = 3")


@case("resnet_block_eval")
def _(r):
    return _resnet_case(r, False)


@case("resnet_block_train")
def _(r):
    return _resnet_case(r, True)


# --------------------------------------------------------------------------- evaluation

TRAIN_STEPS = 3


def _leaves(spec):
    params = OrderedDict((k, torch.tensor(a, dtype=torch.float64, requires_grad=True)) for k, a in spec["params"].items())
    inputs = OrderedDict()
    for k, a in spec["inputs"].items():
        if a.dtype == np.int64:
            inputs[k] = torch.tensor(a, dtype=torch.int64)
        else:
            inputs[k] = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    return params, inputs


def evaluate(spec):
    params, inputs = _leaves(spec)
    buffers = OrderedDict((k, torch.tensor(a, dtype=torch.float64)) for k, a in spec["buffers"].items())
    env = dict(inputs)
    env.update(params)
    env.update(buffers)
    outputs, loss = spec["fwd"](env)
    result = OrderedDict()
    for k, t in outputs.items():
        result[k] = t.detach().numpy().copy()
    if loss is not None:
        assert loss.dim() == 0, "loss must be a scalar"
        result["loss"] = loss.detach().numpy().copy()
        wrt = list(params.items()) + [(k, t) for k, t in inputs.items() if t.dtype == torch.float64]
        grads = torch.autograd.grad(loss, [t for _, t in wrt], allow_unused=True)
        for (k, t), g in zip(wrt, grads):
            result["grad." + k] = (torch.zeros_like(t) if g is None else g).detach().numpy().copy()
    for k, t in buffers.items():  # after the evaluation: updated in training mode
        result["buffer." + k] = t.numpy().copy()
    for k, a in result.items():
        assert np.all(np.isfinite(a)), (k, a)
    return result


def train(spec):
    t = spec["train"]
    params, inputs = _leaves(spec)
    plist = list(params.values())
    if t["optimizer"] == "sgd":
        opt = torch.optim.SGD(plist, lr=t["lr"], momentum=t.get("momentum", 0.0),
                              weight_decay=t.get("weight_decay", 0.0), nesterov=t.get("nesterov", False), foreach=False)
    elif t["optimizer"] == "adamw":
        opt = torch.optim.AdamW(plist, lr=t["lr"], betas=t.get("betas", (0.9, 0.999)), eps=t.get("eps", 1e-8),
                                weight_decay=t.get("weight_decay", 0.01), foreach=False)
    else:
        opt = torch.optim.Adam(plist, lr=t["lr"], betas=t.get("betas", (0.9, 0.999)), eps=t.get("eps", 1e-8),
                               weight_decay=t.get("weight_decay", 0.0), foreach=False)
    result = OrderedDict()
    for step in range(1, TRAIN_STEPS + 1):
        opt.zero_grad()
        env = dict(inputs)
        env.update(params)
        _, loss = spec["fwd"](env)
        loss.backward()
        if "clip_norm" in t:
            torch.nn.utils.clip_grad_norm_(plist, t["clip_norm"])
        opt.step()
        result[f"step{step}.loss"] = loss.detach().numpy().copy()
        for k, p in params.items():
            result[f"step{step}.{k}"] = p.detach().numpy().copy()
    return result


def _optimizer_text(t):
    kw = {k: v for k, v in t.items() if k != "optimizer"}
    return t["optimizer"] + "(" + ", ".join(f"{k}={v}" for k, v in kw.items()) + ")"


def command(name, spec):
    d = f"src/test/resources/conformance/{name}"
    cmd = f"nnc eval {d}/model.nn"
    if spec["model"]:
        cmd += f" --model {spec['model']}"
    cmd += f" --inputs {d}/inputs.safetensors --params {d}/params.safetensors"
    return cmd + (" --train" if spec["train_mode"] else "") + " --out OUT.safetensors"


def write_case(name, spec):
    d = OUT / name
    d.mkdir(parents=True)
    (d / "model.nn").write_text(spec["nn"])
    st_write(d / "inputs.safetensors",
             [(k, a, "I64" if a.dtype == np.int64 else "F64") for k, a in spec["inputs"].items()])
    stored = OrderedDict(list(spec["params"].items()) + list(spec["buffers"].items()))
    st_write(d / "params.safetensors", [(k, a, "F64") for k, a in stored.items()])
    expected = evaluate(spec)
    meta = OrderedDict([("case", name)])
    if spec["model"]:
        meta["model"] = spec["model"]
    if spec["train_mode"]:
        meta["train"] = "true"
    for k, v in (spec["f32"] or {}).items():
        meta["f32_" + k] = v
    st_write(d / "expected.safetensors", [(k, a, "F64") for k, a in expected.items()], meta)
    info = OrderedDict([("case", name), ("description", spec["description"]), ("command", command(name, spec))])
    if spec["model"]:
        info["model"] = spec["model"]
    if spec["train_mode"]:
        info["train_mode"] = True
    if spec["notes"]:
        info["notes"] = spec["notes"]
    info["expected"] = [k for k in expected]
    if spec["train"]:
        tr = train(spec)
        st_write(d / "train.safetensors", [(k, a, "F64") for k, a in tr.items()],
                 OrderedDict([("case", name), ("steps", str(TRAIN_STEPS)), ("optimizer", _optimizer_text(spec["train"]))]))
        torch_name = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW"}[spec["train"]["optimizer"]]
        info["train"] = OrderedDict([("steps", TRAIN_STEPS), ("torch", "torch.optim." + torch_name
                                      + " " + _optimizer_text(spec["train"])
                                      + (" after torch.nn.utils.clip_grad_norm_" if "clip_norm" in spec["train"] else "")),
                                     ("layout", "step<k>.loss = loss returned by trainStep k (params before update k); "
                                                "step<k>.<p> = param p after update k; step 0 is params.safetensors")])
    (d / "case.json").write_text(json.dumps(info, indent=2) + "\n")

    # read everything back: the writer and reader agree, and the files are complete
    for fname, tensors in (("inputs", spec["inputs"]), ("params", stored), ("expected", expected)):
        back, _ = st_read(d / f"{fname}.safetensors")
        assert list(back) == list(tensors), (name, fname)
        for k, a in tensors.items():
            assert back[k][1].shape == np.asarray(a).shape and np.array_equal(back[k][1], a), (name, fname, k)
    return expected


def main(argv):
    if "--list" in argv:
        print("| case | what it checks |\n|---|---|")
        for name, build in CASES.items():
            spec = build(Rng(name))
            extra = f" (`--model {spec['model']}`)" if spec["model"] else ""
            extra += " (`--train`)" if spec["train_mode"] else ""
            extra += " + train.safetensors" if spec["train"] else ""
            print(f"| `{name}` | {spec['description']}{extra} |")
        return
    names = [a for a in argv if not a.startswith("-")] or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        sys.exit(f"unknown case(s): {', '.join(unknown)}")
    if names == list(CASES) and OUT.exists():
        shutil.rmtree(OUT)  # no stale cases
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        if (OUT / name).exists():
            shutil.rmtree(OUT / name)
        spec = CASES[name](Rng(name))
        expected = write_case(name, spec)
        print(f"{name}: {', '.join(expected)}")
    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"{len(names)} case(s) written; {OUT.relative_to(ROOT)} holds {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
