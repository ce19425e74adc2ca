#!/usr/bin/env python3
"""Writes the fixtures of the native (safetensors) DINOv2 path: a tiny timm
vit_*_patch14_reg4_dinov2 with random weights, as safetensors (F32, F16 and BF16) under timm's
own key names, as TorchScript, and the outputs both must give.

The module below follows timm 0.9.16's VisionTransformer line by line for this configuration
(patch 14, class token, 4 register tokens, no_embed_class=True so the position embedding covers
the patches only, pre-norm blocks with LayerScale, fused qkv, exact GELU, final LayerNorm, head on
the class token). timm itself is not needed; its names and numerics are kept:

* key names: cls_token, reg_token, pos_embed, patch_embed.proj.{weight,bias},
  blocks.N.norm1, blocks.N.attn.qkv, blocks.N.attn.proj, blocks.N.ls1.gamma, blocks.N.norm2,
  blocks.N.mlp.fc1, blocks.N.mlp.fc2, blocks.N.ls2.gamma, norm, head;
* an input whose patch grid differs from the checkpoint's gets the position embedding resampled
  as timm's resample_abs_pos_embed does: F.interpolate(mode="bicubic", antialias=True);
* LayerNorm eps 1e-6, attention scale head_dim ** -0.5 applied to q;
* the head count is not in the tensors: the Java side takes 64 dimensions per head (every DINOv2)
  unless the checkpoint's metadata says num_heads, as the tiny one does.

Needs Debian's python3-torch; the tests only read what this writes, CI never runs it.

    python3 notebooks/make_vit_fixtures.py                      # test fixtures
    python3 notebooks/make_vit_fixtures.py --vit-b /tmp/vitb    # ViT-B/14-sized random model, both forms
"""
import argparse
import json
import os
import struct
import sys
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_tiny_models import formula_input, write_f32  # noqa: E402  (the inputs the Java tests rebuild)
OUT = os.path.join(HERE, "..", "src", "test", "resources", "models", "tiny-vit-reg4")


class PatchEmbed(nn.Module):
    def __init__(self, patch: int, dim: int):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)  # NCHW -> NLC


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.num_heads = heads
        self.head_dim = dim // heads
        self.scale = self.head_dim ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        q = q * self.scale
        attn = q @ k.transpose(-2, -1)
        attn = attn.softmax(dim=-1)
        x = attn @ v
        x = x.transpose(1, 2).reshape(B, N, C)
        return self.proj(x)


class LayerScale(nn.Module):
    def __init__(self, dim: int, init_values: float):
        super().__init__()
        self.gamma = nn.Parameter(init_values * torch.ones(dim))

    def forward(self, x):
        return x * self.gamma


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float, init_values: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.ls1 = LayerScale(dim, init_values)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        self.ls2 = LayerScale(dim, init_values)

    def forward(self, x):
        x = x + self.ls1(self.attn(self.norm1(x)))
        x = x + self.ls2(self.mlp(self.norm2(x)))
        return x


def resample_abs_pos_embed(posemb, new_size: List[int], old_size: List[int]):
    """timm.layers.resample_abs_pos_embed with num_prefix_tokens=0 (no_embed_class)."""
    if new_size[0] == old_size[0] and new_size[1] == old_size[1]:
        return posemb
    embed_dim = posemb.shape[-1]
    orig_dtype = posemb.dtype
    posemb = posemb.float()  # as timm: interpolate needs float32 (bf16 has no bicubic kernel)
    posemb = posemb.reshape(1, old_size[0], old_size[1], -1).permute(0, 3, 1, 2)
    posemb = F.interpolate(posemb, size=new_size, mode="bicubic", antialias=True)
    posemb = posemb.to(orig_dtype)
    return posemb.permute(0, 2, 3, 1).reshape(1, -1, embed_dim)


