#!/usr/bin/env python3
"""Golden numbers from pycocotools for the committed fixtures (run once, commit the output).

Writes
  test/fixtures/eval/golden.json       COCOeval stats (bbox and segm) and per-category AP per fixture
  test/fixtures/rasterize/golden.json  frPyObjects + merge compressed RLE, area and toBbox per polygon case
  test/fixtures/holes/golden.json      per instance with holes: each ring rasterised by frPyObjects, the
                                       masks combined by the hole rule in numpy (compressed RLE, area),
                                       and what pycocotools' COCO reads from our export.json (annToRLE,
                                       area, toBbox)

pycocotools is imported from PYCOCOTOOLS_DIR (the PythonAPI folder of a cocoapi checkout built with
`python3 setup.py build_ext --inplace`); it is never installed into or copied into this repository.
The commit it was built from is recorded: PYCOCOTOOLS_COMMIT, or `git rev-parse HEAD` in that folder.

  PYCOCOTOOLS_DIR=/tmp/cocoapi/PythonAPI PYCOCOTOOLS_COMMIT=<sha> python3 scripts/coco_golden.py
"""

import contextlib
import hashlib
import io
import json
import os
import platform
import subprocess
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), 'test', 'fixtures')
EVAL_DIR = os.path.join(FIXTURES, 'eval')
RASTER_DIR = os.path.join(FIXTURES, 'rasterize')
HOLES_DIR = os.path.join(FIXTURES, 'holes')
EVAL_FIXTURES = ['mixed', 'maxdets', 'segm-only', 'boxes']


def import_pycocotools():
    folder = os.environ.get('PYCOCOTOOLS_DIR')
    if not folder or not os.path.isdir(os.path.join(folder, 'pycocotools')):
        sys.exit('PYCOCOTOOLS_DIR must name the built PythonAPI folder of a cocoapi checkout (it holds pycocotools/)')
    sys.path.insert(0, folder)
    try:
        import matplotlib  # noqa: F401  (pycocotools.coco imports it for plotting only)
    except ImportError:
        # Stand-ins so COCO() imports without matplotlib; showAnns, the only user, is never called.
        for name, attrs in [('matplotlib', {}), ('matplotlib.pyplot', {}),
                            ('matplotlib.collections', {'PatchCollection': None}),
                            ('matplotlib.patches', {'Polygon': None})]:
            module = types.ModuleType(name)
            module.__dict__.update(attrs)
            sys.modules[name] = module
    from pycocotools import mask
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    return folder, mask, COCO, COCOeval


