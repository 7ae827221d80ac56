#!/usr/bin/python3
"""Cross-checks the committed fixtures against the .nn text itself.

make_fixtures.py computes each case with a hand-written torch function next to the .nn text;
a slip there (a forgotten term, another reduction) would make a wrong fixture. This script
parses each case's model.nn with a tiny independent reader of the language (LANGUAGE.md:
precedence, broadcasting, fns, rebinding, built-ins, grad), evaluates it with torch autograd
in float64, and compares with expected.safetensors; for training cases it replays the
optimizer with hand-coded SGD/Adam update rules and compares with train.safetensors.

    /usr/bin/python3 src/test/conformance/crosscheck.py [CASE ...]

It is a development aid, not the product's reference: it implements only what the fixtures use.
"""

import json
import math
import re
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ next to the sources
sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fixtures import OUT, st_read  # noqa: E402  (the safetensors reader only)

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

# --------------------------------------------------------------------------- lexer

_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r]+) | (?P<line>//[^\n]*) | (?P<block>/\*.*?\*/) | (?P<nl>\n)
  | (?P<num>(?:\d+\.\d*|\d+)(?:[eE][+-]?\d+)?)
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\.\.\.|<=|>=|==|!=|[-+*/@^()\[\]{},:=;.<>])
""", re.S | re.X)

_COMPARE = {"<", "<=", ">", ">=", "==", "!="}
_BINARY = {"+", "-", "*", "/", "@", "^", ","} | _COMPARE


def lex(text):
    toks, depth, pos = [], 0, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise SyntaxError(f"bad character at {pos}: {text[pos:pos + 10]!r}")
        pos = m.end()
        kind = m.lastgroup
        if kind in ("ws", "line"):
            continue
        if kind == "block":
            if "\n" in m.group() and depth == 0 and not (toks and toks[-1][1] in _BINARY):
                toks.append(("nl", "\n"))
            continue
        if kind == "nl":
            # a line break inside ( ) [ ] or after a binary operator or comma continues
            if depth > 0 or (toks and toks[-1][1] in _BINARY) or (toks and toks[-1][0] == "nl"):
                continue
            toks.append(("nl", "\n"))
            continue
        v = m.group()
        if v in "([":
            depth += 1
        elif v in ")]":
            depth -= 1
        toks.append((kind, v))
    toks.append(("nl", "\n"))
    toks.append(("eof", ""))
    return toks


# --------------------------------------------------------------------------- parser (AST = tuples)

class Parser:
    def __init__(self, text):
        self.t = lex(text)
        self.i = 0

    def peek(self, k=0):
        return self.t[self.i + k]

    def next(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def accept(self, v):
        if self.peek()[1] == v and self.peek()[0] != "nl":
            self.i += 1
            return True
        return False

    def expect(self, v):
        tok = self.next()
        if tok[1] != v:
            raise SyntaxError(f"expected {v!r}, got {tok!r} near token {self.i}")
        return tok

    def ident(self):
        tok = self.next()
        if tok[0] != "id":
            raise SyntaxError(f"expected a name, got {tok!r}")
        return tok[1]

    def end_stmt(self):
        tok = self.next()
        if tok[0] not in ("nl", "eof") and tok[1] != ";":
            raise SyntaxError(f"expected end of statement, got {tok!r}")

    def skip_nl(self):
        while self.peek()[0] == "nl" or self.peek()[1] == ";":
            self.i += 1

    def file(self):
        fns, models = {}, OrderedDict()
        self.skip_nl()
        while self.peek()[0] != "eof":
            kw = self.ident()
            if kw == "package":
                while self.peek()[0] != "nl":
                    self.next()
            elif kw == "fn":
                name = self.ident()
                self.expect("(")
                ps = []
                while not self.accept(")"):
                    ps.append(self.ident())
                    self.accept(",")
                self.expect("=")
                fns[name] = (ps, self.expr())
            elif kw == "model":
                name = self.ident()
                self.expect("{")
                models[name] = self.model_body()
            else:
                raise SyntaxError(f"unexpected {kw!r}")
            self.skip_nl()
        return fns, models

    def shape(self):
        self.expect("[")
        dims = []
        while not self.accept("]"):
            dims.append(self.expr())
            self.accept(",")
        return dims

    def model_body(self):
        stmts = []
        self.skip_nl()
        while not self.accept("}"):
            name = self.ident()
            if name == "dim" and self.peek()[0] == "id":
                ds = [self.ident()]
                while self.accept(","):
                    ds.append(self.ident())
                stmts.append(("dim", ds))
            elif name == "const" and self.peek()[0] == "id":
                n = self.ident()
                self.expect("=")
                stmts.append(("const", n, self.expr()))
            elif name == "input" and self.peek()[0] == "id":
                n = self.ident()
                self.expect(":")
                is_int = self.peek()[1] == "int" and self.peek(1)[1] == "["
                if is_int:
                    self.next()
                stmts.append(("input", n, self.shape(), is_int))
            elif name == "param" and self.peek()[0] == "id":
                n = self.ident()
                self.expect(":")
                shp = self.shape()
                if self.accept("init"):
                    self.expr()
                stmts.append(("param", n, shp))
            elif name == "buffer" and self.peek()[0] == "id":
                n = self.ident()
                self.expect(":")
                shp = self.shape()
                if self.accept("init"):
                    self.expr()
                stmts.append(("buffer", n, shp))
            elif name == "output" and self.peek()[0] == "id":
                n = self.ident()
                stmts.append(("output", n, self.expr() if self.accept("=") else ("name", n)))
            elif name == "optimizer" and self.peek()[0] == "id":
                stmts.append(("optimizer", self.ident(), self.call_args()))
            elif name == "precision" and self.peek()[0] == "id":
                stmts.append(("precision", self.ident()))
            else:
                self.expect("=")
                stmts.append(("let", name, self.expr()))
            self.end_stmt()
            self.skip_nl()
        return stmts

    # precedence, loosest first: a comparison (no chains) · + - · * / · @ · unary - · ^ (right)
    # · .T and x[...] · call/atom
    def expr(self):
        a = self.sum()
        if self.peek()[1] in _COMPARE and self.peek()[0] == "op":
            op = self.next()[1]
            a = ("cmp", op, a, self.sum())
            assert self.peek()[1] not in _COMPARE, "comparisons do not chain"
        return a

    def sum(self):
        a = self.mul()
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "op":
            op = self.next()[1]
            a = ("bin", op, a, self.mul())
        return a

    def mul(self):
        a = self.matmul()
        while self.peek()[1] in ("*", "/") and self.peek()[0] == "op":
            op = self.next()[1]
            a = ("bin", op, a, self.matmul())
        return a

    def matmul(self):
        a = self.unary()
        while self.accept("@"):
            a = ("bin", "@", a, self.unary())
        return a

    def unary(self):
        if self.accept("-"):
            return ("neg", self.unary())
        return self.power()

    def power(self):
        base = self.postfix()
        if self.accept("^"):
            return ("bin", "^", base, self.power_rhs())
        return base

    def power_rhs(self):
        if self.accept("-"):
            return ("neg", self.power_rhs())
        return self.power()

    def postfix(self):
        a = self.atom()
        while True:
            if self.peek()[1] == "." and self.peek(1)[1] == "T":
                self.i += 2
                a = ("T", a)
            elif self.accept("["):
                subs = [self.subscript()]
                while self.accept(","):
                    if self.peek()[1] == "]":
                        break
                    subs.append(self.subscript())
                self.expect("]")
                a = ("index", a, subs)
            else:
                return a

    def subscript(self):
        if self.accept("..."):
            return ("ellipsis",)
        start = None if self.peek()[1] == ":" else self.expr()
        if not self.accept(":"):
            return ("at", start)
        stop = None if self.peek()[1] in (":", ",", "]") else self.expr()
        step = None
        if self.accept(":"):
            step = None if self.peek()[1] in (",", "]") else self.expr()
        return ("slice", start, stop, step)

    def call_args(self):
        self.expect("(")
        pos, named = [], OrderedDict()
        while not self.accept(")"):
            if self.peek()[0] == "id" and self.peek(1)[1] == "=":
                k = self.ident()
                self.expect("=")
                named[k] = self.expr()
            else:
                assert not named, "positional after named"
                pos.append(self.expr())
            self.accept(",")
        return pos, named

    def atom(self):
        tok = self.peek()
        if tok[0] == "num":
            self.next()
            return ("num", float(tok[1]))
        if tok[1] == "(":
            self.next()
            e = self.expr()
            self.expect(")")
            return e
        if tok[1] == "[":
            return ("list", self.shape())
        if tok[0] == "id":
            self.next()
            if tok[1] in ("true", "false"):
                return ("bool", tok[1] == "true")
            if self.peek()[1] == "(":
                return ("call", tok[1], self.call_args())
            return ("name", tok[1])
        raise SyntaxError(f"unexpected {tok!r}")


# --------------------------------------------------------------------------- evaluation

def _t(v):
    return v if torch.is_tensor(v) else torch.tensor(float(v))


def _grad(f, x):
    (g,) = torch.autograd.grad(f, x, create_graph=True, allow_unused=True)
    return torch.zeros_like(x) if g is None else g


class _Clamp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.b = (lo, hi)
        return torch.minimum(torch.maximum(x, torch.tensor(lo)), torch.tensor(hi))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.b
        return g * ((x > lo) & (x < hi)).double(), None, None


def _axes(a, x):
    return tuple(range(x.dim())) if a is None else tuple(a) if isinstance(a, (list, tuple)) else (a,)


def _var(x, axis, keep, correction):
    dims = _axes(axis, x)
    d = x - x.sum(dim=dims, keepdim=True) / math.prod(x.shape[i] for i in dims)
    return (d * d).sum(dim=dims, keepdim=keep) / (math.prod(x.shape[i] for i in dims) - correction)


def _squeeze(x, axes):
    for a in sorted((a % x.dim() for a in (axes if isinstance(axes, list) else [axes])), reverse=True):
        assert x.shape[a] == 1, ("squeeze of a dimension that is not 1", a, x.shape)
        x = x.squeeze(a)
    return x


def _max_red(x, axis, keep, sign):
    return sign * torch.amax(sign * x, dim=_axes(axis, x), keepdim=keep)


def _lse(x, axis, keep):
    dims = _axes(axis, x)
    m = torch.amax(x, dim=dims, keepdim=True).detach()
    r = torch.log(torch.exp(x - m).sum(dim=dims, keepdim=True)) + m
    if keep:
        return r
    norm = [d % x.dim() for d in dims]
    return r.reshape([n for i, n in enumerate(x.shape) if i not in norm])


def _log_softmax(x, axis):
    z = x - torch.amax(x, dim=axis, keepdim=True).detach()
    return z - torch.log(torch.exp(z).sum(dim=axis, keepdim=True))


def _softplus(x):
    return torch.clamp(x, min=0) + torch.log1p(torch.exp(-torch.abs(x)))


def _window(v):
    """A window argument (a number or a list) as torch takes it."""
    return tuple(int(i) for i in v) if isinstance(v, list) else int(v)


def _batch_norm(a):
    return F.batch_norm(a["x"], a["running_mean"], a["running_var"], a["weight"], a["bias"], training=MODE["train"],
                        momentum=float(a["momentum"]), eps=float(a["eps"]))


def _pool(fn, a):
    k = _window(a["kernel"])
    return fn(a["x"], k, stride=k if a["stride"] is None else _window(a["stride"]), padding=_window(a["padding"]))


# evaluation mode (batch_norm's statistics): training with --train fixtures
MODE = {"train": False}
_WINDOW = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": None}
_POOL = {"stride": None, "padding": 0}

# name -> (parameter names, defaults, implementation taking bound args)
_REQ = object()
BUILTINS = {
    "exp": (["x"], {}, lambda a: torch.exp(a["x"])),
    "log": (["x"], {}, lambda a: torch.log(a["x"])),
    "sqrt": (["x"], {}, lambda a: torch.sqrt(a["x"])),
    "abs": (["x"], {}, lambda a: torch.abs(a["x"])),
    "sin": (["x"], {}, lambda a: torch.sin(a["x"])),
    "cos": (["x"], {}, lambda a: torch.cos(a["x"])),
    "tanh": (["x"], {}, lambda a: torch.tanh(a["x"])),
    "sigmoid": (["x"], {}, lambda a: torch.where(a["x"] >= 0, 1 / (1 + torch.exp(-torch.abs(a["x"]))),
                                                 torch.exp(-torch.abs(a["x"])) / (1 + torch.exp(-torch.abs(a["x"]))))),
    "relu": (["x"], {}, lambda a: torch.where(a["x"] > 0, a["x"], torch.zeros_like(a["x"]))),
    "softplus": (["x"], {}, lambda a: _softplus(a["x"])),
    "gelu": (["x"], {}, lambda a: a["x"] * 0.5 * (1 + torch.erf(a["x"] / math.sqrt(2)))),
    "square": (["x"], {}, lambda a: a["x"] * a["x"]),
    "leaky_relu": (["x", "slope"], {"slope": 0.01}, lambda a: torch.where(a["x"] > 0, a["x"], a["slope"] * a["x"])),
    "elu": (["x", "alpha"], {"alpha": 1.0},
            lambda a: torch.where(a["x"] > 0, a["x"], a["alpha"] * torch.expm1(torch.clamp(a["x"], max=0)))),
    "maximum": (["a", "b"], {}, lambda a: torch.where(_t(a["a"]) > _t(a["b"]), _t(a["a"]), _t(a["b"]))),
    "minimum": (["a", "b"], {}, lambda a: torch.where(_t(a["a"]) < _t(a["b"]), _t(a["a"]), _t(a["b"]))),
    "clamp": (["x", "lo", "hi"], {}, lambda a: _Clamp.apply(a["x"], float(a["lo"]), float(a["hi"]))),
    "sum": (["x", "axis", "keepdims"], {"axis": None, "keepdims": False},
            lambda a: a["x"].sum(dim=_axes(a["axis"], a["x"]), keepdim=a["keepdims"])),
    "mean": (["x", "axis", "keepdims"], {"axis": None, "keepdims": False},
             lambda a: a["x"].sum(dim=_axes(a["axis"], a["x"]), keepdim=a["keepdims"])
             / math.prod(a["x"].shape[d] for d in _axes(a["axis"], a["x"]))),
    "max": (["x", "axis", "keepdims"], {"axis": None, "keepdims": False},
            lambda a: _max_red(a["x"], a["axis"], a["keepdims"], 1)),
    "min": (["x", "axis", "keepdims"], {"axis": None, "keepdims": False},
            lambda a: _max_red(a["x"], a["axis"], a["keepdims"], -1)),
    "logsumexp": (["x", "axis", "keepdims"], {"axis": None, "keepdims": False},
                  lambda a: _lse(a["x"], a["axis"], a["keepdims"])),
    "softmax": (["x", "axis"], {"axis": -1}, lambda a: torch.exp(_log_softmax(a["x"], a["axis"]))),
    "log_softmax": (["x", "axis"], {"axis": -1}, lambda a: _log_softmax(a["x"], a["axis"])),
    "reshape": (["x", "shape"], {}, lambda a: a["x"].reshape(a["shape"])),
    "transpose": (["x", "a", "b"], {"a": None, "b": None},
                  lambda a: a["x"].transpose(-1, -2) if a["a"] is None else a["x"].transpose(int(a["a"]), int(a["b"]))),
    "permute": (["x", "axes"], {}, lambda a: a["x"].permute(*[int(v) for v in a["axes"]])),
    "flatten": (["x", "start", "end"], {"start": 1, "end": -1}, lambda a: torch.flatten(a["x"], int(a["start"]), int(a["end"]))),
    "unsqueeze": (["x", "axis"], {}, lambda a: a["x"].unsqueeze(a["axis"])),
    "squeeze": (["x", "axis"], {}, lambda a: _squeeze(a["x"], a["axis"])),
    "var": (["x", "axis", "keepdims", "correction"], {"axis": None, "keepdims": False, "correction": 1},
            lambda a: _var(a["x"], a["axis"], a["keepdims"], a["correction"])),
    "where": (["c", "a", "b"], {}, lambda a: torch.where(_t(a["c"]) != 0, _t(a["a"]), _t(a["b"]))),
    "tril": (["x", "diagonal"], {"diagonal": 0}, lambda a: torch.tril(a["x"], int(a["diagonal"]))),
    "triu": (["x", "diagonal"], {"diagonal": 0}, lambda a: torch.triu(a["x"], int(a["diagonal"]))),
    "arange": (["n"], {}, lambda a: torch.arange(int(a["n"]), dtype=torch.float64)),
    "zeros": (["shape"], {}, lambda a: torch.zeros(a["shape"])),
    "ones": (["shape"], {}, lambda a: torch.ones(a["shape"])),
    "full": (["shape", "value"], {}, lambda a: torch.full(a["shape"], float(a["value"]))),
    "concat": (["a", "b", "axis"], {}, lambda a: torch.cat([a["a"], a["b"]], a["axis"])),
    "one_hot": (["label", "n"], {}, lambda a: (a["label"].unsqueeze(-1) == torch.arange(int(a["n"]))).double()),
    "mse": (["pred", "target"], {}, lambda a: ((a["pred"] - a["target"]) ** 2).mean()),
    "cross_entropy": (["logits", "label"], {}, lambda a: _ce(a["logits"], a["label"])),
    "bce_with_logits": (["logits", "target"], {},
                        lambda a: (_softplus(a["logits"]) - a["logits"] * a["target"]).mean()),
    "huber": (["pred", "target", "delta"], {"delta": 1.0}, lambda a: _huber(a["pred"] - a["target"], a["delta"])),
    "dropout": (["x", "p"], {"p": 0.5}, lambda a: a["x"]),
    "stop_gradient": (["x"], {}, lambda a: a["x"].detach()),
    "conv1d": (["x", "w", "bias", "stride", "padding", "dilation", "groups"], _WINDOW,
               lambda a: F.conv1d(a["x"], a["w"], a["bias"], _window(a["stride"]), _window(a["padding"]), _window(a["dilation"]),
                                  int(a["groups"]))),
    "conv2d": (["x", "w", "bias", "stride", "padding", "dilation", "groups"], _WINDOW,
               lambda a: F.conv2d(a["x"], a["w"], a["bias"], _window(a["stride"]), _window(a["padding"]), _window(a["dilation"]),
                                  int(a["groups"]))),
    "max_pool1d": (["x", "kernel", "stride", "padding"], _POOL, lambda a: _pool(F.max_pool1d, a)),
    "max_pool2d": (["x", "kernel", "stride", "padding"], _POOL, lambda a: _pool(F.max_pool2d, a)),
    "avg_pool1d": (["x", "kernel", "stride", "padding"], _POOL, lambda a: _pool(F.avg_pool1d, a)),
    "avg_pool2d": (["x", "kernel", "stride", "padding"], _POOL, lambda a: _pool(F.avg_pool2d, a)),
    "batch_norm": (["x", "weight", "bias", "running_mean", "running_var", "momentum", "eps"],
                   {"weight": None, "bias": None, "momentum": 0.1, "eps": 1e-5}, _batch_norm),
    "scaled_dot_product_attention": (["q", "k", "v", "mask", "causal"], {"mask": None, "causal": False},
                                     lambda a: _sdpa(a["q"], a["k"], a["v"], a["mask"], a["causal"])),
}


def _sdpa(q, k, v, mask, causal):
    """PyTorch's own kernel where it has one (torch >= 2.0); else the formula with a -inf mask."""
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=None if mask is None else _t(mask), is_causal=bool(causal))
    s = q @ k.transpose(-1, -2) * (1 / math.sqrt(q.shape[-1]))
    if mask is not None:
        s = s + _t(mask)
    if causal:
        s = s + torch.full((q.shape[-2], k.shape[-2]), float("-inf"), dtype=s.dtype).triu(1)
    return torch.exp(_log_softmax(s, -1)) @ v


