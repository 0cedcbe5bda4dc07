// A predicted mask → the polygons an annotator edits. Shared by the server (accepting stored
// predictions) and the browser (pre-annotating with a model run in the page), so both outline a
// mask identically.

import { maskToPolygons } from './contours';
import { ringArea, type Ring } from './geometry';
import { editableRingProblem } from './polygon-checks';
import { decodeRle, type Rle } from './rle';

/** Parts smaller than this share of the largest part are specks of a thresholded mask, not object. */
const MIN_PART_SHARE = 0.05;
const MIN_PART_PIXELS = 4;
const MAX_PARTS = 10;

/**
 * Editable polygons of a predicted mask: outer outlines of its components, simplified by
 * `tolerance` pixels, largest first; specks and degenerate rings are dropped, holes filled (COCO
 * polygons cannot express them). Empty when nothing is big enough to outline.
 */
export function predictionPolygons(rle: Rle, tolerance: number): Ring[] {
  const [h, w] = rle.size;
  const rings = maskToPolygons(decodeRle(rle), h, w, { tolerance, minPixels: MIN_PART_PIXELS }).filter((r) => editableRingProblem(r) === null);
  const largest = rings.length ? Math.max(...rings.map(ringArea)) : 0;
  return rings.filter((r) => ringArea(r) >= largest * MIN_PART_SHARE).slice(0, MAX_PARTS);
}