class VitReg4(nn.Module):
    """timm's vit_*_patch14_reg4_dinov2. forward: tokens [B, 1 + 4 + N, D]; logits: head(CLS)."""

    def __init__(self, dim: int, depth: int, heads: int, grid: int, classes: int):
        super().__init__()
        self.patch = 14
        self.grid = grid
        self.patch_embed = PatchEmbed(14, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.reg_token = nn.Parameter(torch.zeros(1, 4, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, grid * grid, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, 4.0, 1e-5) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, classes)

    def forward_features(self, x):
        B, _, H, W = x.shape
        x = self.patch_embed(x)
        pos_embed = resample_abs_pos_embed(
            self.pos_embed, [H // self.patch, W // self.patch], [self.grid, self.grid])
        x = x + pos_embed
        x = torch.cat([self.cls_token.expand(B, -1, -1), self.reg_token.expand(B, -1, -1), x], 1)
        x = self.blocks(x)
        return self.norm(x)

    def forward(self, x):
        return self.forward_features(x)

    def logits(self, x):
        return self.head(self.forward_features(x)[:, 0])


class Logits(nn.Module):
    def __init__(self, model: VitReg4):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model.logits(x)


class Bfloat16(nn.Module):
    """What export_torchscript.py --bf16 writes: float32 in, the model run in bfloat16 (weights
    and activations), float32 out; DJL 0.36 cannot make or convert bf16 tensors itself."""

    def __init__(self, model: VitReg4):
        super().__init__()
        self.model = model.to(torch.bfloat16)

    def forward(self, x):
        return self.model(x.to(torch.bfloat16)).float()


def save_bf16(model: VitReg4, path: str):
    """A bf16 copy of model, scripted, saved to path; model itself stays float32."""
    dim = model.cls_token.shape[-1]
    heads = model.blocks[0].attn.num_heads
    clone = VitReg4(dim, len(model.blocks), heads, model.grid, model.head.out_features)
    clone.load_state_dict(model.state_dict())
    scripted = torch.jit.script(Bfloat16(clone.eval()).eval())
    scripted.save(path)
    return scripted


DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def save_safetensors(path: str, tensors: dict, metadata: dict):
    """The safetensors format, written by hand (the package is not in Debian): 8-byte header
    length, JSON header, then the tensors' little-endian bytes in name order."""
    header = {"__metadata__": metadata} if metadata else {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        if t.dtype == torch.bfloat16:  # numpy has no bfloat16: its bits are int16's
            raw = t.view(torch.int16).numpy().tobytes()
        else:
            raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def randomise(model: nn.Module, seed: int):
    """Weights that make every part matter: LayerNorm and LayerScale far from 1 and 1e-5."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("gamma"):
                p.copy_(0.5 + 0.5 * torch.rand_like(p))
            elif p.dim() == 1:
                p.copy_((1.0 if "norm" in name and name.endswith("weight") else 0.0)
                        + 0.1 * torch.randn_like(p))
            else:
                fan_in = p[0].numel() if p.dim() > 1 else p.numel()
                p.copy_(torch.randn_like(p) / fan_in ** 0.5)


def tiny():
    os.makedirs(OUT, exist_ok=True)
    model = VitReg4(dim=32, depth=2, heads=2, grid=5, classes=7).eval()
    randomise(model, 2024)
    state = dict(model.state_dict())
    # 32 dimensions in 2 heads: not DINOv2's 64 per head, so the checkpoint says so.
    meta_heads = {"format": "pt", "num_heads": "2"}
    save_safetensors(os.path.join(OUT, "tiny-vit-reg4.safetensors"), state, meta_heads)
    torch.jit.script(model).save(os.path.join(OUT, "tiny-vit-reg4.pt"))
    meta = {"dim": 32, "depth": 2, "heads": 2, "grid": 5, "classes": 7, "cases": []}
    with torch.no_grad():
        # 70: the checkpoint's 5x5 grid; 98: 7x7 (upsampled); 56: 4x4 (downsampled, antialiased).
        for size in (70, 98, 56):
            x = formula_input(2, size)
            tokens = model(x)
            write_f32(os.path.join(OUT, f"expected-tokens-{size}.f32"), tokens)
            meta["cases"].append({"batch": 2, "size": size, "tokens": list(tokens.shape)})
        write_f32(os.path.join(OUT, "expected-logits-70.f32"), model.logits(formula_input(2, 70)))
        # Half-precision checkpoints: the same model with its weights rounded to F16 / BF16.
        for dtype, tag in ((torch.float16, "f16"), (torch.bfloat16, "bf16")):
            half = {k: v.to(dtype) for k, v in state.items()}
            save_safetensors(os.path.join(OUT, f"tiny-vit-reg4-{tag}.safetensors"), half, meta_heads)
            rounded = VitReg4(dim=32, depth=2, heads=2, grid=5, classes=7).eval()
            rounded.load_state_dict({k: v.float() for k, v in half.items()})
            write_f32(os.path.join(OUT, f"expected-tokens-70-{tag}.f32"),
                      rounded(formula_input(2, 70)))
        # The model run in bfloat16 (export_torchscript.py --bf16), and what PyTorch gives for it.
        bf16 = save_bf16(model, os.path.join(OUT, "tiny-vit-reg4-bf16.pt"))
        write_f32(os.path.join(OUT, "expected-tokens-70-bf16-run.f32"), bf16(formula_input(2, 70)))
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print("wrote", os.path.abspath(OUT))


def vit_b(directory: str):
    os.makedirs(directory, exist_ok=True)
    model = VitReg4(dim=768, depth=12, heads=12, grid=37, classes=1000).eval()
    randomise(model, 7)
    save_safetensors(os.path.join(directory, "vit-b14-reg4-random.safetensors"),
                     dict(model.state_dict()), {"format": "pt"})
    torch.jit.script(model).save(os.path.join(directory, "vit-b14-reg4-random.pt"))
    save_bf16(model, os.path.join(directory, "vit-b14-reg4-random-bf16.pt"))
    print("wrote", os.path.join(directory, "vit-b14-reg4-random.{safetensors,pt}, -bf16.pt"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vit-b", metavar="DIR", help="write a ViT-B/14-sized random model there")
    args = parser.parse_args()
    torch.set_num_threads(2)
    if args.vit_b:
        vit_b(args.vit_b)
    else:
        tiny()
