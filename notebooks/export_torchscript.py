#!/usr/bin/env python3
"""Exports the PlantCLEF 2024 DINOv2 checkpoint to TorchScript for `plantclef embed`.

The PlantCLEF 2024 organisers' model is timm's `vit_base_patch14_reg4_dinov2.lvd142m` fine-tuned
on the 7806 PlantCLEF species (518x518 input, bicubic, ImageNet mean/std). This script loads it
with timm and writes, into OUT_DIR:

  dinov2-plantclef.pt   input float [B, 3, 518, 518] -> forward_features tokens [B, 1 + 4 + 1369, 768]
                        (CLS first, then the 4 registers, then the 37x37 patches)
  dinov2-plantclef-logits.pt   the same input -> the 7806-class head logits [B, 7806]
  class_mapping.txt     one species id per line, in logit order (copied from --class-mapping)

Usage (on a machine with Python, torch and timm; not needed by the Java build or its tests):

    pip install torch timm
    # weights from the PlantCLEF 2024 release (model_best.pth.tar) and its class_mapping.txt:
    python3 notebooks/export_torchscript.py --checkpoint model_best.pth.tar \\
        --class-mapping class_mapping.txt --out models/
    # or straight from the Hugging Face hub (downloads; run it where that is allowed):
    python3 notebooks/export_torchscript.py --hub PlantNet/vit_base_patch14_reg4_dinov2_lvd142m.pc24_all \\
        --class-mapping class_mapping.txt --out models/

    bin/plantclef embed --model models/dinov2-plantclef.pt --image-size 518 ...

The models are traced at 518x518: timm's ViT (without dynamic_img_size) takes that size only, so
keep `--image-size 518`. `--bf16` runs the model in bfloat16 inside the TorchScript file (about
1.7x faster on CPUs with AVX-512 BF16) and returns float32, since DJL 0.36 cannot convert bf16
tensors itself. The check at the end compares the traced model with the eager one.
"""
import argparse
import os
import shutil

import torch
import torch.nn as nn

MODEL = "vit_base_patch14_reg4_dinov2.lvd142m"
NUM_CLASSES = 7806
SIZE = 518


class Export(nn.Module):
    """The model's token matrix (forward_features) or its head logits, float32 out."""

    def __init__(self, model: nn.Module, bf16: bool, logits: bool):
        super().__init__()
        self.model = model
        self.bf16 = bf16
        self.logits = logits

    def forward(self, x):
        if self.bf16:
            x = x.to(torch.bfloat16)
        out = self.model(x) if self.logits else self.model.forward_features(x)
        return out.float()


def load(args) -> nn.Module:
    import timm  # imported here so that --help works without timm

    if args.hub:
        model = timm.create_model("hf-hub:" + args.hub, pretrained=True)
    else:
        model = timm.create_model(
            MODEL, pretrained=False, num_classes=NUM_CLASSES, checkpoint_path=args.checkpoint
        )
        model.eval()
    cfg = model.pretrained_cfg
    print("loaded", MODEL, "input", cfg.get("input_size"), "interpolation", cfg.get("interpolation"))
    # plantclef embed preprocesses as this config says: check it rather than assume it.
    expected = {
        "input_size": (3, SIZE, SIZE),
        "interpolation": "bicubic",
        "crop_pct": 1.0,
        "mean": (0.485, 0.456, 0.406),
        "std": (0.229, 0.224, 0.225),
    }
    for key, value in expected.items():
        actual = cfg.get(key)
        if isinstance(value, tuple):
            ok = actual is not None and tuple(round(v, 3) for v in actual) == value
        else:
            ok = actual == value
        if not ok:
            raise SystemExit(f"pretrained_cfg {key} is {actual}, plantclef embed assumes {value}")
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", help="model_best.pth.tar of the PlantCLEF 2024 release")
    source.add_argument("--hub", help="Hugging Face repo id of the same weights")
    parser.add_argument(
        "--class-mapping", required=True, help="class_mapping.txt (species ids in logit order)"
    )
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--bf16", action="store_true", help="run in bfloat16 inside the model")
    args = parser.parse_args()

    os.makedirs(args.out, exist_ok=True)
    model = load(args)
    if args.bf16:
        model = model.to(torch.bfloat16)
    example = torch.randn(2, 3, SIZE, SIZE)
    with torch.no_grad():
        for name, wrapper in (
                        ("dinov2-plantclef.pt", Export(model, args.bf16, logits=False)),
            ("dinov2-plantclef-logits.pt", Export(model, args.bf16, logits=True)),
        ):
            traced = torch.jit.trace(wrapper.eval(), example)
            path = os.path.join(args.out, name)
            traced.save(path)
            check = torch.jit.load(path)
            diff = (check(example) - wrapper(example)).abs().max().item()
            print(f"wrote {path}: output {tuple(check(example).shape)}, max |traced - eager| = {diff:.2e}")
    shutil.copy(args.class_mapping, os.path.join(args.out, "class_mapping.txt"))
    with open(args.class_mapping) as f:
        classes = sum(1 for line in f if line.strip())
    if classes != NUM_CLASSES:
        raise SystemExit(f"{args.class_mapping} lists {classes} classes, the head has {NUM_CLASSES}")
    print("copied", args.class_mapping)


if __name__ == "__main__":
    main()
