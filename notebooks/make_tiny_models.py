#!/usr/bin/env python3
"""Writes the tiny DINOv2-style TorchScript models the tests ship, with expected outputs.

The models have the architecture of timm's vit_base_patch14_reg4_dinov2 (patch 14, a CLS token
and 4 register tokens, position embeddings on patches only and interpolated bicubically to the
input's grid, pre-norm blocks with LayerScale, final LayerNorm) at a tiny size, random weights
from a fixed seed. They are saved with torch.jit.script, so they accept any input size.

Also writes, for the preprocessing parity test, a JPEG and the tensor timm's eval transform
(PIL bicubic resize of the shorter side, centre crop, ImageNet normalisation) makes of it.

Needs Debian's python3-torch and python3-pil (install libopenblas0-openmp too, or torch runs on
the reference BLAS). The tests only read what this writes; CI never runs it.

    python3 notebooks/make_tiny_models.py                      # test fixtures
    python3 notebooks/make_tiny_models.py --vit-b /tmp/vitb    # ViT-B/14-sized random model for bench
"""
import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "test", "resources", "models")
# The tokens model also drives the demo, so it ships in the jar.
MAIN_OUT = os.path.join(HERE, "..", "src", "main", "resources", "models")
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        qkv = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q * self.scale) @ k.transpose(-2, -1)
        attn = attn.softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(b, t, d)
        return self.proj(x)


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, mlp: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.ls1 = nn.Parameter(torch.full((dim,), 0.1))
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1 = nn.Linear(dim, mlp)
        self.fc2 = nn.Linear(mlp, dim)
        self.ls2 = nn.Parameter(torch.full((dim,), 0.1))

    def forward(self, x):
        x = x + self.ls1 * self.attn(self.norm1(x))
        x = x + self.ls2 * self.fc2(F.gelu(self.fc1(self.norm2(x))))
        return x