def _ce(logits, label):
    if label.dtype == torch.int64:
        label = (label.unsqueeze(-1) == torch.arange(logits.shape[-1])).double()
    return -(label * _log_softmax(logits, -1)).sum(-1).mean()


def _huber(d, delta):
    ad = torch.abs(d)
    return torch.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta)).mean()


class Model:
    def __init__(self, fns, stmts):
        self.fns, self.stmts = fns, stmts

    def run(self, inputs, params):
        """Returns (outputs, loss, optimizer); self.leaves = (params, real inputs) as tensors."""
        env, consts, dims = {"pi": math.pi, "e": math.e}, set(), dims_decl(self.stmts)
        leaves_p, leaves_x, outputs, loss, opt = OrderedDict(), OrderedDict(), OrderedDict(), None, None
        self.buffers = OrderedDict()
        for s in self.stmts:
            k = s[0]
            if k == "input":
                a = inputs[s[1]]
                assert len(s[2]) == a.ndim, (s[1], s[2], a.shape)
                for d, got in zip(s[2], a.shape):
                    if d[0] == "name" and d[1] in dims:
                        assert env.setdefault(d[1], got) == got, (d[1], got)  # a dim read off the shape
                    else:
                        assert int(self.ev(d, env)) == got, (s[1], d, a.shape)
                if s[3]:
                    assert a.dtype == np.int64
                    env[s[1]] = torch.tensor(a)
                else:
                    env[s[1]] = leaves_x[s[1]] = torch.tensor(a, requires_grad=True)
            elif k == "param":
                shp = [int(self.ev(d, env)) for d in s[2]]
                a = params[s[1]]
                assert list(a.shape) == shp, (s[1], shp, a.shape)
                env[s[1]] = leaves_p[s[1]] = torch.tensor(a, requires_grad=True)
            elif k == "buffer":
                env[s[1]] = self.buffers[s[1]] = torch.tensor(params[s[1]])  # updated in place in training mode
            elif k == "const":
                env[s[1]] = self.ev(s[2], env)
                consts.add(s[1])
            elif k == "let":
                assert s[1] not in leaves_p and s[1] not in leaves_x and s[1] not in consts, "rebinding " + s[1]
                if s[1] == "loss":
                    loss = self.ev(s[2], env)
                else:
                    env[s[1]] = self.ev(s[2], env)
            elif k == "output":
                env[s[1]] = outputs[s[1]] = _t(self.ev(s[2], env))
            elif k == "optimizer":
                opt = (s[1], {n: self.ev(e, env) for n, e in s[2][1].items()}, [self.ev(e, env) for e in s[2][0]])
        self.leaves = (leaves_p, leaves_x)
        return outputs, loss, opt

    def ev(self, e, env):
        k = e[0]
        if k == "num":
            return e[1]
        if k == "bool":
            return e[1]
        if k == "name":
            if e[1] not in env:
                raise NameError(e[1])
            return env[e[1]]
        if k == "list":
            return [int(self.ev(d, env)) for d in e[1]]
        if k == "neg":
            return -self.ev(e[1], env)
        if k == "T":
            return self.ev(e[1], env).transpose(-1, -2)
        if k == "cmp":
            a, b = _t(self.ev(e[2], env)), _t(self.ev(e[3], env))
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[e[1]].double()
        if k == "index":
            def part(p):
                return None if p is None else int(self.ev(p, env))
            items = tuple(Ellipsis if s[0] == "ellipsis" else part(s[1]) if s[0] == "at" else slice(part(s[1]), part(s[2]), part(s[3]))
                          for s in e[2])
            return self.ev(e[1], env)[items]
        if k == "bin":
            a, b = self.ev(e[2], env), self.ev(e[3], env)
            op = e[1]
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            if op == "/":
                return a / b
            if op == "@":
                return torch.matmul(a, b)
            if op == "^":
                if not torch.is_tensor(a) and not torch.is_tensor(b):
                    return a ** b
                return torch.pow(a, b)
        if k == "call":
            name, (pos, named) = e[1], e[2]
            if name == "grad":
                f = self.ev(pos[0], env)
                assert pos[1][0] == "name"
                return _grad(f, env[pos[1][1]])
            if name in self.fns and name not in BUILTINS:
                ps, body = self.fns[name]
                local = {"pi": math.pi, "e": math.e}
                assert len(pos) == len(ps) and not named
                for p, a in zip(ps, pos):
                    local[p] = self.ev(a, env)
                return self.ev(body, local)
            pnames, defaults, impl = BUILTINS[name]
            args = dict(defaults)
            for p, a in zip(pnames, pos):
                args[p] = self.ev(a, env)
            for p, a in named.items():
                assert p in pnames and p not in dict(zip(pnames, pos)), (name, p)
                args[p] = self.ev(a, env)
            assert all(p in args for p in pnames), (name, pnames, list(args))
            if name in ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "softplus", "gelu",
                        "square", "leaky_relu", "elu", "sum", "mean", "max", "min", "logsumexp", "var"):
                args["x"] = _t(args["x"])
            for p in ("axis",):
                if p in args and args[p] is not None:
                    args[p] = [int(v) for v in args[p]] if isinstance(args[p], list) else int(args[p])
            return impl(args)
        raise ValueError(e)


