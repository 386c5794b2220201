#!/usr/bin/python3
"""make_reference.py -- reference numbers from PyTorch for the C tests.

Run by hand, not by `make test` (the tests must not need PyTorch):

    /usr/bin/python3 tests/reference/make_reference.py

(Debian: apt-get install python3-torch.) It writes
tests/reference/mlp_reference.txt, which tests/gradcheck_reference.c
reads and compares with what common/nn.c and common/loss.c compute.

Every number is float64, and every input is fixed by a formula below, not
by torch's random generator, so the file depends on nothing but the
arithmetic. To add a model (the VAE chapter adds one VAE step at a fixed
epsilon), write a function like mlp_section() that calls put() and call
it from main(); names are prefixed by the section, e.g. "mlp.w1".

The file format (version 1), text so that a diff shows what changed:
    # comment lines
    format 1
    torch 1.13.0a0
    tensor NAME ROWS COLS        then ROWS lines of COLS numbers (%.17g)
    ...
    end
A vector is written as a 1 x n tensor, as nn.h declares biases.
"""
import math
import os
import sys

import torch

FORMAT = 1
HERE = os.path.dirname(os.path.abspath(__file__))


def fixed(rows, cols, seed, amplitude=0.5):
    """A deterministic (rows, cols) matrix with entries spread over
    [-amplitude, amplitude]: no random generator involved."""
    return torch.tensor([[amplitude * math.sin(seed + 1.3 * i + 0.7 * j
                                               + 0.11 * i * j)
                          for j in range(cols)] for i in range(rows)],
                        dtype=torch.float64)


def put(out, name, t):
    """Writes one tensor block; 1-D tensors and scalars become 1 x n."""
    t = t.detach().to(torch.float64)
    if t.dim() == 0:
        t = t.reshape(1, 1)
    elif t.dim() == 1:
        t = t.reshape(1, -1)
    rows, cols = t.shape
    out.write(f"tensor {name} {rows} {cols}\n")
    for row in t.tolist():
        out.write(" ".join(f"{v:.17g}" for v in row) + "\n")


def dense(x, w, b):
    """y = x W^T + b, equation (3.1), as nn_dense_forward."""
    return x @ w.T + b


def mlp_section(out):
    """A 6-5-4-4 MLP on a batch of 3: dense, ReLU, dense, tanh, dense to
    4 logits, binary cross-entropy from logits summed over all 12
    outputs; its outputs, loss and gradients, and two Adam steps (lr 1e-3,
    torch's defaults otherwise), each from a fresh forward and backward."""
    sizes = [6, 5, 4, 4]
    batch = 3
    x = fixed(batch, sizes[0], 0.1, 1.0).requires_grad_(True)
    target = (fixed(batch, sizes[-1], 2.0, 0.5) + 0.5).clamp(0, 1)
    params = []
    for k in range(3):
        w = fixed(sizes[k + 1], sizes[k], 3.0 + k, 0.6)
        b = fixed(1, sizes[k + 1], 7.0 + k, 0.2).reshape(-1)
        params += [w.requires_grad_(True), b.requires_grad_(True)]
    names = ["w1", "b1", "w2", "b2", "w3", "b3"]

    put(out, "mlp.x", x)
    put(out, "mlp.target", target)
    for name, p in zip(names, params):
        put(out, "mlp." + name, p)

    def forward():
        w1, b1, w2, b2, w3, b3 = params
        a1 = dense(x, w1, b1)
        # ReLU's kink must be far from every pre-activation, or float
        # and double could take different sides of it.
        assert a1.abs().min() > 1e-3, a1
        h1 = torch.relu(a1)
        h2 = torch.tanh(dense(h1, w2, b2))
        logits = dense(h2, w3, b3)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            logits, target, reduction="sum")
        return h1, h2, logits, loss

    adam = torch.optim.Adam(params, lr=1e-3)
    for step in (1, 2):
        adam.zero_grad()
        x.grad = None
        h1, h2, logits, loss = forward()
        loss.backward()
        tag = f"mlp.step{step}."
        put(out, tag + "h1", h1)
        put(out, tag + "h2", h2)
        put(out, tag + "logits", logits)
        put(out, tag + "loss", loss)
        put(out, tag + "dx", x.grad)
        for name, p in zip(names, params):
            put(out, tag + "d" + name, p.grad)
        adam.step()
        for name, p in zip(names, params):
            put(out, tag + "adam." + name, p)


def main():
    torch.set_default_dtype(torch.float64)
    path = os.path.join(HERE, "mlp_reference.txt")
    with open(path + ".tmp", "w") as out:
        out.write("# reference numbers for tests/gradcheck_reference.c,\n"
                  "# written by tests/reference/make_reference.py; "
                  "do not edit\n")
        out.write(f"format {FORMAT}\n")
        out.write(f"torch {torch.__version__}\n")
        mlp_section(out)
        out.write("end\n")
    os.replace(path + ".tmp", path)
    print(f"wrote: {os.path.relpath(path)} (torch {torch.__version__})")


if __name__ == "__main__":
    sys.exit(main())
