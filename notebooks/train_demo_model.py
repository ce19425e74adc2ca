#!/usr/bin/env python3
"""Trains the small DINOv2-style model the demo ships, on synthetic plants, and evaluates it.

Provenance of src/main/resources/models/demo-dinov2/:

  demo-dinov2.pt       TorchScript (torch.jit.script, any input size, a multiple of 14): float
                       [B, 3, H, W] -> tokens [B, 1 + 4 + (H/14)(W/14), D] float32, CLS first,
                       then the 4 registers, then the patches. Meant for 112 px input.
  demo-dinov2-head.pt  the same backbone, frozen, with a linear head on the CLS token trained on
                       the demo's own training photos (seed 42, 8 species, 30 each): [B, 3, H, W]
                       -> logits [B, 8] float32.
  class_mapping.txt    the demo's species ids, one a line, in logit order.

The architecture is make_tiny_models.DinoV2Reg (imported from there, not copied): patch 14, a CLS
and 4 register tokens, position embeddings on the patches only, interpolated bicubically to the
input's grid (base grid 8x8 = 112 px), pre-norm blocks with LayerScale, final LayerNorm. Size:
dim 96, depth 4, heads 4, MLP 3x (288).

Training data: the project's own generator (`bin/plantclef synth`), on seeds OTHER than the demo's
42 (seeds 1..20, 8 species each, 50 photos per species, no plots), so the demo's species stay held
out as the PlantCLEF species were for DINOv2; (seed, species) is the class, 160 classes. Each photo
is preprocessed as the Java ingest does (centre square, area resize to 128x128) and augmented so
that the model also holds on plot tiles, where plants are smaller, off centre, cut by the tile's
edge or several to a cell: random rotation, flips, zoom out (up to 2x, reflection padding) or in,
shifts, colour jitter that keeps hue (brightness, contrast, saturation, a small hue rotation), blur
and noise. Supervised: cross entropy (label smoothing 0.1) of a linear head on the CLS token,
AdamW, cosine schedule, fixed seeds.

Evaluation, on the held-out demo dataset (seed 42, the demo's default sizes), the way the Java
pipeline preprocesses: training crops 128 px -> PIL bicubic resize to 112, ImageNet mean/std;
plot tiles: an NxN grid (tile w = W//N, h = H//N, row-major), shorter side bicubic to 112, centre
crop. A linear softmax probe like the Java trainer's (Adam lr 0.05, batch 32, 40 epochs, raw
features, no standardisation) on an 80/20 split per species, on the CLS token and on the DCT
features (unnormalised 2-D type-II DCT of the whole token matrix, top-left 8x8 row-major, as
org.plantclef.embed.Dct). Then, on the 12 plots, the fraction of 3x3 tiles whose argmax is one of
the plot's species, and the mean F1 per plot of the set of tile argmaxes against the truth (next to
the F1 of predicting every species, which is what the full image's top 20 gives with 8 species).

Needs Debian's python3-torch, python3-pil, python3-numpy (and libopenblas0-openmp), plus Java and
Maven for bin/plantclef (built on first use). Runs on CPU in about 6-7 minutes with 2 threads, plus
about 2 minutes the first time to generate the 21 datasets (and the Maven build if needed):

    /usr/bin/python3 notebooks/train_demo_model.py                 # data under /tmp/plantclef-demo-model-data
    /usr/bin/python3 notebooks/train_demo_model.py --data DIR      # elsewhere; existing sets are reused
    /usr/bin/python3 notebooks/train_demo_model.py --no-export     # train and evaluate only

The results are reproducible for a given torch build and thread count (the script sets 2).
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_tiny_models import MEAN, STD, DinoV2Reg, timm_eval_transform  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, ".."))
OUT = os.path.join(REPO, "src", "main", "resources", "models", "demo-dinov2")

ARCH = dict(dim=96, depth=4, heads=4, mlp=288, base_grid=8)
CROP = 128  # the Java ingest's training crop
SIZE = 112  # the demo's model input
DEMO_SEED = 42
GRID = 3
DCT_K = 8


# ---------------------------------------------------------------------------------------- data


def synth(data: str, name: str, *args: str) -> str:
    """A dataset of `bin/plantclef synth`, generated unless already there."""
    out = os.path.join(data, name)
    if not os.path.isdir(os.path.join(out, "train")):
        cmd = [os.path.join(REPO, "bin", "plantclef"), "synth", "--output", out, *args]
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return out


def square_crop(path: str) -> Image.Image:
    """The Java ingest's training crop: the centre square, area-resized to 128x128."""
    image = Image.open(path).convert("RGB")
    w, h = image.size
    s = min(w, h)
    left, top = (w - s) // 2, (h - s) // 2
    return image.crop((left, top, left + s, top + s)).resize((CROP, CROP), Image.BOX)