class DinoV2Reg(nn.Module):
    """forward_features of a DINOv2 ViT with registers: [B, 3, H, W] -> tokens [B, 1 + 4 + N, D]."""

    def __init__(self, dim: int, depth: int, heads: int, mlp: int, base_grid: int, cls_only: bool):
        super().__init__()
        self.patch = 14
        self.base_grid = base_grid
        self.cls_only = cls_only
        self.patch_embed = nn.Conv2d(3, dim, kernel_size=14, stride=14)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.reg_token = nn.Parameter(torch.randn(1, 4, dim) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, base_grid * base_grid, dim) * 0.02)
        self.blocks = nn.ModuleList([Block(dim, heads, mlp) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x):
        b = x.shape[0]
        h = x.shape[2] // self.patch
        w = x.shape[3] // self.patch
        x = self.patch_embed(x).flatten(2).transpose(1, 2)
        pos = self.pos_embed
        if h != self.base_grid or w != self.base_grid:
            d = pos.shape[-1]
            grid = pos.reshape(1, self.base_grid, self.base_grid, d).permute(0, 3, 1, 2)
            grid = F.interpolate(grid, size=(h, w), mode="bicubic", align_corners=False)
            pos = grid.permute(0, 2, 3, 1).reshape(1, h * w, d)
        x = x + pos
        x = torch.cat([self.cls_token.expand(b, -1, -1), self.reg_token.expand(b, -1, -1), x], 1)
        for block in self.blocks:
            x = block(x)
        x = self.norm(x)
        if self.cls_only:
            return x[:, 0]
        return x


def formula_input(batch: int, size: int) -> torch.Tensor:
    """The fixed input the Java test rebuilds: sin(0.01 * (b*1000 + c*100 + y*10 + x))."""
    b = torch.arange(batch, dtype=torch.float64).reshape(-1, 1, 1, 1)
    c = torch.arange(3, dtype=torch.float64).reshape(1, -1, 1, 1)
    y = torch.arange(size, dtype=torch.float64).reshape(1, 1, -1, 1)
    x = torch.arange(size, dtype=torch.float64).reshape(1, 1, 1, -1)
    return torch.sin(0.01 * (b * 1000 + c * 100 + y * 10 + x)).float()


def write_f32(path: str, t: torch.Tensor):
    t.detach().cpu().numpy().astype("<f4").tofile(path)


def save(model: nn.Module, directory: str, name: str):
    os.makedirs(directory, exist_ok=True)
    scripted = torch.jit.script(model.eval())
    scripted.save(os.path.join(directory, name))
    return scripted


def tiny_models():
    torch.manual_seed(1234)
    tokens = DinoV2Reg(dim=48, depth=2, heads=3, mlp=96, base_grid=8, cls_only=False)
    cls = DinoV2Reg(dim=48, depth=2, heads=3, mlp=96, base_grid=8, cls_only=True)
    cls.load_state_dict(tokens.state_dict())
    for p in tokens.parameters():  # non-trivial LayerNorm and LayerScale, not just 1s and 0.1s
        if p.dim() == 1:
            p.data += torch.randn_like(p) * 0.05
    cls.load_state_dict(tokens.state_dict())

    tdir = os.path.join(OUT, "tiny-dinov2")
    cdir = os.path.join(OUT, "tiny-dinov2-cls")
    t = save(tokens, os.path.join(MAIN_OUT, "tiny-dinov2"), "tiny-dinov2.pt")
    c = save(cls, cdir, "tiny-dinov2-cls.pt")
    meta = {"dim": 48, "depth": 2, "heads": 3, "patch": 14, "registers": 4, "cases": []}
    with torch.no_grad():
        for size in (112, 70):  # the model's base grid (8x8) and another one (5x5)
            x = formula_input(2, size)
            out = t(x)
            write_f32(os.path.join(tdir, f"expected-tokens-{size}.f32"), out)
            write_f32(os.path.join(cdir, f"expected-cls-{size}.f32"), c(x))
            meta["cases"].append({"batch": 2, "size": size, "tokens": list(out.shape)})
    with open(os.path.join(tdir, "expected.json"), "w") as f:
        json.dump(meta, f, indent=2)


def timm_eval_transform(image: Image.Image, size: int) -> np.ndarray:
    """torchvision Resize(size) + CenterCrop(size) on PIL, ToTensor, Normalize: CHW float32."""
    w, h = image.size
    short, long = min(w, h), max(w, h)
    new_long = int(size * long / short)
    new = (new_long, size) if w >= h else (size, new_long)
    resized = image.resize(new, Image.BICUBIC)
    left = int(round((resized.size[0] - size) / 2.0))  # Python rounds half to even
    top = int(round((resized.size[1] - size) / 2.0))
    cropped = resized.crop((left, top, left + size, top + size))
    arr = np.asarray(cropped, dtype=np.float32) / 255.0
    arr = (arr - np.array(MEAN, dtype=np.float32)) / np.array(STD, dtype=np.float32)
    return arr.transpose(2, 0, 1).astype("<f4")


def pattern(w: int, h: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    return np.stack(
        [
            (127 + 127 * np.sin(xx / 7.0)),
            (127 + 127 * np.cos(yy / 5.0)),
            ((xx * 3 + yy * 2) % 256),
        ],
        axis=-1,
    ).astype(np.uint8)


def preprocessing_fixture():
    """Source images and the tensors timm's eval transform makes of them.

    pattern.jpg 300x200 (landscape, downscale) at 112 and 64; portrait.png 200x291 at 64 (portrait,
    crop offset 14.5 which Python rounds to 14); small.png 40x30 at 64 (upscale).
    """
    directory = os.path.join(OUT, "preprocess")
    os.makedirs(directory, exist_ok=True)
    Image.fromarray(pattern(300, 200)).save(os.path.join(directory, "pattern.jpg"), quality=95)
    Image.fromarray(pattern(200, 291)).save(os.path.join(directory, "portrait.png"))
    Image.fromarray(pattern(40, 30)).save(os.path.join(directory, "small.png"))
    cases = [("pattern.jpg", 112), ("pattern.jpg", 64), ("portrait.png", 64), ("small.png", 64)]
    for name, size in cases:
        image = Image.open(os.path.join(directory, name)).convert("RGB")
        stem = name.split(".")[0]
        suffix = "" if stem == "pattern" else "-" + stem
        timm_eval_transform(image, size).tofile(
            os.path.join(directory, f"expected{suffix}-{size}.f32")
        )


def vit_b(directory: str):
    torch.manual_seed(7)
    model = DinoV2Reg(dim=768, depth=12, heads=12, mlp=3072, base_grid=37, cls_only=False)
    save(model, directory, "vit-b14-random.pt")
    print("wrote", os.path.join(directory, "vit-b14-random.pt"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vit-b", metavar="DIR", help="write a ViT-B/14-sized random model there")
    args = parser.parse_args()
    torch.set_num_threads(2)
    if args.vit_b:
        vit_b(args.vit_b)
    else:
        tiny_models()
        preprocessing_fixture()
        print("wrote fixtures under", os.path.abspath(OUT))
