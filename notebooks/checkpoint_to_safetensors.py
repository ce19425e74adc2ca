#!/usr/bin/env python3
"""Converts a timm training checkpoint (model_best.pth.tar, as the PlantCLEF 2024 organisers
publish it) to a safetensors file plantclef-flink loads directly (embed/predict --model X.safetensors).

A .pth.tar is a Python pickle (it holds the optimizer state and argparse arguments besides the
weights): libtorch and DJL cannot read it, so this one step needs Python with torch. It takes the
EMA weights when the checkpoint has them (state_dict_ema), else state_dict, strips a DDP
"module." prefix, and keeps timm's key names. Hugging Face's model.safetensors of
PlantNet/vit_base_patch14_reg4_dinov2_lvd142m.pc24_all needs no conversion.

    python3 notebooks/checkpoint_to_safetensors.py model_best.pth.tar dinov2-plantclef.safetensors
    python3 notebooks/checkpoint_to_safetensors.py ckpt.pth.tar out.safetensors --num-heads 6  # not 64/head
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_vit_fixtures import save_safetensors  # noqa: E402  (the hand-written writer)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("output")
    parser.add_argument("--num-heads", type=int,
                        help="attention heads, when not 64 dimensions per head (every DINOv2 has 64)")
    parser.add_argument("--no-ema", action="store_true", help="take state_dict even if EMA weights exist")
    args = parser.parse_args()
    checkpoint = torch.load(args.checkpoint, map_location="cpu")
    if isinstance(checkpoint, dict) and "state_dict" in checkpoint:
        ema = checkpoint.get("state_dict_ema")
        state = checkpoint["state_dict"] if args.no_ema or ema is None else ema
        print("using", "state_dict" if state is checkpoint["state_dict"] else "state_dict_ema (EMA)")
    else:
        state = checkpoint  # a bare state dict
    tensors = {}
    for key, value in state.items():
        if key.startswith("module."):
            key = key[len("module."):]
        if value.dtype not in (torch.float32, torch.float16, torch.bfloat16):
            value = value.float()
        tensors[key] = value.contiguous()
    metadata = {"format": "pt"}
    if args.num_heads:
        metadata["num_heads"] = str(args.num_heads)
    save_safetensors(args.output, tensors, metadata)
    print(f"wrote {len(tensors)} tensors to {args.output}")


if __name__ == "__main__":
    main()
