'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import { decodeRle } from '@segmenta/coco';
import type { ReviewImageDetailDto } from '@segmenta/contracts';

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
 * "class score" labels of the predictions, and ground-truth outlines (dashed) on top.
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
      ctx.lineWidth = 2;
      for (const a of detail.groundTruth) {
        // Accepted predictions are not ground truth yet: dotted until an annotator edits them.
        ctx.setLineDash(a.source === 'model' ? [1, 3] : [4, 3]);
        ctx.strokeStyle = colors.get(a.classId) ?? '#ffffff';
        for (const ring of a.polygons) {
          ctx.beginPath();
          for (let k = 0; k < ring.length; k += 2) ctx[k ? 'lineTo' : 'moveTo'](ring[k]! * scale, ring[k + 1]! * scale);
          ctx.closePath();
          ctx.stroke();
        }
      }
      ctx.setLineDash([]);
    }
  }, [image, maskLayer, predictions, showPredictions, showGroundTruth, detail, colors, width, height, scale]);

  return (
    <div className="relative">
      <canvas ref={ref} width={width} height={height} role="img" aria-label={label} className="block rounded bg-slate-200" data-drawn={image ? 'true' : 'false'} />
      {failed && <p className="absolute inset-0 grid place-items-center text-xs text-red-700">Image failed to load</p>}
    </div>
  );
}
