"""torchvision's side of bench/try-latency.ts: the same `cpu-small` Mask R-CNN (BasicBlock body
[1,1,1,1] × [32,64,128,256], stem 32, FPN 96, anchors 16–256, 500 RPN proposals, 256-wide box head,
4×96 mask head, 11 classes) with the *same weights*, read from our checkpoint's weights.safetensors
(torchvision key names), timed per image the way the try-it API works: PNG bytes → decode → model →
masks binarised at 0.5. No HTTP and no RLE on this side.

/usr/bin/python3 bench/tv_try_latency.py --ckpt DIR --image PNG [--reps 20] [--threads 2] [--min-size 512] [--max-size 768]
Prints one JSON line: {"threads", "detections", "latency_ms": [...]}.
"""
import argparse
import io
import json
import struct
import time

import numpy as np
import torch
from PIL import Image
from torch import nn
from torchvision.models.detection import MaskRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.models.resnet import BasicBlock
from torchvision.ops.misc import FrozenBatchNorm2d


class SmallBody(nn.Module):
    """packages/maskrcnn/src/model/backbone-small.ts in torch: stem 7×7/2 + maxpool, one BasicBlock per stage."""

    def __init__(self, stem=32, channels=(32, 64, 128, 256)):
        super().__init__()
        self.conv1 = nn.Conv2d(3, stem, 7, 2, 3, bias=False)
        self.bn1 = FrozenBatchNorm2d(stem)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        in_c = stem
        for i, out_c in enumerate(channels):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or in_c != out_c:
                down = nn.Sequential(nn.Conv2d(in_c, out_c, 1, stride, bias=False), FrozenBatchNorm2d(out_c))
            setattr(self, f"layer{i + 1}", nn.Sequential(BasicBlock(in_c, out_c, stride, down, norm_layer=FrozenBatchNorm2d)))
            in_c = out_c


def cpu_small(min_size, max_size):
    body = SmallBody()
    backbone = BackboneWithFPN(body, {f"layer{i}": str(i - 1) for i in range(1, 5)}, [32, 64, 128, 256], 96)
    anchors = AnchorGenerator(((16,), (32,), (64,), (128,), (256,)), ((0.5, 1.0, 2.0),) * 5)
    return MaskRCNN(
        backbone, num_classes=None, min_size=min_size, max_size=max_size,
        rpn_anchor_generator=anchors, rpn_pre_nms_top_n_test=500, rpn_post_nms_top_n_test=500,
        box_head=TwoMLPHead(96 * 7 * 7, 256), box_predictor=FastRCNNPredictor(256, 11),
        mask_head=MaskRCNNHeads(96, (96, 96, 96, 96), 1), mask_predictor=MaskRCNNPredictor(96, 96, 11),
    )


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for key, meta in header.items():
        if key == "__metadata__":
            continue
        assert meta["dtype"] == "F32", (key, meta["dtype"])
        a, b = meta["data_offsets"]
        out[key] = torch.from_numpy(np.frombuffer(raw, dtype=np.float32, count=(b - a) // 4, offset=8 + n + a).reshape(meta["shape"]).copy())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--min-size", type=int, default=512)
    ap.add_argument("--max-size", type=int, default=768)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = cpu_small(args.min_size, args.max_size).eval()
    model.load_state_dict(read_safetensors(f"{args.ckpt}/weights.safetensors"), strict=True)
    with open(args.image, "rb") as f:
        png = f.read()

    def request():
        img = torch.from_numpy(np.array(Image.open(io.BytesIO(png)).convert("RGB"))).permute(2, 0, 1).float() / 255
        with torch.no_grad():
            det = model([img])[0]
        masks = det["masks"][:, 0] > 0.5
        return int(masks.shape[0])

    for _ in range(2):
        request()  # warm-up
    latencies, detections = [], 0
    for _ in range(args.reps):
        t = time.perf_counter()
        detections = request()
        latencies.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"threads": torch.get_num_threads(), "torch": torch.__version__, "detections": detections, "latency_ms": latencies}))


if __name__ == "__main__":
    main()
