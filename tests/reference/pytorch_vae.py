#!/usr/bin/python3
"""pytorch_vae.py -- the standard PyTorch MNIST VAE (pytorch/examples,
vae/main.py) on the same IDX files as ch07_vae, for the numbers the
chapter 7 tests and the book compare with. Run by hand, not by `make test`
(the tests must not need PyTorch):

    /usr/bin/python3 tests/reference/pytorch_vae.py [--epochs 20]
        [--latent 20] [--train-size N] [--test-size N] [--iw 1000]
        [--threads 2] [--seed 1] [--data data/mnist-mini]

The model and training are those of the example: fc1 784->400 ReLU,
fc21/fc22 400->latent, fc3 latent->400 ReLU, fc4 400->784 sigmoid; BCE
summed over pixels plus the closed-form KL, Adam 1e-3, batch 128,
shuffled, torch.nn.Linear's default initialisation. Only the input
pipeline differs: the IDX bytes / 255, as ch07_vae reads them. After each
epoch it prints the test -ELBO with one eps draw per image (what the
example prints as "Test set loss"); at the end the test -ELBO averaged
over 10 draws and the importance-weighted bounds -L_k for k = 1, 10, 100
and --iw, as ch07_vae computes them (7.10), and the seconds per epoch
(mean and median). `make bench` runs it, when PyTorch is installed, as
the yardstick for ch07's speed.
"""
import argparse
import math
import os
import time

import torch
import torch.nn.functional as F


def read_idx(path):
    """An IDX file of unsigned bytes as a uint8 tensor of its shape."""
    with open(path, "rb") as f:
        data = f.read()
    ndims = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
            for i in range(ndims)]
    return torch.frombuffer(bytearray(data[4 + 4 * ndims:]),
                            dtype=torch.uint8).reshape(dims)


class VAE(torch.nn.Module):
    def __init__(self, latent):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, 400)
        self.fc21 = torch.nn.Linear(400, latent)
        self.fc22 = torch.nn.Linear(400, latent)
        self.fc3 = torch.nn.Linear(latent, 400)
        self.fc4 = torch.nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def decode_logits(self, z):
        return self.fc4(F.relu(self.fc3(z)))

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.decode_logits(z), mu, logvar


def neg_elbo(logits, x, mu, logvar):
    """BCE summed over pixels + KL summed over latent dimensions; the
    example's sigmoid + binary_cross_entropy, written from logits."""
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce, kld


@torch.no_grad()
def iw_bounds(model, x, ks, samples):
    """-L_k averaged over images, L_k averaged over samples // k groups."""
    totals = [0.0] * len(ks)
    for i in range(0, len(x), 16):
        xb = x[i:i + 16]
        mu, logvar = model.encode(xb)
        std = torch.exp(0.5 * logvar)
        eps = torch.randn(samples, *mu.shape)
        z = mu + std * eps                              # (S, B, L)
        logits = model.decode_logits(z)
        log_px_z = -F.binary_cross_entropy_with_logits(
            logits, xb.expand_as(logits), reduction="none").sum(-1)
        lw = log_px_z + (0.5 * (eps ** 2 - z ** 2) + 0.5 * logvar).sum(-1)
        for j, k in enumerate(ks):
            groups = samples // k
            g = lw[:groups * k].reshape(groups, k, -1)
            lk = torch.logsumexp(g, 1) - math.log(k)    # (groups, B)
            totals[j] += lk.mean(0).sum().item()
    return [-t / len(x) for t in totals]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="data/mnist-mini")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--latent", type=int, default=20)
    ap.add_argument("--train-size", type=int, default=0)
    ap.add_argument("--test-size", type=int, default=0)
    ap.add_argument("--iw", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    load = lambda name: read_idx(os.path.join(a.data, name))
    train = load("train-images-idx3-ubyte").reshape(-1, 784).float() / 255
    test = load("t10k-images-idx3-ubyte").reshape(-1, 784).float() / 255
    if a.train_size:
        train = train[:a.train_size]
    if a.test_size:
        test = test[:a.test_size]
    model = VAE(a.latent)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    print(f"torch {torch.__version__}, {a.threads} threads, "
          f"{len(train)} train, {len(test)} test, latent {a.latent}")
    epoch_seconds = []
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        model.train()
        total = 0.0
        for idx in torch.randperm(len(train)).split(128):
            x = train[idx]
            opt.zero_grad()
            logits, mu, logvar = model(x)
            bce, kld = neg_elbo(logits, x, mu, logvar)
            loss = bce + kld
            loss.backward()
            opt.step()
            total += loss.item()
        epoch_seconds.append(time.perf_counter() - start)
        # the example's test loss: one eps per image
        with torch.no_grad():
            logits, mu, logvar = model(test)
            bce, kld = neg_elbo(logits, test, mu, logvar)
        print(f"epoch {epoch:3d}  train {total / len(train):8.3f}  "
              f"test {(bce + kld).item() / len(test):8.3f}  "
              f"{epoch_seconds[-1]:.3f} s")
    with torch.no_grad():
        rec = 0.0
        for _ in range(10):
            logits, mu, logvar = model(test)
            bce, kld = neg_elbo(logits, test, mu, logvar)
            rec += bce.item() / (10 * len(test))
    print(f"test_neg_elbo = {rec + kld.item() / len(test):.4f}")
    ks = sorted({1, 10, 100, a.iw})
    start = time.perf_counter()
    for k, v in zip(ks, iw_bounds(model, test, ks, max(ks))):
        print(f"iw_nll_k{k} = {v:.4f}")
    print(f"iw_seconds = {time.perf_counter() - start:.2f}")
    print(f"seconds_per_epoch = {sum(epoch_seconds) / a.epochs:.4f}")
    print(f"seconds_per_epoch_median = "
          f"{sorted(epoch_seconds)[(a.epochs - 1) // 2]:.4f}")


if __name__ == "__main__":
    main()
