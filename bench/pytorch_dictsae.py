#!/usr/bin/python3
"""The dictionary SAE of `npm run bench`'s dictsae line in PyTorch: a TopK SAE (k 32, 784 -> 1024
latents, no AuxK) trained for one epoch on MNIST at batch 256 with Adam (lr 1e-3), as the kit's
DictSae (src/interp/dictsae.ts, activations/topk.ts) computes it:

    pre   = (x - b_dec) W_enc + b_enc
    f     = ReLU(pre) where pre is among its row's k largest, else 0   (top-k on pre, then ReLU)
    x_hat = f W_dec + b_dec
    loss  = mean((x - x_hat)^2)                                        (nn.MSELoss)

and after each Adam step every row of W_dec (one per latent) divided by its norm (at least 1e-12).
Reads MNIST from the same IDX files as the kit (no torchvision download).

usage: pytorch_dictsae.py MNIST_DIR [--threads N] [--limit N] [--epochs N]
       pytorch_dictsae.py --agree DIR
Without --threads, torch keeps its own default thread count (the bench also leaves
OPENBLAS_NUM_THREADS unset for that run). Prints one JSON line: {"threads", "openblas_threads",
"epoch_s" (fastest timed epoch), "epochs_s", "steps", "final_loss"}.

--agree DIR: the check of test/scripts/dictsae-pytorch-agreement.test.ts, float32 on one thread:
from the weights and batches in DIR (spec.json, *.f32, written by the test), the loss of every
step (DIR/torch.json), the gradients of the first step (DIR/torch_grad_NAME.f32) and the weights
after the last step (Adam, then the decoder rows renormalised: DIR/torch_weight_NAME.f32), NAME
w_enc, b_enc, w_dec, b_dec in the kit's layout.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn

from pytorch_epoch import read_idx  # the same IDX reader as the lesson's model (bench/ is on sys.path)

INPUT_DIM, LATENT_DIM, K, BATCH, LR = 784, 1024, 32, 256, 1e-3


class TopKSAE(nn.Module):
    """Weights in the kit's layout: W_enc [input, latent], W_dec [latent, input] (one row per latent)."""

    def __init__(self, input_dim=INPUT_DIM, latent_dim=LATENT_DIM, k=K):
        super().__init__()
        self.k = k
        # Decoder rows: random unit vectors; the encoder starts as their transpose (as the kit does).
        w_dec = torch.rand(latent_dim, input_dim) * 2 - 1
        w_dec /= w_dec.norm(dim=1, keepdim=True)
        self.W_dec = nn.Parameter(w_dec)
        self.W_enc = nn.Parameter(w_dec.T.clone())
        self.b_enc = nn.Parameter(torch.zeros(latent_dim))
        self.b_dec = nn.Parameter(torch.zeros(input_dim))

    def encode(self, x):
        pre = (x - self.b_dec) @ self.W_enc + self.b_enc
        values, indices = torch.topk(pre, self.k, dim=1)
        return torch.zeros_like(pre).scatter(1, indices, torch.relu(values))

    def forward(self, x):
        return self.encode(x) @ self.W_dec + self.b_dec

    @torch.no_grad()
    def normalize_decoder(self):
        self.W_dec /= self.W_dec.norm(dim=1, keepdim=True).clamp_min(1e-12)


def train_step(model, optimizer, mse, images):
    optimizer.zero_grad()
    loss = mse(model(images), images)
    loss.backward()
    optimizer.step()
    model.normalize_decoder()
    return loss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mnist_dir", nargs="?")
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads; omit for torch's default")
    ap.add_argument("--limit", type=int, default=60000)
    ap.add_argument("--epochs", type=int, default=2, help="timed epochs; the fastest is reported")
    ap.add_argument("--agree", metavar="DIR", help="the agreement check's mode (see the docstring)")
    args = ap.parse_args()
    if args.agree is not None:
        agree(args.agree)
        return
    if args.mnist_dir is None:
        ap.error("MNIST_DIR is required")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    images = read_idx(os.path.join(args.mnist_dir, "train-images-idx3-ubyte"), 3)[: args.limit]
    x_all = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    model = TopKSAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    mse = nn.MSELoss()

    def run(order):
        loss_value = 0.0
        for start in range(0, len(order), BATCH):
            loss_value = train_step(model, optimizer, mse, x_all[order[start:start + BATCH]]).item()  # read every step, as the kit does
        return loss_value

    run(torch.randperm(len(x_all))[: BATCH * 5])  # warm-up
    times = []
    for _ in range(args.epochs):
        order = torch.randperm(len(x_all))
        start = time.perf_counter()
        final = run(order)
        times.append(time.perf_counter() - start)
    steps = (len(x_all) + BATCH - 1) // BATCH
    print(json.dumps({"threads": torch.get_num_threads(), "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
                      "epoch_s": round(min(times), 3), "epochs_s": [round(t, 3) for t in times],
                      "steps": steps, "final_loss": final}))


def agree(d):
    torch.set_num_threads(1)
    spec = json.load(open(os.path.join(d, "spec.json")))
    n, m, steps, batch = spec["inputDim"], spec["latentDim"], spec["steps"], spec["batchSize"]
    read = lambda name, shape: torch.from_numpy(np.fromfile(os.path.join(d, name), dtype="<f4").reshape(shape).copy())
    model = TopKSAE(n, m, spec["k"])
    params = [model.W_enc, model.b_enc, model.W_dec, model.b_dec]  # the kit's order: DictSae.variables
    with torch.no_grad():
        for p, (name, shape) in zip(params, [("w_enc", (n, m)), ("b_enc", (m,)), ("w_dec", (m, n)), ("b_dec", (n,))]):
            p.copy_(read(name + ".f32", shape))
    optimizer = torch.optim.Adam(params, lr=spec["learningRate"])
    mse = nn.MSELoss()
    batches = read("batches.f32", (steps, batch, n))
    names = ["w_enc", "b_enc", "w_dec", "b_dec"]
    write = lambda name, t: t.detach().contiguous().numpy().astype("<f4").tofile(os.path.join(d, name))
    losses = []
    for step in range(steps):
        images = batches[step]
        optimizer.zero_grad()
        loss = mse(model(images), images)
        loss.backward()
        if step == 0:
            for name, p in zip(names, params):
                write("torch_grad_%s.f32" % name, p.grad)
        optimizer.step()
        model.normalize_decoder()
        losses.append(loss.item())
    for name, p in zip(names, params):
        write("torch_weight_%s.f32" % name, p)
    json.dump({"torch": torch.__version__, "losses": losses}, open(os.path.join(d, "torch.json"), "w"))


if __name__ == "__main__":
    main()
