"""pycocotools' side of bench/coco-eval.ts: COCOeval on the same generated files, timed in phases.

PYCOCOTOOLS_DIR=/tmp/cocoapi/PythonAPI /usr/bin/python3 bench/pycocotools_eval.py --gt GT.json --dt DT.json [--iou segm]
Prints one JSON line: {"load_s", "evaluate_s", "accumulate_s", "summarize_s", "stats"}.
pycocotools is imported from PYCOCOTOOLS_DIR (a cocoapi PythonAPI folder built in place); see bench/README.md.
"""
import argparse
import contextlib
import io
import json
import os
import sys
import time


# The same import (and matplotlib stand-ins) as the golden-number script; one copy of it.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'packages', 'coco', 'scripts'))
from coco_golden import import_pycocotools  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--gt', required=True)
    parser.add_argument('--dt', required=True)
    parser.add_argument('--iou', default='segm', choices=['segm', 'bbox'])
    args = parser.parse_args()
    _, _, COCO, COCOeval = import_pycocotools()
    times = {}
    with contextlib.redirect_stdout(io.StringIO()):
        t = time.perf_counter()
        gt = COCO(args.gt)
        dt = gt.loadRes(args.dt)
        times['load_s'] = time.perf_counter() - t
        E = COCOeval(gt, dt, args.iou)
        for phase in ['evaluate', 'accumulate', 'summarize']:
            t = time.perf_counter()
            getattr(E, phase)()
            times[phase + '_s'] = time.perf_counter() - t
    print(json.dumps({**times, 'stats': [float(x) for x in E.stats]}))


if __name__ == '__main__':
    main()
