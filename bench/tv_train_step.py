"""torchvision's side of bench/train-step.ts: one Mask R-CNN training step on CPU.

The fine-tuning configuration of the `torchvision` preset without downloading weights: ResNet-50 with
FrozenBatchNorm2d, 3 trainable backbone layers, FPN, maskrcnn v1 heads for 11 classes, images resized to
--size on both sides, Adam lr 1e-4, batch 1, the same image every step. Prints one JSON line.

Run with Debian's interpreter: /usr/bin/python3 bench/tv_train_step.py [--size 512] [--steps 4] [--instances 4] [--threads 2]
"""
import argparse
import json
import statistics
import time

import numpy as np
import torch
from torchvision.models import resnet50
from torchvision.models.detection import MaskRCNN
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.ops.misc import FrozenBatchNorm2d


def sample(size, instances, seed):
    """A textured image with `instances` filled ellipses, their boxes, labels and masks."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    img = np.stack([x / size, y / size, 0.5 + 0.5 * np.sin((x + y) / 23.0)], axis=0)
    boxes, masks = [], []
    for _ in range(instances):
        cy, cx = rng.uniform(0.2, 0.8, 2) * size
        ry, rx = rng.uniform(0.05, 0.18, 2) * size
        m = ((y - cy) / ry) ** 2 + ((x - cx) / rx) ** 2 <= 1
        img[:, m] = rng.uniform(0, 1, (3, 1))
        ys, xs = np.nonzero(m)
        boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
        masks.append(m.astype(np.uint8))
    target = {
        "boxes": torch.tensor(boxes, dtype=torch.float32),
        "labels": torch.tensor(rng.integers(1, 11, instances), dtype=torch.int64),
        "masks": torch.from_numpy(np.stack(masks)),
    }
    return torch.from_numpy(img), target


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--instances", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    backbone = _resnet_fpn_extractor(resnet50(weights=None, norm_layer=FrozenBatchNorm2d), 3)
    model = MaskRCNN(backbone, num_classes=11, min_size=args.size, max_size=args.size).train()
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    img, target = sample(args.size, args.instances, 41)
    times, losses = [], []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        loss = sum(model([img], [target]).values())
        opt.zero_grad()
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t0)
        losses.append(float(loss))
    print(json.dumps({"who": f"torchvision {__import__('torchvision').__version__} (torch {torch.__version__})", "threads": torch.get_num_threads(),
                      "stepSeconds": times, "medianSeconds": statistics.median(times[1:]), "loss0": losses[0], "lossLast": losses[-1]}))


if __name__ == "__main__":
    main()
