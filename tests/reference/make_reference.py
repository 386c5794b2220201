#!/usr/bin/python3
"""make_reference.py -- reference numbers from PyTorch for the C tests.

Run by hand, not by `make test` (the tests must not need PyTorch):

    /usr/bin/python3 tests/reference/make_reference.py

(Debian: apt-get install python3-torch.) It writes
tests/reference/mlp_reference.txt, which tests/gradcheck_reference.c
reads and compares with what common/nn.c and common/loss.c compute, and
tests/gradcheck_vae_reference.c with what common/vae.c computes.

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


def vae_section(out):
    """The VAE of common/vae.c at toy size -- 7 pixels, hidden 5, latent
    3, a batch of 4 -- one training step at a fixed epsilon, four ways:
    Bernoulli decoder ("vae.bern"), Gaussian with sigma fixed at 0.3
    ("vae.gauss"), Gaussian with a learned log sigma ("vae.gausslearn"),
    and Bernoulli with a 3-wide one-hot condition on the encoder's and
    the decoder's inputs, chapter 8's CVAE ("vae.cvae"). The objective
    is (nll + beta kl) / batch with beta = 0.7, equation (7.9); written
    are the encoder's outputs, z, the logits, both terms, every gradient
    and the parameters after one Adam step (lr 1e-3)."""
    pixels, hidden, latent, batch, classes = 7, 5, 3, 4, 3
    beta = 0.7
    labels = [0, 2, 1, 2]
    half_log_2pi = 0.5 * math.log(2 * math.pi)
    variants = [("bern", None, 0), ("gauss", 0.3, 0),
                ("gausslearn", "learned", 0), ("cvae", None, classes)]
    for k, (name, sigma, cond_dim) in enumerate(variants):
        tag = "vae." + name + "."
        x = (fixed(batch, pixels, 11.0 + k, 0.5) + 0.5).clamp(0, 1)
        eps = fixed(batch, latent, 13.0 + k, 1.5)
        cond = torch.nn.functional.one_hot(
            torch.tensor(labels), classes).to(torch.float64)[:, :cond_dim]
        shapes = [(hidden, pixels + cond_dim), (latent, hidden),
                  (latent, hidden), (hidden, latent + cond_dim),
                  (pixels, hidden)]
        names = ["enc", "enc_mu", "enc_logvar", "dec", "dec_out"]
        params, pnames = [], []
        for j, ((rows, cols), layer) in enumerate(zip(shapes, names)):
            w = fixed(rows, cols, 17.0 + 3 * k + j, 0.7)
            b = fixed(1, rows, 29.0 + 3 * k + j, 0.2).reshape(-1)
            params += [w.requires_grad_(True), b.requires_grad_(True)]
            pnames += [layer + ".w", layer + ".b"]
        if sigma == "learned":
            params.append(torch.full((1, 1), math.log(0.4),
                                     requires_grad=True))
            pnames.append("log_sigma")
        log_sigma = (params[-1] if sigma == "learned" else
                     torch.tensor(math.log(sigma)) if sigma else None)

        put(out, tag + "x", x)
        put(out, tag + "eps", eps)
        if cond_dim:
            put(out, tag + "cond", cond)
        for pname, p in zip(pnames, params):
            put(out, tag + pname, p)

        w1, b1, wm, bm, wl, bl, w3, b3, w4, b4 = params[:10]
        a1 = dense(torch.cat([x, cond], 1), w1, b1)
        assert a1.abs().min() > 1e-3, a1   # away from ReLU's kink
        h = torch.relu(a1)
        mu, logvar = dense(h, wm, bm), dense(h, wl, bl)
        z = mu + torch.exp(0.5 * logvar) * eps                  # (7.5)
        a3 = dense(torch.cat([z, cond], 1), w3, b3)
        assert a3.abs().min() > 1e-3, a3
        logits = dense(torch.relu(a3), w4, b4)
        if log_sigma is None:                                   # (7.7)
            nll = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, x, reduction="sum")
        else:                                                   # (7.8)
            r = (x - torch.sigmoid(logits)) / torch.exp(log_sigma)
            nll = (0.5 * r * r + log_sigma + half_log_2pi).sum()
        kl = 0.5 * (mu * mu + torch.exp(logvar) - 1 - logvar).sum()
        loss = (nll + beta * kl) / batch                        # (7.9)
        adam = torch.optim.Adam(params, lr=1e-3)
        adam.zero_grad()
        loss.backward()
        for label, t in [("mu", mu), ("logvar", logvar), ("z", z),
                         ("logits", logits), ("nll", nll), ("kl", kl),
                         ("loss", loss)]:
            put(out, tag + label, t)
        for pname, p in zip(pnames, params):
            put(out, tag + "d" + pname, p.grad)
        adam.step()
        for pname, p in zip(pnames, params):
            put(out, tag + "adam." + pname, p)


def main():
    torch.set_default_dtype(torch.float64)
    path = os.path.join(HERE, "mlp_reference.txt")
    with open(path + ".tmp", "w") as out:
        out.write("# reference numbers for tests/gradcheck_reference.c and\n"
                  "# tests/gradcheck_vae_reference.c,\n"
                  "# written by tests/reference/make_reference.py; "
                  "do not edit\n")
        out.write(f"format {FORMAT}\n")
        out.write(f"torch {torch.__version__}\n")
        mlp_section(out)
        vae_section(out)
        out.write("end\n")
    os.replace(path + ".tmp", path)
    print(f"wrote: {os.path.relpath(path)} (torch {torch.__version__})")


if __name__ == "__main__":
    sys.exit(main())
