#!/usr/bin/env python3
"""Turns a float32 TorchScript model into one that computes in bfloat16, for `plantclef --model`.

The weights are converted to bfloat16 and the model is wrapped so that it still takes and returns
float32 (DJL 0.36 can neither make nor read bfloat16 tensors): input cast to bf16, output cast
back. That is what `export_torchscript.py --bf16` writes from the timm checkpoint; this does it to
a TorchScript file you already have (the PlantCLEF export, the demo model), without timm.

Worth it on CPUs with bf16 matrix units (Intel AMX, Sapphire Rapids and later: ~3.5x here; AMD
Zen 4 and Intel Cooper Lake have AVX512_BF16); elsewhere PyTorch emulates bf16 and it is slower.
See BENCHMARKS.md for the speed and the agreement with float32.

Usage (Debian's python3-torch is enough):

    /usr/bin/python3 notebooks/torchscript_to_bf16.py models/dinov2-plantclef.pt \\
        models/dinov2-plantclef-bf16.pt --size 518

It prints the cosine similarity of the two models' outputs on random input: expect >= 0.999.
"""
import argparse

import torch
import torch.nn as nn


class Bfloat16(nn.Module):
    """float32 in, the wrapped model in bfloat16, float32 out."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x.to(torch.bfloat16)).float()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", help="float32 TorchScript file")
    parser.add_argument("output", help="bfloat16 TorchScript file to write")
    parser.add_argument("--size", type=int, default=518, help="input side for the check")
    args = parser.parse_args()

    reference = torch.jit.load(args.model).eval()
    converted = torch.jit.load(args.model).eval().to(torch.bfloat16)
    scripted = torch.jit.script(Bfloat16(converted).eval())
    scripted.save(args.output)

    check = torch.jit.load(args.output).eval()
    x = torch.randn(2, 3, args.size, args.size)
    with torch.no_grad():
        a = reference(x).flatten(1).double()
        b = check(x).flatten(1).double()
    cosine = torch.nn.functional.cosine_similarity(a, b, dim=1).min().item()
    print(f"wrote {args.output}: output {tuple(check(x).shape)}, cosine to float32 {cosine:.6f}")


if __name__ == "__main__":
    main()