def dims_decl(stmts):
    out = set()
    for s in stmts:
        if s[0] == "dim":
            out.update(s[1])
    return out


# --------------------------------------------------------------------------- optimizers

def replay(model, inputs, params, steps):
    """Hand-coded SGD / Adam (torch.optim semantics, weight decay added to the gradient)."""
    p = OrderedDict((k, np.array(v, dtype=np.float64)) for k, v in params.items())
    _, _, (kind, kw, posargs) = model.run(inputs, p)
    if posargs:
        kw = dict(zip(["lr"], posargs), **kw)
    state = {k: {} for k in p}
    out = OrderedDict()
    for t in range(1, steps + 1):
        _, loss, _ = model.run(inputs, p)
        lp = model.leaves[0]
        grads = torch.autograd.grad(loss, list(lp.values()), allow_unused=True)
        out[f"step{t}.loss"] = loss.detach().numpy()
        for (k, leaf), g in zip(lp.items(), grads):
            g = np.zeros_like(p[k]) if g is None else g.detach().numpy().copy()
            wd = kw.get("weight_decay", 0.0)
            g = g + wd * p[k]
            st = state[k]
            if kind == "sgd":
                mom = kw.get("momentum", 0.0)
                if mom:
                    st["buf"] = g.copy() if "buf" not in st else mom * st["buf"] + g
                    g = g + mom * st["buf"] if kw.get("nesterov", False) else st["buf"]
                p[k] = p[k] - kw["lr"] * g
            else:
                b1, b2 = kw.get("beta1", 0.9), kw.get("beta2", 0.999)
                eps, lr = kw.get("eps", 1e-8), kw.get("lr", 1e-3)
                st["m"] = b1 * st.get("m", 0) + (1 - b1) * g
                st["v"] = b2 * st.get("v", 0) + (1 - b2) * g * g
                mhat = st["m"] / (1 - b1 ** t)
                vhat = st["v"] / (1 - b2 ** t)
                p[k] = p[k] - lr * mhat / (np.sqrt(vhat) + eps)
        for k in p:
            out[f"step{t}.{k}"] = p[k]
    return out


