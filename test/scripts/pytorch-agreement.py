#!/usr/bin/python3
"""The lesson's L1 and KL sparse autoencoders (../shared/lesson/sparse-autoencoder.md) in PyTorch,
float32, one thread: from the weights and batches in DIR (written by pytorch-agreement.test.ts),
the losses of every step, the gradients of the first step, and the weights after every Adam step.

usage: pytorch-agreement.py DIR    (DIR/spec.json, DIR/*.f32; writes DIR/torch.json)
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

torch.set_num_threads(1)
torch.manual_seed(0)


def l1_loss(latent):
    return torch.mean(torch.abs(latent))


def kl_divergence_loss(latent, rho=0.05):
    rho_hat = torch.mean(latent, dim=0)
    eps = 1e-8
    rho_hat = torch.clamp(rho_hat, eps, 1 - eps)
    kl = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))
    return torch.sum(kl)


ACT = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}


def main():
    d = sys.argv[1]
    spec = json.load(open(os.path.join(d, "spec.json")))
    read = lambda name, shape: torch.from_numpy(np.fromfile(os.path.join(d, name), dtype="<f4").reshape(shape).copy())
    # The lesson's models: encoder Linear-ReLU-Linear-(ReLU | Sigmoid), decoder Linear-ReLU-Linear-Sigmoid.
    layers = []
    for i, (inp, out, act) in enumerate(spec["layers"]):
        lin = nn.Linear(inp, out)
        with torch.no_grad():
            lin.weight.copy_(read("w%d.f32" % i, (inp, out)).T)  # the kit's w is [in, out], torch's [out, in]
            lin.bias.copy_(read("b%d.f32" % i, (out,)))
        layers.append(lin)
        if act != "linear":
            layers.append(ACT[act]())
    n_enc = 2 * spec["encoderLayers"]
    encoder = nn.Sequential(*layers[:n_enc])
    decoder = nn.Sequential(*layers[n_enc:])
    params = [p for lin in layers if isinstance(lin, nn.Linear) for p in (lin.weight, lin.bias)]
    optimizer = optim.Adam(params, lr=spec["learningRate"])
    recon_criterion = nn.MSELoss()
    batches = read("batches.f32", (spec["steps"], spec["batchSize"], spec["inputDim"]))
    losses, grads, weights = [], None, []
    for step in range(spec["steps"]):
        images = batches[step]
        # The lesson's training step (train_sparse_autoencoder)
        latent = encoder(images)
        reconstructed = decoder(latent)
        recon_loss = recon_criterion(reconstructed, images)
        if spec["sparsity"] == "l1":
            sparsity_loss = l1_loss(latent)
        else:
            sparsity_loss = kl_divergence_loss(latent, spec["rho"])
        total_loss = recon_loss + spec["sparsityWeight"] * sparsity_loss
        optimizer.zero_grad()
        total_loss.backward()
        if step == 0:
            # in the kit's layout: w [in, out]
            grads = [(p.grad.T if p.dim() == 2 else p.grad).contiguous().reshape(-1).tolist() for p in params]
        optimizer.step()
        losses.append([total_loss.item(), recon_loss.item(), sparsity_loss.item()])
        weights.append([(p.detach().T if p.dim() == 2 else p.detach()).contiguous().reshape(-1).tolist() for p in params]
                       if step == spec["steps"] - 1 else None)
    json.dump({"torch": torch.__version__, "losses": losses, "grads": grads, "weights": weights[-1]},
              open(os.path.join(d, "torch.json"), "w"))


if __name__ == "__main__":
    main()
