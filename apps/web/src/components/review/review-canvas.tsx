'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import { decodeRle, ringNesting } from '@segmenta/coco';
import type { ReviewImageDetailDto } from '@segmenta/contracts';
import { fillRegion, regionPaths } from '@/lib/region-fill';

export type ReviewPredictionView = ReviewImageDetailDto['predictions'][number];

/** #rrggbb → [r, g, b]; anything unreadable is drawn magenta so it stands out. */
function rgb(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  return m ? [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)] : [255, 0, 255];
}

const loaded = new Map<string, Promise<HTMLImageElement>>();
/** The web-sized copy, loaded once per page whatever number of canvases draw it. */
function loadImage(imageId: string): Promise<HTMLImageElement> {
  let p = loaded.get(imageId);
  if (!p) {
    p = new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error(`image ${imageId} did not load`));
      img.src = `/api/images/${imageId}/file?variant=web`;
    });
    loaded.set(imageId, p);
  }
  return p;
}

interface Props {
  detail: ReviewImageDetailDto;
  /** Predictions to draw (already filtered by threshold and class). */
  predictions: ReviewPredictionView[];
  showPredictions: boolean;
  showGroundTruth: boolean;
  colors: Map<string, string>;
  width: number;
  label: string;
}

/**
 * The image with masks (one tinted layer at the image's own resolution, scaled once), boxes and
 * "class score" labels of the predictions, and ground truth on top: a faint fill by the hole rule
 * and dashed outlines.
 */
export function ReviewCanvas({ detail, predictions, showPredictions, showGroundTruth, colors, width, label }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  const [failed, setFailed] = useState(false);
  const scale = width / detail.width;
  const height = Math.round(detail.height * scale);

  useEffect(() => {
    let live = true;
    loadImage(detail.imageId).then((img) => live && setImage(img), () => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [detail.imageId]);

  // Decoding masks is the expensive part; redo it only when the shown set changes.
  const maskLayer = useMemo(() => {
    if (!showPredictions || predictions.length === 0 || typeof document === 'undefined') return null;
    const { width: w, height: h } = detail;
    const data = new ImageData(w, h);
    for (const p of predictions) {
      if (p.maskRle.size[0] !== h || p.maskRle.size[1] !== w) continue;
      const mask = decodeRle(p.maskRle);
      const [r, g, b] = rgb(colors.get(p.classId ?? '') ?? '#ff00ff');
      for (let i = 0; i < mask.length; i++) {
        if (!mask[i]) continue;
        data.data[4 * i] = r;
        data.data[4 * i + 1] = g;
        data.data[4 * i + 2] = b;
        data.data[4 * i + 3] = 115;
      }
    }
    const layer = document.createElement('canvas');
    layer.width = w;
    layer.height = h;
    layer.getContext('2d')!.putImageData(data, 0, 0);
    return layer;
  }, [detail, predictions, showPredictions, colors]);

  const groundTruthPaths = useMemo(
    () => (typeof Path2D === 'undefined' ? [] : detail.groundTruth.map((a) => [a, regionPaths(a.polygons, ringNesting(a.polygons))] as const)),
    [detail],
  );

  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, width, height);
    if (image) ctx.drawImage(image, 0, 0, width, height);
    if (maskLayer) ctx.drawImage(maskLayer, 0, 0, width, height);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    if (showPredictions) {
      for (const p of predictions) {
        const color = colors.get(p.classId ?? '') ?? '#ff00ff';
        const [x, y, w, h] = p.bbox.map((v) => v * scale) as [number, number, number, number];
        ctx.strokeStyle = color;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([]);
        ctx.strokeRect(x, y, w, h);
        const text = `${p.className ?? `class ${p.classIndex}`} ${p.score.toFixed(2)}`;
        const tw = ctx.measureText(text).width + 4;
        const ty = y >= 14 ? y - 14 : y;
        ctx.fillStyle = color;
        ctx.fillRect(x, ty, tw, 14);
        ctx.fillStyle = '#ffffff';
        ctx.fillText(text, x + 2, ty + 1);
      }
    }
    if (showGroundTruth) {
      // Image pixels through a scale transform, so holes are cut as the server cuts them.
      ctx.setTransform(scale, 0, 0, scale, 0, 0);
      ctx.lineWidth = 2 / scale;
      for (const [a, paths] of groundTruthPaths) {
        const color = colors.get(a.classId) ?? '#ffffff';
        // A faint fill shows the region by the hole rule; the outlines show every ring.
        fillRegion(ctx, paths, color, 0.18);
        // Accepted predictions are not ground truth yet: dotted until an annotator edits them.
        ctx.setLineDash((a.source === 'model' ? [1, 3] : [4, 3]).map((v) => v / scale));
        ctx.strokeStyle = color;
        ctx.stroke(paths.all);
      }
      ctx.setLineDash([]);
      ctx.setTransform(1, 0, 0, 1, 0, 0);
    }
  }, [image, maskLayer, predictions, showPredictions, showGroundTruth, detail, colors, width, height, scale, groundTruthPaths]);

  return (
    <div className="relative">
      <canvas ref={ref} width={width} height={height} role="img" aria-label={label} className="block rounded bg-slate-200" data-drawn={image ? 'true' : 'false'} />
      {failed && <p className="absolute inset-0 grid place-items-center text-xs text-red-700">Image failed to load</p>}
    </div>
  );
}
