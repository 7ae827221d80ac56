#!/usr/bin/env python3
"""The peers of bench/compare on the workloads of PERFORMANCE.md, one thread, f32.

Usage: python bench/peers.py ENGINE[,ENGINE...] WORKLOAD... [--quick]
  ENGINE: eager (PyTorch eager, whichever PyTorch this Python has), compile (torch.compile,
  inductor), jax (JAX jit). WORKLOAD: w1:64, w2:256, w2:1, w3:1, w4:64, w5:16, conv:16 (W5's
  first convolution alone, infer only), and for eager only w6:8 (the W6 encoder block at batch 8:
  trainStep, infer) and attn:1024 (W6's attention alone: forward, backward).
Prints one JSON object: {workload: {engine: {"trainStep": us, "infer": us}}}, each the median
over rounds of the mean time per call. An engine whose library is missing, or that has no model
of a workload (JAX: W4, W5), is left out (its reason goes to stderr). bench/compare runs this with Debian's Python (PyTorch 1.13) and with
bench/.venv's (PyTorch 2.x and JAX, see bench/setup-peers); JAX under taskset, on one core.

Every engine runs the same models as bench/models/*.nn: W1 331-256-1 ReLU, dropout 0.2, MSE,
SGD lr 0.01 with weight decay 1e-4; W2 784-256-10 ReLU, cross-entropy, SGD lr 0.01; W3
2-16-16-1 tanh, MSE, SGD lr 0.01; W4 LeNet-5 (conv 6@5×5 pad 2, ReLU, max-pool 2, conv 16@5×5,
ReLU, max-pool 2, 400-120-84-10 ReLU), cross-entropy, SGD lr 0.01; W5 a ResNet block at 64
channels (two 3×3 convolutions without bias, batch norm, ReLU, the residual, the spatial mean, a
64→10 head), cross-entropy, SGD lr 0.01. A train step is forward, backward and update; infer is the
forward pass in evaluation mode (no dropout).
"""
import json
import os
import statistics
import sys
import time

QUICK = "--quick" in sys.argv
SPECS = {"w1": ([331, 256, 1], "relu", 0.2, "mse", 1e-4),
         "w2": ([784, 256, 10], "relu", 0.0, "xent", 0.0),
         "w3": ([2, 16, 16, 1], "tanh", 0.0, "mse", 0.0)}
LR = 0.01


def median_us(fn, calls, rounds):
    """Median over rounds of the mean time per call, in microseconds (after a warm-up)."""
    for _ in range(max(3, rounds // 5) * calls):
        fn()
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - t0) / calls * 1e6)
    return statistics.median(samples)


def counts(name, batch):
    calls = {"w4": 5, "w5": 2, "conv": 2}.get(name, 20 if name != "w3" and batch > 1 else 200)
    return calls, (10 if QUICK else 30)


def mlp(torch, sizes, act, p):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU() if act == "relu" else torch.nn.Tanh())
            if p:
                layers.append(torch.nn.Dropout(p))
    return torch.nn.Sequential(*layers)


