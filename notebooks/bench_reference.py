#!/usr/bin/env python3
"""The Python reference pipeline's figures on this machine, for BENCHMARKS.md.

What the DS@GT PlantCLEF 2024 pipeline does per plot photo and per model call, in Python with
PIL and PyTorch, measured the way `plantclef bench` measures the Java side:

  decode   PIL decodes a plot photo (Image.open + convert("RGB")), cuts the N x N grid, and
           runs timm's eval transform on each tile (Resize(size, bicubic) + CenterCrop(size));
           ms per photo, split into decode and tiles + resize
  model    img/s of a TorchScript file on random input, batch 8, torch.set_num_threads(T),
           under torch.inference_mode(), the same files `bench --versus` races
  train    samples/s of the plain loop: Linear(768, 1000) -> log_softmax -> NLL, Adam lr 0.002,
           100 000 random rows, batch 32 and 256

Usage (Debian's python3-torch and python3-pil; nothing here is needed by the Java build):

    /usr/bin/python3 notebooks/bench_reference.py --threads 2 \\
        --models /tmp/vitb/vit-b14-reg4-random.pt /tmp/vitb/vit-b14-reg4-random-bf16.pt
"""
import argparse
import io
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image


def photo(width: int, height: int, seed: int) -> bytes:
    """A plot-like JPEG (quality 90): smooth colour fields and sensor-like noise, as bench's."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack([
        96 + 60 * np.sin(x / 97.0 + seed) * np.cos(y / 131.0),
        128 + 70 * np.sin(y / 53.0) * np.cos(x / 71.0 + seed),
        80 + 50 * np.cos((x + y) / 89.0),
    ], axis=-1)
    noisy = base + rng.integers(-16, 17, size=base.shape)
    image = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def timm_eval(tile: Image.Image, size: int) -> Image.Image:
    """timm's eval transform for crop_pct 1.0: Resize(size, bicubic) then CenterCrop(size)."""
    w, h = tile.size
    if w <= h:
        ow, oh = size, int(size * h / w)
    else:
        ow, oh = int(size * w / h), size
    if (ow, oh) != (w, h):
        tile = tile.resize((ow, oh), Image.BICUBIC)
    left = int(round((ow - size) / 2.0))
    top = int(round((oh - size) / 2.0))
    return tile.crop((left, top, left + size, top + size))


def bench_decode(photos, grids, size, seconds):
    decode = tiles = 0.0
    count = 0
    for p in photos:  # warm-up
        Image.open(io.BytesIO(p)).convert("RGB")
    while decode + tiles < seconds or count < len(photos):
        data = photos[count % len(photos)]
        t0 = time.perf_counter()
        image = Image.open(io.BytesIO(data)).convert("RGB")
        image.load()
        t1 = time.perf_counter()
        w, h = image.size
        for n in grids:
            tw, th = w // n, h // n
            for r in range(n):
                for c in range(n):
                    timm_eval(image.crop((c * tw, r * th, (c + 1) * tw, (r + 1) * th)), size)
        t2 = time.perf_counter()
        decode += t1 - t0
        tiles += t2 - t1
        count += 1
    return 1000 * decode / count, 1000 * tiles / count, count


def bench_model(path, size, batch, seconds):
    model = torch.jit.load(path).eval()
    x = torch.randn(batch, 3, size, size)
    with torch.inference_mode():
        for _ in range(2):
            model(x)
        images = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            model(x)
            images += batch
        return images / (time.perf_counter() - start)


def bench_train(samples, dim, classes, batch, epochs=2):
    torch.manual_seed(3)
    y = torch.randint(0, classes, (samples,))
    x = torch.randn(samples, dim)
    layer = torch.nn.Linear(dim, classes)
    opt = torch.optim.Adam(layer.parameters(), lr=0.002)

    def epoch():
        order = torch.randperm(samples)
        for start in range(0, samples, batch):
            idx = order[start:start + batch]
            opt.zero_grad()
            loss = F.nll_loss(F.log_softmax(layer(x[idx]), dim=1), y[idx])
            loss.backward()
            opt.step()

    epoch()  # warm-up
    start = time.perf_counter()
    for _ in range(epochs):
        epoch()
    return samples * epochs / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", nargs="*", default=[])
    parser.add_argument("--sizes", type=int, nargs="*", default=[224, 518])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--skip-decode", action="store_true")
    parser.add_argument("--skip-train", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} threads, PIL {Image.__version__}")

    if not args.skip_decode:
        photos = [photo(3000, 3000, s) for s in range(4)]
        kb = sum(len(p) for p in photos) // len(photos) // 1024
        print(f"\ndecode: 4 photos 3000x3000 JPEG (avg {kb} KB)")
        print("size | grids | decode ms/photo | tiles + resize ms/photo | total ms/photo")
        for size, grids in ((518, [3]), (224, [3]), (518, [5]), (518, [1, 2, 3, 4])):
            d, t, n = bench_decode(photos, grids, size, 10)
            print(f"{size} | {grids} | {d:.1f} | {t:.1f} | {d + t:.1f}")

    for path in args.models:
        for size in args.sizes:
            rate = bench_model(path, size, 8, args.seconds)
            print(f"model {path} at {size}, batch 8: {rate:.2f} img/s")

    if not args.skip_train:
        for batch in (32, 256):
            rate = bench_train(100_000, 768, 1000, batch)
            print(f"train Linear(768, 1000), batch {batch}: {rate:.0f} samples/s")


if __name__ == "__main__":
    main()