def load_train(directory: str):
    """(uint8 [N, 128, 128, 3] crops, labels, species ids in label order)."""
    species = sorted(os.listdir(os.path.join(directory, "train")), key=int)
    crops, labels = [], []
    for label, sp in enumerate(species):
        folder = os.path.join(directory, "train", sp)
        for name in sorted(os.listdir(folder)):
            crops.append(np.asarray(square_crop(os.path.join(folder, name))))
            labels.append(label)
    return np.stack(crops), np.array(labels), species


def normalise(hwc_uint8: np.ndarray) -> torch.Tensor:
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    x = torch.from_numpy(hwc_uint8).permute(0, 3, 1, 2).float() / 255.0
    return (x - mean) / std


def eval_tensor(images) -> torch.Tensor:
    """The Java Preprocessor: shorter side bicubic to 112, centre crop, ImageNet normalisation."""
    return torch.from_numpy(np.stack([timm_eval_transform(im, SIZE) for im in images]))


def plot_tiles(path: str, n: int):
    """The Java TileFunction's tiles of a plot photo, row-major."""
    image = Image.open(path).convert("RGB")
    w, h = image.size
    tw, th = w // n, h // n
    return [image.crop((c * tw, r * th, c * tw + tw, r * th + th)) for r in range(n) for c in range(n)]


def load_plots(directory: str):
    truth = {}
    with open(os.path.join(directory, "plots_ground_truth.csv")) as f:
        next(f)
        for line in f:
            plot, ids = line.strip().split(";")
            truth[plot] = {s.strip() for s in ids.strip("[]").split(",") if s.strip()}
    plots = []
    for plot in sorted(truth):
        tiles = plot_tiles(os.path.join(directory, "plots", plot + ".jpg"), GRID)
        plots.append((plot, eval_tensor(tiles), truth[plot]))
    return plots


# -------------------------------------------------------------------------------- augmentation