def conv_model(torch, name):
    """W4 (bench/models/w4_lenet.nn) or W5 (w5_resnet.nn), and its input shape after the batch."""
    F = torch.nn.functional
    if name == "w4":
        class LeNet(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.c1, self.c2 = torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.Conv2d(6, 16, 5)
                self.f = mlp(torch, [400, 120, 84, 10], "relu", 0.0)

            def forward(self, x):
                x = F.max_pool2d(F.relu(self.c1(x)), 2)
                x = F.max_pool2d(F.relu(self.c2(x)), 2)
                return self.f(x.flatten(1))
        return LeNet(), (1, 28, 28)

    class ResnetBlock(torch.nn.Module):
        def __init__(self, c=64):
            super().__init__()
            self.c1 = torch.nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.c2 = torch.nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.n1, self.n2 = torch.nn.BatchNorm2d(c), torch.nn.BatchNorm2d(c)
            self.head = torch.nn.Linear(c, 10)

        def forward(self, x):
            y = F.relu(self.n1(self.c1(x)))
            y = F.relu(self.n2(self.c2(y)) + x)
            return self.head(y.mean((2, 3)))
    return ResnetBlock(), (64, 32, 32)


def torch_engine(name, batch, compiled):
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(0)
    if name == "conv":  # W5's convolution forward alone (bench/models/conv_w5.nn)
        conv = torch.nn.Conv2d(64, 64, 3, padding=1, bias=False)
        x = torch.randn(batch, 64, 32, 32)
        with torch.no_grad():
            return {"infer": median_us(lambda: conv(x), *counts(name, batch))}
    if name in ("w4", "w5"):
        model, shape = conv_model(torch, name)
        x = torch.randn(batch, *shape)
        y = torch.randint(0, 10, (batch,))
        loss_fn, wd = torch.nn.CrossEntropyLoss(), 0.0
    else:
        sizes, act, p, loss_kind, wd = SPECS[name]
        model = mlp(torch, sizes, act, p)
        x = torch.randn(batch, sizes[0])
        y = torch.randint(0, sizes[-1], (batch,)) if loss_kind == "xent" else torch.randn(batch, 1)
        loss_fn = torch.nn.CrossEntropyLoss() if loss_kind == "xent" else torch.nn.MSELoss()
    if not compiled:
        opt = torch.optim.SGD(model.parameters(), lr=LR, weight_decay=wd)

        def train():
            model.train()
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()

        def infer():
            model.eval()
            with torch.no_grad():
                model(x)
    else:
        # forward, backward and update traced as one graph: a functional step (torch.func.grad)
        # compiled whole, the parameters passed in and returned
        from torch.func import functional_call, grad
        torch._dynamo.reset()  # each workload compiled afresh, with static shapes
        params = {k: v.detach() for k, v in model.named_parameters()}
        # the buffers (batch norm's running statistics, W5) go in as an argument of their own: grad
        # refuses a function that updates a tensor it captured
        buffers = dict(model.named_buffers())

        def loss_of(ps, bs, xb, yb):
            return loss_fn(functional_call(model, {**ps, **bs}, (xb,)), yb)

        @torch.compile(dynamic=False)
        def step(ps, xb, yb):
            g = grad(loss_of)(ps, buffers, xb, yb)
            return {k: v - LR * (g[k] + wd * v) for k, v in ps.items()}

        @torch.compile(dynamic=False)
        def forward(ps, xb):
            return functional_call(model, ps, (xb,))

        def train():
            nonlocal params
            model.train()
            params = step(params, x, y)

        def infer():
            model.eval()
            with torch.no_grad():
                forward(params, x)
    calls, rounds = counts(name, batch)
    return {"trainStep": median_us(train, calls, rounds), "infer": median_us(infer, calls, rounds)}


W6 = {"seq": 128, "width": 128, "heads": 4, "lr": 1e-3}  # the block of W6 (its batch is the workload's)
ATTN = {"heads": 4, "per": 32}  # W6's attention alone: one sequence, 4 heads of 32


def torch_attention(q, k, v):
    """Causal attention [batch, heads, seq, per]: PyTorch 2's fused F.scaled_dot_product_attention,
    else (PyTorch 1.13 has none) the same written out: softmax(q kᵀ / √per, masked) v."""
    import torch
    F = torch.nn.functional
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    n = q.shape[-2]
    mask = torch.ones(n, n, dtype=torch.bool).tril()
    scores = (q @ k.transpose(-2, -1)) / q.shape[-1] ** 0.5
    return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1) @ v


def torch_w6(name, size):
    """W6 in PyTorch eager. w6:8, the pre-norm encoder block at batch 8 (seq 128, width 128, 4
    heads, causal; GELU MLP of 4 × width; MSE against a random target, AdamW): trainStep and
    infer. attn:1024, the attention alone on one sequence of 1024: forward, and forward with
    backward (the gradients of q, k and v)."""
    import torch
    F = torch.nn.functional
    torch.set_num_threads(1)
    torch.manual_seed(0)
    if name == "attn":
        q, k, v = (torch.randn(1, ATTN["heads"], size, ATTN["per"], requires_grad=True) for _ in range(3))
        g = torch.randn(1, ATTN["heads"], size, ATTN["per"])

        def forward():
            with torch.no_grad():
                torch_attention(q, k, v)

        def backward():
            q.grad = k.grad = v.grad = None
            torch_attention(q, k, v).backward(g)

        return {"forward": median_us(forward, 5, 10 if QUICK else 30), "backward": median_us(backward, 5, 10 if QUICK else 30)}
    width, heads = W6["width"], W6["heads"]

    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = torch.nn.LayerNorm(width), torch.nn.LayerNorm(width)
            self.qkv, self.proj = torch.nn.Linear(width, 3 * width), torch.nn.Linear(width, width)
            self.fc1, self.fc2 = torch.nn.Linear(width, 4 * width), torch.nn.Linear(4 * width, width)

        def forward(self, x):
            b, n, w = x.shape
            q, k, v = self.qkv(self.ln1(x)).view(b, n, 3, heads, w // heads).permute(2, 0, 3, 1, 4)
            x = x + self.proj(torch_attention(q, k, v).transpose(1, 2).reshape(b, n, w))
            return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))

    model = Block()
    x = torch.randn(size, W6["seq"], width)
    y = torch.randn(size, W6["seq"], width)
    opt = torch.optim.AdamW(model.parameters(), lr=W6["lr"])

    def train():
        model.train()
        opt.zero_grad()
        F.mse_loss(model(x), y).backward()
        opt.step()

    def infer():
        model.eval()
        with torch.no_grad():
            model(x)

    rounds = 10 if QUICK else 30
    return {"trainStep": median_us(train, 5, rounds), "infer": median_us(infer, 5, rounds)}


