"""Reference timings for bench/maskrcnn-inference.ts: torchvision maskrcnn_resnet50_fpn (v1, default
config) on CPU with 2 threads, per stage, at 512x512 and 800x1066 (HxW).

Writes, into --out (default /tmp/segmenta-bench):
  tv_random.pth      random torchvision-initialised weights (seeded); cls_score.bias[1] is raised so every
                     image yields the full 100 detections and the mask head + pasting are timed too
  image_512x512.png, image_800x1066.png   deterministic synthetic images
  tv_timings.json    median seconds per stage and size

Run with Debian's interpreter:  /usr/bin/python3 bench/tv_inference.py [--out DIR] [--reps N]
"""
import argparse
import json
import os
import platform
import statistics
import time

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision.models.detection import maskrcnn_resnet50_fpn

SIZES = [(512, 512), (800, 1066)]


def synthetic_image(h, w, seed):
    """Smooth colour gradients with a few filled discs and boxes, so features are not degenerate."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([x / w, y / h, 0.5 + 0.5 * np.sin((x + y) / 37.0)], axis=-1)
    for _ in range(6):
        cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(0.05, 0.2) * min(h, w)
        img[(y - cy) ** 2 + (x - cx) ** 2 < r * r] = rng.uniform(0, 1, 3)
    for _ in range(4):
        y0, x0 = int(rng.uniform(0, h * 0.8)), int(rng.uniform(0, w * 0.8))
        img[y0:y0 + int(h * 0.15), x0:x0 + int(w * 0.2)] = rng.uniform(0, 1, 3)
    return (img * 255).round().astype(np.uint8)


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def run_stages(model, img):
    """GeneralizedRCNN.forward in eval mode, split into its stages."""
    images = [img]
    original_sizes = [tuple(img.shape[-2:])]
    (batch, _), t_transform = timed(lambda: model.transform(images))
    features, t_backbone = timed(lambda: model.backbone(batch.tensors))
    (proposals, _), t_rpn = timed(lambda: model.rpn(batch, features))
    (dets, _), t_roi = timed(lambda: model.roi_heads(features, proposals, batch.image_sizes))
    dets, t_post = timed(lambda: model.transform.postprocess(dets, batch.image_sizes, original_sizes))
    return dets, {"transform": t_transform, "backbone+fpn": t_backbone, "rpn": t_rpn, "roi_heads": t_roi, "postprocess": t_post}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/segmenta-bench")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = maskrcnn_resnet50_fpn(weights=None, weights_backbone=None).eval()
    with torch.no_grad():
        model.roi_heads.box_predictor.cls_score.bias[1] += 6.0
    torch.save(model.state_dict(), os.path.join(args.out, "tv_random.pth"))

    results = {"torch": torch.__version__, "torchvision": torchvision.__version__, "threads": torch.get_num_threads(),
               "machine": f"{platform.machine()} {os.cpu_count()} cpus", "reps": args.reps, "sizes": {}}
    for h, w in SIZES:
        arr = synthetic_image(h, w, seed=h * 7 + w)
        name = f"image_{h}x{w}.png"
        Image.fromarray(arr).save(os.path.join(args.out, name))
        img = torch.from_numpy(np.asarray(Image.open(os.path.join(args.out, name)).convert("RGB"))).permute(2, 0, 1).float() / 255
        runs = []
        with torch.no_grad():
            run_stages(model, img)  # warm-up
            for _ in range(args.reps):
                t0 = time.perf_counter()
                dets, stages = run_stages(model, img)
                stages["total"] = time.perf_counter() - t0
                runs.append(stages)
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        results["sizes"][f"{h}x{w}"] = {"image": name, "detections": int(dets[0]["scores"].numel()), "median_s": med}
        print(f"{h}x{w}: {int(dets[0]['scores'].numel())} detections, " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in med.items()), flush=True)
    with open(os.path.join(args.out, "tv_timings.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