def augment(batch_uint8: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random views [B, 3, 112, 112] (normalised) of 128 px crops [B, 128, 128, 3] uint8."""
    b = batch_uint8.shape[0]
    x = batch_uint8.permute(0, 3, 1, 2).float() / 255.0

    def u(lo, hi, *shape):
        return lo + (hi - lo) * torch.rand(*(shape or (b,)), generator=gen)

    # Geometry: one affine map per image, output 112 px. zoom > 1 shows more than the crop
    # (plants look smaller, reflection padding fills the border), < 1 crops into it.
    zoom = torch.exp(u(np.log(0.8), np.log(2.0)))
    angle = u(-np.pi, np.pi)
    flip = torch.where(torch.rand(b, generator=gen) < 0.5, -1.0, 1.0)
    shift = u(-0.3, 0.3, b, 2) * zoom.unsqueeze(1).clamp(max=1.3)
    cos, sin = torch.cos(angle) * zoom, torch.sin(angle) * zoom
    theta = torch.stack(
        [torch.stack([cos * flip, -sin, shift[:, 0]], 1), torch.stack([sin * flip, cos, shift[:, 1]], 1)],
        1,
    )
    grid = F.affine_grid(theta, (b, 3, SIZE, SIZE), align_corners=False)
    if True:  # antialias a little when zooming out a lot
        x = F.avg_pool2d(x, 3, 1, 1) * 0.5 + x * 0.5
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)

    # Colour: brightness, contrast, saturation; a small hue rotation keeps the species' hue.
    x = x * u(0.7, 1.3).view(b, 1, 1, 1)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * u(0.7, 1.3).view(b, 1, 1, 1) + mean
    grey = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
    x = (x - grey) * u(0.7, 1.3).view(b, 1, 1, 1) + grey
    x = hue_rotate(x, u(-0.05, 0.05) * 2 * np.pi)
    # Blur (the tiles' bicubic resize) or noise (JPEG) on some.
    blur = (torch.rand(b, generator=gen) < 0.3).float().view(b, 1, 1, 1)
    x = blur * F.avg_pool2d(x, 3, 1, 1, count_include_pad=False) + (1 - blur) * x
    x = x + torch.randn(x.shape, generator=gen) * u(0.0, 0.03).view(b, 1, 1, 1)
    x = x.clamp(0, 1)
    mean_t = torch.tensor(MEAN).view(1, 3, 1, 1)
    std_t = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean_t) / std_t


def hue_rotate(x: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    """Rotates hue by `angle` radians in YIQ space, per image."""
    to_yiq = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
    from_yiq = torch.linalg.inv(to_yiq)
    c, s = torch.cos(angle), torch.sin(angle)
    one, zero = torch.ones_like(c), torch.zeros_like(c)
    rot = torch.stack(
        [torch.stack([one, zero, zero], 1), torch.stack([zero, c, -s], 1), torch.stack([zero, s, c], 1)], 1
    )
    m = from_yiq @ rot @ to_yiq  # [B, 3, 3]
    return torch.einsum("bij,bjhw->bihw", m, x)


# ------------------------------------------------------------------------------------ features


def dct_basis(n: int, k: int) -> torch.Tensor:
    """[k, n]: 2 cos(pi f (2i + 1) / 2n), scipy's unnormalised type-II DCT."""
    f = torch.arange(k, dtype=torch.float64).unsqueeze(1)
    i = torch.arange(n, dtype=torch.float64).unsqueeze(0)
    return 2 * torch.cos(np.pi * f * (2 * i + 1) / (2 * n))


def dct_features(tokens: torch.Tensor, k: int = DCT_K) -> torch.Tensor:
    """Top-left k x k of the 2-D DCT-II of each [T, D] token matrix, row-major: [B, k*k]."""
    _, t, d = tokens.shape
    out = dct_basis(t, k) @ tokens.double() @ dct_basis(d, k).T
    return out.reshape(tokens.shape[0], k * k).float()


@torch.no_grad()
def embed(model: nn.Module, x: torch.Tensor, batch: int = 64) -> torch.Tensor:
    model.eval()
    return torch.cat([model(x[i : i + batch]) for i in range(0, len(x), batch)])


# ------------------------------------------------------------------------------------- probing


def split_80_20(labels: np.ndarray, seed: int = 0):
    rng = np.random.RandomState(seed)
    train, val = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_val = int(round(0.2 * len(idx)))
        val.extend(idx[:n_val])
        train.extend(idx[n_val:])
    return np.array(sorted(train)), np.array(sorted(val))


def probe(feats: torch.Tensor, labels: torch.Tensor, classes: int, lr=0.05, epochs=40, batch=32, seed=0):
    """A linear softmax classifier like the Java trainer's: Adam, shuffled mini-batches, raw features."""
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    lin = nn.Linear(feats.shape[1], classes)
    opt = torch.optim.Adam(lin.parameters(), lr=lr)
    for _ in range(epochs):
        order = torch.randperm(len(feats), generator=g)
        for i in range(0, len(order), batch):
            j = order[i : i + batch]
            loss = F.cross_entropy(lin(feats[j]), labels[j])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return lin


def accuracy(lin: nn.Module, feats: torch.Tensor, labels: torch.Tensor) -> float:
    with torch.no_grad():
        return (lin(feats).argmax(1) == labels).float().mean().item()


def plot_scores(predict, plots, species):
    """(tile accuracy, mean grid-argmax F1, mean F1 of predicting every species)."""
    hits = tiles = 0
    f1s, all_f1s = [], []
    for _, x, truth in plots:
        with torch.no_grad():
            top = [species[i] for i in predict(x).argmax(1).tolist()]
        hits += sum(t in truth for t in top)
        tiles += len(top)
        f1s.append(f1(set(top), truth))
        all_f1s.append(f1(set(species), truth))
    return hits / tiles, float(np.mean(f1s)), float(np.mean(all_f1s))


def f1(pred: set, truth: set) -> float:
    tp = len(pred & truth)
    if tp == 0:
        return 0.0
    p, r = tp / len(pred), tp / len(truth)
    return 2 * p * r / (p + r)


# ------------------------------------------------------------------------------------ training


class Classifier(nn.Module):
    """Backbone returning the CLS token, then a linear head: logits."""

    def __init__(self, backbone: nn.Module, classes: int):
        super().__init__()
        self.backbone = backbone
        self.head = nn.Linear(backbone.norm.normalized_shape[0], classes)

    def forward(self, x):
        return self.head(self.backbone(x))


def pretrain(crops: np.ndarray, labels: np.ndarray, classes: int, args) -> DinoV2Reg:
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    backbone = DinoV2Reg(cls_only=True, **ARCH)
    model = Classifier(backbone, classes)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "token" not in n and "pos" not in n]
    rest = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "token" not in n and "pos" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": rest, "weight_decay": 0.0}], lr=args.lr)
    data = torch.from_numpy(crops)
    y = torch.from_numpy(labels)
    steps_per_epoch = len(data) // args.batch
    total = steps_per_epoch * args.epochs
    warmup = max(1, total // 20)
    step = 0
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(data), generator=gen)
        seen = correct = 0
        loss_sum = 0.0
        for i in range(steps_per_epoch):
            j = order[i * args.batch : (i + 1) * args.batch]
            x = augment(data[j], gen)
            lr = args.lr * min(1.0, (step + 1) / warmup) * 0.5 * (1 + np.cos(np.pi * step / total))
            for group in opt.param_groups:
                group["lr"] = lr
            logits = model(x)
            loss = F.cross_entropy(logits, y[j], label_smoothing=0.1)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            seen += len(j)
            correct += (logits.argmax(1) == y[j]).sum().item()
            loss_sum += loss.item() * len(j)
        print(
            f"epoch {epoch + 1:2d}/{args.epochs} loss {loss_sum / seen:.3f} train-aug acc {correct / seen:.3f}"
            f" lr {lr:.2e} {time.time() - start:5.0f} s",
            flush=True,
        )
    return backbone