def jax_engine(name, batch):
    import jax
    import jax.numpy as jnp
    sizes, act, p, loss_kind, wd = SPECS[name]
    key = jax.random.PRNGKey(0)
    params = []
    for i in range(len(sizes) - 1):
        key, k = jax.random.split(key)
        bound = (6.0 / (sizes[i] + sizes[i + 1])) ** 0.5
        params.append((jax.random.uniform(k, (sizes[i], sizes[i + 1]), jnp.float32, -bound, bound),
                       jnp.zeros((sizes[i + 1],), jnp.float32)))
    f = jax.nn.relu if act == "relu" else jnp.tanh

    def forward(ps, xb, k):
        h = xb
        for i, (w, b) in enumerate(ps):
            h = h @ w + b
            if i < len(ps) - 1:
                h = f(h)
                if k is not None and p:
                    k, sub = jax.random.split(k)
                    h = jnp.where(jax.random.bernoulli(sub, 1 - p, h.shape), h / (1 - p), 0.0)
        return h

    def loss_of(ps, xb, yb, k):
        out = forward(ps, xb, k)
        if loss_kind == "xent":
            return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(out), yb[:, None], axis=1))
        return jnp.mean((out - yb) ** 2)

    @jax.jit
    def step(ps, xb, yb, k):
        k, sub = jax.random.split(k)
        g = jax.grad(loss_of)(ps, xb, yb, sub)
        return jax.tree_util.tree_map(lambda v, d: v - LR * (d + wd * v), ps, g), k

    infer_fn = jax.jit(lambda ps, xb: forward(ps, xb, None))
    key, kx, ky = jax.random.split(key, 3)
    x = jax.random.normal(kx, (batch, sizes[0]), jnp.float32)
    y = (jax.random.randint(ky, (batch,), 0, sizes[-1]) if loss_kind == "xent"
         else jax.random.normal(ky, (batch, 1), jnp.float32))
    state = [params, key]

    def train():
        state[0], state[1] = step(state[0], x, y, state[1])
        jax.block_until_ready(state[0])

    def infer():
        infer_fn(state[0], x).block_until_ready()

    calls, rounds = counts(name, batch)
    return {"trainStep": median_us(train, calls, rounds), "infer": median_us(infer, calls, rounds)}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    engines, workloads = args[0].split(","), args[1:]
    results = {}
    for e in engines:
        try:
            if e == "jax":
                import jax
                jax.config.update("jax_platforms", "cpu")
            else:
                import torch  # noqa: F401
        except ImportError as err:
            print(f"peers.py: {e} skipped: {err}", file=sys.stderr)
            continue
        for w in workloads:
            name, batch = w.split(":")
            if name in ("w6", "attn"):
                if e != "eager":
                    print(f"peers.py: {e} {w} skipped: W6 is measured against PyTorch eager only", file=sys.stderr)
                    continue
                r = torch_w6(name, int(batch))
            elif e == "jax" and name not in SPECS:
                print(f"peers.py: jax has no model of {w}", file=sys.stderr)
                continue
            else:
                r = jax_engine(name, int(batch)) if e == "jax" else torch_engine(name, int(batch), e == "compile")
            results.setdefault(w, {})[e] = r
            print(f"peers.py: {e} {w} {r}", file=sys.stderr, flush=True)
    versions = {}
    if any(e in engines for e in ("eager", "compile")) and "torch" in sys.modules:
        versions["torch"] = sys.modules["torch"].__version__
    if "jax" in engines and "jax" in sys.modules:
        versions["jax"] = sys.modules["jax"].__version__
    print(json.dumps({"versions": versions, "results": results}))


if __name__ == "__main__":
    main()
