#!/usr/bin/python3
"""The lesson's KL sparse autoencoder trained for one epoch in PyTorch: the speed reference for
`npm run bench`. Reads MNIST from the same IDX files as the kit (no torchvision download).

usage: pytorch_epoch.py MNIST_DIR [--threads N] [--limit N] [--epochs N] [--sweep]
Without --threads, torch keeps its own default thread count, as the lesson's code does (the bench
also leaves OPENBLAS_NUM_THREADS unset for that run). Prints one JSON line: {"threads" (torch's
intra-op threads in use), "openblas_threads" (OPENBLAS_NUM_THREADS, or null when unset),
"epoch_s" (fastest timed epoch), "epochs_s", "steps", "final_loss"}.

--sweep: Exercise 1's ten models instead (the L1 model at 5 weights, the KL model at 5 weights, as
notebook 07 sweeps them), each built and trained for one epoch, one after another; prints
{"threads", "openblas_threads", "sweep_s" (all ten, after a warm-up), "models_s", "final_losses"}.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn


def read_idx(path, rank):
    with open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    assert magic == 0x0800 | rank, "%s: bad magic 0x%08x" % (path, magic)
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


class SparseAutoencoderKL(nn.Module):
    def __init__(self, input_dim=784, latent_dim=128):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(input_dim, 256), nn.ReLU(), nn.Linear(256, latent_dim), nn.Sigmoid())
        self.decoder = nn.Sequential(nn.Linear(latent_dim, 256), nn.ReLU(), nn.Linear(256, input_dim), nn.Sigmoid())

    def forward(self, x):
        latent = self.encoder(x)
        return self.decoder(latent), latent


class SparseAutoencoderL1(nn.Module):
    def __init__(self, input_dim=784, latent_dim=128):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(input_dim, 256), nn.ReLU(), nn.Linear(256, latent_dim), nn.ReLU())
        self.decoder = nn.Sequential(nn.Linear(latent_dim, 256), nn.ReLU(), nn.Linear(256, input_dim), nn.Sigmoid())

    def forward(self, x):
        latent = self.encoder(x)
        return self.decoder(latent), latent


def l1_penalty(latent):
    return torch.mean(torch.abs(latent))


# Exercise 1's sweep (notebook 07): penalty weights of the L1 and the KL model.
SWEEP = [("l1", w) for w in (1e-4, 1e-3, 1e-2, 1e-1, 1.0)] + [("kl", w) for w in (1e-3, 1e-2, 1e-1, 1.0, 10.0)]


def kl_divergence_loss(latent, rho=0.05):
    rho_hat = torch.clamp(torch.mean(latent, dim=0), 1e-8, 1 - 1e-8)
    return torch.sum(rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mnist_dir")
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads; omit for torch's default")
    ap.add_argument("--limit", type=int, default=60000)
    ap.add_argument("--epochs", type=int, default=2, help="timed epochs; the fastest is reported")
    ap.add_argument("--sweep", action="store_true", help="time Exercise 1's ten models, one epoch each")
    args = ap.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    images = read_idx(os.path.join(args.mnist_dir, "train-images-idx3-ubyte"), 3)[: args.limit]
    x_all = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    mse = nn.MSELoss()
    if args.sweep:
        sweep(args, x_all, mse)
        return
    model = SparseAutoencoderKL()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def run(order):
        loss_value = 0.0
        for start in range(0, len(order), 128):
            images = x_all[order[start:start + 128]]
            optimizer.zero_grad()
            reconstructed, latent = model(images)
            loss = mse(reconstructed, images) + 0.01 * kl_divergence_loss(latent)
            loss.backward()
            optimizer.step()
            loss_value = loss.item()  # like the lesson's loop, read the loss every step
        return loss_value

    run(torch.randperm(len(x_all))[: 128 * 10])  # warm-up
    times = []
    for _ in range(args.epochs):
        order = torch.randperm(len(x_all))
        start = time.perf_counter()
        final = run(order)
        times.append(time.perf_counter() - start)
    steps = (len(x_all) + 127) // 128
    print(json.dumps({"threads": torch.get_num_threads(), "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
                      "epoch_s": round(min(times), 3), "epochs_s": [round(t, 3) for t in times],
                      "steps": steps, "final_loss": final}))


def train_epoch(kind, weight, x_all, mse, order):
    """One model of the sweep, built and trained for one epoch over `order`; returns its last loss."""
    model = SparseAutoencoderL1() if kind == "l1" else SparseAutoencoderKL()
    penalty = l1_penalty if kind == "l1" else kl_divergence_loss
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_value = 0.0
    for start in range(0, len(order), 128):
        images = x_all[order[start:start + 128]]
        optimizer.zero_grad()
        reconstructed, latent = model(images)
        loss = mse(reconstructed, images) + weight * penalty(latent)
        loss.backward()
        optimizer.step()
        loss_value = loss.item()
    return loss_value


def sweep(args, x_all, mse):
    train_epoch("kl", 0.01, x_all, mse, torch.randperm(len(x_all))[: 128 * 10])  # warm-up
    times, losses = [], []
    start = time.perf_counter()
    for kind, weight in SWEEP:
        t0 = time.perf_counter()
        losses.append(train_epoch(kind, weight, x_all, mse, torch.randperm(len(x_all))))
        times.append(round(time.perf_counter() - t0, 3))
    total = time.perf_counter() - start
    print(json.dumps({"threads": torch.get_num_threads(), "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
                      "sweep_s": round(total, 3), "models_s": times, "final_losses": losses}))


if __name__ == "__main__":
    main()