# --------------------------------------------------------------------------- main

def compare(label, got, want, atol=1e-10, rtol=1e-9):
    problems = []
    if list(got) != list(want):
        problems.append(f"{label}: names {list(got)} vs {list(want)}")
    for k in want:
        if k not in got:
            continue
        g, w = np.asarray(got[k]), np.asarray(want[k])
        if g.shape != w.shape:
            problems.append(f"{label}: {k} shape {g.shape} vs {w.shape}")
            continue
        err = np.abs(g - w) - (atol + rtol * np.abs(w))
        if not np.all(err <= 0):
            i = np.unravel_index(np.argmax(err), w.shape) if w.ndim else ()
            problems.append(f"{label}: {k}{list(i)} crosscheck {g[i]!r} vs fixture {w[i]!r}")
    return problems


def check_case(d):
    info = json.loads((d / "case.json").read_text())
    MODE["train"] = bool(info.get("train_mode"))
    fns, models = Parser((d / "model.nn").read_text()).file()
    name = info.get("model") or (next(iter(models)) if len(models) == 1 else None)
    model = Model(fns, models[name])
    inputs = OrderedDict((k, a) for k, (_, a) in st_read(d / "inputs.safetensors")[0].items())
    params = OrderedDict((k, a) for k, (_, a) in st_read(d / "params.safetensors")[0].items())
    outputs, loss, _ = model.run(inputs, params)
    got = OrderedDict((k, v.detach().numpy()) for k, v in outputs.items())
    if loss is not None:
        got["loss"] = loss.detach().numpy()
        lp, lx = model.leaves
        wrt = list(lp.items()) + list(lx.items())
        gs = torch.autograd.grad(loss, [t for _, t in wrt], allow_unused=True)
        for (k, t), g in zip(wrt, gs):
            got["grad." + k] = (torch.zeros_like(t) if g is None else g).detach().numpy()
    for k, t in model.buffers.items():
        got["buffer." + k] = t.numpy()
    want = OrderedDict((k, a) for k, (_, a) in st_read(d / "expected.safetensors")[0].items())
    problems = compare(d.name, got, want)
    if (d / "train.safetensors").exists():
        tw = OrderedDict((k, a) for k, (_, a) in st_read(d / "train.safetensors")[0].items())
        steps = max(int(k.split(".")[0][4:]) for k in tw)
        problems += compare(d.name + " train", replay(model, inputs, params, steps), tw, atol=1e-10, rtol=1e-8)
    return problems


def main(argv):
    dirs = [OUT / n for n in argv] if argv else sorted(p for p in OUT.iterdir() if p.is_dir())
    bad = 0
    for d in dirs:
        try:
            problems = check_case(d)
        except Exception as ex:  # noqa: BLE001
            problems = [f"{d.name}: {type(ex).__name__}: {ex}"]
        for p in problems:
            print("MISMATCH", p)
        bad += bool(problems)
        if not problems:
            print("ok", d.name)
    print(f"{len(dirs) - bad}/{len(dirs)} cases agree")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