def tokens_model(backbone: DinoV2Reg) -> DinoV2Reg:
    model = DinoV2Reg(cls_only=False, **ARCH)
    model.load_state_dict(backbone.state_dict())
    return model.eval()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="/tmp/plantclef-demo-model-data", help="synthetic datasets (made if missing)")
    parser.add_argument("--seeds", type=int, default=20, help="pre-training seeds 1..N (never 42)")
    parser.add_argument("--images-per-species", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--no-export", action="store_true", help="do not write the model files")
    args = parser.parse_args()
    torch.set_num_threads(2)
    t0 = time.time()

    seeds = [s for s in range(1, args.seeds + 1 + (1 if args.seeds >= DEMO_SEED else 0)) if s != DEMO_SEED]
    crops, labels, offset = [], [], 0
    for s in seeds:
        d = synth(args.data, f"pre{s}", "--seed", str(s), "--images-per-species", str(args.images_per_species), "--plots", "0")
        c, l, species = load_train(d)
        crops.append(c)
        labels.append(l + offset)
        offset += len(species)
    crops, labels = np.concatenate(crops), np.concatenate(labels)
    demo = synth(args.data, "demo42")  # the demo's defaults: seed 42, 8 species, 30 photos, 12 plots
    demo_crops, demo_labels, demo_species = load_train(demo)
    plots = load_plots(demo)
    print(f"pre-training on {len(crops)} photos of {offset} classes ({len(seeds)} seeds); loaded in {time.time() - t0:.0f} s", flush=True)

    backbone = pretrain(crops, labels, offset, args)
    model = tokens_model(backbone)

    # Held-out evaluation on the demo's dataset, preprocessed like the Java pipeline.
    x = eval_tensor([Image.fromarray(c) for c in demo_crops])
    y = torch.from_numpy(demo_labels)
    tokens = embed(model, x)
    feats = {"cls": tokens[:, 0], "dct": dct_features(tokens)}
    tr, va = split_80_20(demo_labels)
    classes = len(demo_species)
    probes = {}
    for name, f in feats.items():
        lin = probe(f[tr], y[tr], classes)
        probes[name] = lin
        print(f"probe {name}: train acc {accuracy(lin, f[tr], y[tr]):.3f} val acc {accuracy(lin, f[va], y[va]):.3f}")
    for name, lin in probes.items():
        if name == "cls":
            predict = lambda t, lin=lin: lin(embed(model, t)[:, 0])
        else:
            predict = lambda t, lin=lin: lin(dct_features(embed(model, t)))
        acc, f1_grid, f1_all = plot_scores(predict, plots, demo_species)
        print(f"plots {name}: tile acc {acc:.3f} grid-argmax F1 {f1_grid:.3f} (all-species / full-image top-20 F1 {f1_all:.3f})")

    # The "fine-tuned" head: the frozen backbone's CLS, a linear head on all 240 demo photos and
    # augmented views of them, so that it also holds on tiles.
    gen = torch.Generator().manual_seed(2)
    views = [x] + [augment(torch.from_numpy(demo_crops), gen) for _ in range(8)]
    head_x = torch.cat([embed(model, v)[:, 0] for v in views])
    head_y = y.repeat(len(views))
    head = probe(head_x, head_y, classes, lr=0.01, epochs=30, batch=64, seed=3)
    head_model = Classifier(backbone, classes)
    head_model.head.load_state_dict(head.state_dict())
    head_model.eval()
    print(f"head: train-image acc {accuracy(head, feats['cls'], y):.3f}")
    # The head's own validation: the same recipe on the 80 % split only, scored on the rest.
    tr_views = torch.cat([embed(model, v[tr])[:, 0] for v in views])
    check = probe(tr_views, y[tr].repeat(len(views)), classes, lr=0.01, epochs=30, batch=64, seed=3)
    print(f"head recipe on the 80/20 split: val acc {accuracy(check, feats['cls'][va], y[va]):.3f}")
    acc, f1_grid, f1_all = plot_scores(head_model, plots, demo_species)
    print(f"plots head: tile acc {acc:.3f} grid-argmax F1 {f1_grid:.3f} (all-species F1 {f1_all:.3f})")

    if not args.no_export:
        os.makedirs(OUT, exist_ok=True)
        scripted = torch.jit.script(model)
        scripted.save(os.path.join(OUT, "demo-dinov2.pt"))
        scripted_head = torch.jit.script(head_model)
        scripted_head.save(os.path.join(OUT, "demo-dinov2-head.pt"))
        with open(os.path.join(OUT, "class_mapping.txt"), "w") as f:
            f.write("".join(s + "\n" for s in demo_species))
        # The saved files give what the eager models give.
        with torch.no_grad():
            loaded = torch.jit.load(os.path.join(OUT, "demo-dinov2.pt"))
            assert torch.allclose(loaded(x[:4]), model(x[:4]), atol=1e-5)
            assert loaded(torch.zeros(1, 3, 70, 98)).shape == (1, 5 + 35, ARCH["dim"])
            loaded_head = torch.jit.load(os.path.join(OUT, "demo-dinov2-head.pt"))
            assert torch.allclose(loaded_head(x[:4]), head_model(x[:4]), atol=1e-5)
        for name in ("demo-dinov2.pt", "demo-dinov2-head.pt", "class_mapping.txt"):
            print(f"wrote {os.path.join(OUT, name)} ({os.path.getsize(os.path.join(OUT, name))} bytes)")
    print(f"done in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