def commit_of(folder):
    sha = os.environ.get('PYCOCOTOOLS_COMMIT')
    if sha:
        return sha
    try:
        return subprocess.check_output(['git', '-C', folder, 'rev-parse', 'HEAD'], text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        sys.exit('cannot tell which cocoapi commit PYCOCOTOOLS_DIR holds: set PYCOCOTOOLS_COMMIT')


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def evaluate(COCO, COCOeval, gt_path, dt_path, iou_type):
    # Fresh objects per iouType: segm evaluation rewrites ground-truth segmentations in place.
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(gt_path)
        dt = gt.loadRes(dt_path)
        E = COCOeval(gt, dt, iou_type)
        E.evaluate()
        E.accumulate()
        E.summarize()
    precision = E.eval['precision']  # [T, R, K, A, M]
    per_category = {}
    for k, cat_id in enumerate(E.params.catIds):
        p = precision[:, :, k, 0, -1]
        p = p[p > -1]
        per_category[str(cat_id)] = float(p.mean()) if p.size else -1.0
    return {'stats': [float(x) for x in E.stats], 'perCategoryAp': per_category}


def eval_golden(COCO, COCOeval):
    out = {}
    for name in EVAL_FIXTURES:
        gt_path = os.path.join(EVAL_DIR, name + '.gt.json')
        dt_path = os.path.join(EVAL_DIR, name + '.dt.json')
        out[name] = {
            'sha256': {'gt': sha256(gt_path), 'dt': sha256(dt_path)},
            'bbox': evaluate(COCO, COCOeval, gt_path, dt_path, 'bbox'),
            'segm': evaluate(COCO, COCOeval, gt_path, dt_path, 'segm'),
        }
    return out


def raster_golden(mask):
    path = os.path.join(RASTER_DIR, 'polygons.json')
    with open(path) as f:
        cases = json.load(f)
    out = []
    for case in cases:
        h, w, seg = case['height'], case['width'], case['segmentation']
        record = {'name': case['name']}
        if len(seg[0]) == 4:
            # frPyObjects reads a 4-number first ring as boxes but hands the list to frBbox, which
            # only takes an array (TypeError at this commit); pass the array it means.
            import numpy
            seg = numpy.array(seg, dtype=numpy.double)
            record['note'] = 'list with a 4-number first ring raises TypeError in frPyObjects; golden made via frBbox on the array'
        rle = mask.merge(mask.frPyObjects(seg, h, w))  # what COCO.annToRLE does for polygons
        record.update({'counts': rle['counts'].decode('ascii'), 'area': int(mask.area(rle)),
                       'bbox': [float(v) for v in mask.toBbox(rle)]})
        out.append(record)
    return sha256(path), out


def holes_golden(mask, COCO):
    import numpy
    instances_path = os.path.join(HOLES_DIR, 'instances.json')
    export_path = os.path.join(HOLES_DIR, 'export.json')
    with open(instances_path) as f:
        cases = json.load(f)
    with contextlib.redirect_stdout(io.StringIO()):
        exported = COCO(export_path)
    anns = exported.loadAnns(exported.getAnnIds())
    if len(anns) != len(cases):
        sys.exit('export.json has %d annotations for %d cases' % (len(anns), len(cases)))
    out = []
    for case, ann in zip(cases, anns):
        h, w, rings, parent = case['height'], case['width'], case['rings'], case['parent']
        # Each ring alone, as frPyObjects rasterises it; then the rule: a filled (even-depth) ring
        # minus its own holes, united over the filled rings.
        ring_masks = [mask.decode(mask.frPyObjects([r], h, w))[:, :, 0].astype(bool) for r in rings]
        depth = []
        for i in range(len(rings)):
            d, p = 0, parent[i]
            while p >= 0:
                d, p = d + 1, parent[p]
            depth.append(d)
        combined = numpy.zeros((h, w), dtype=bool)
        for i, m in enumerate(ring_masks):
            if depth[i] % 2 == 0:
                holes = [ring_masks[k] for k in range(len(rings)) if parent[k] == i]
                combined |= m & ~numpy.any(holes, axis=0) if holes else m
        rle = mask.encode(numpy.asfortranarray(combined.astype(numpy.uint8)))
        read = exported.annToRLE(ann)  # what COCOeval compares for this annotation
        out.append({'name': case['name'], 'counts': rle['counts'].decode('ascii'), 'area': int(mask.area(rle)),
                    'exported': {'counts': read['counts'] if isinstance(read['counts'], str) else read['counts'].decode('ascii'),
                                 'area': int(mask.area(read)), 'bbox': [float(v) for v in mask.toBbox(read)],
                                 'annArea': ann['area'], 'iscrowd': ann['iscrowd']}})
    return sha256(instances_path), sha256(export_path), out


def write(path, header, key, items):
    """Header fields indented, then one record per line, so the goldens diff readably."""
    lines = ['{']
    for k, v in header.items():
        lines.append('  %s: %s,' % (json.dumps(k), json.dumps(v)))
    if isinstance(items, dict):
        body = ',\n'.join('    %s: %s' % (json.dumps(k), json.dumps(v)) for k, v in items.items())
        lines.append('  %s: {\n%s\n  }' % (json.dumps(key), body))
    else:
        body = ',\n'.join('    ' + json.dumps(v) for v in items)
        lines.append('  %s: [\n%s\n  ]' % (json.dumps(key), body))
    lines.append('}')
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def main():
    folder, mask, COCO, COCOeval = import_pycocotools()
    import numpy
    source = {
        'repository': 'https://github.com/cocodataset/cocoapi',
        'commit': commit_of(folder),
        'python': platform.python_version(),
        'numpy': numpy.__version__,
        'script': 'packages/coco/scripts/coco_golden.py',
    }
    write(os.path.join(EVAL_DIR, 'golden.json'), {'pycocotools': source}, 'fixtures', eval_golden(COCO, COCOeval))
    polygons_sha, cases = raster_golden(mask)
    write(os.path.join(RASTER_DIR, 'golden.json'), {'pycocotools': source, 'polygonsSha256': polygons_sha}, 'cases', cases)
    instances_sha, export_sha, holes = holes_golden(mask, COCO)
    write(os.path.join(HOLES_DIR, 'golden.json'), {'pycocotools': source, 'instancesSha256': instances_sha, 'exportSha256': export_sha}, 'cases', holes)
    print('wrote', os.path.join(EVAL_DIR, 'golden.json'), os.path.join(RASTER_DIR, 'golden.json'), 'and', os.path.join(HOLES_DIR, 'golden.json'))


if __name__ == '__main__':
    main()
