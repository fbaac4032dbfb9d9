#!/usr/bin/python3
"""The lesson's KL sparse autoencoder trained for one epoch in PyTorch: the speed reference for
`npm run bench`. Reads MNIST from the same IDX files as the kit (no torchvision download).

usage: pytorch_epoch.py MNIST_DIR [--threads N] [--limit N] [--epochs N]
Without --threads, torch keeps its own default thread count, as the lesson's code does (the bench
also leaves OPENBLAS_NUM_THREADS unset for that run). Prints one JSON line: {"threads" (torch's
intra-op threads in use), "openblas_threads" (OPENBLAS_NUM_THREADS, or null when unset),
"epoch_s" (fastest timed epoch), "epochs_s", "steps", "final_loss"}.
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


def kl_divergence_loss(latent, rho=0.05):
    rho_hat = torch.clamp(torch.mean(latent, dim=0), 1e-8, 1 - 1e-8)
    return torch.sum(rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mnist_dir")
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads; omit for torch's default")
    ap.add_argument("--limit", type=int, default=60000)
    ap.add_argument("--epochs", type=int, default=2, help="timed epochs; the fastest is reported")
    args = ap.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    images = read_idx(os.path.join(args.mnist_dir, "train-images-idx3-ubyte"), 3)[: args.limit]
    x_all = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    model = SparseAutoencoderKL()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    mse = nn.MSELoss()

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


if __name__ == "__main__":
    main()
