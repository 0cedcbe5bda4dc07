// A predicted mask → the polygons an annotator edits. Shared by the server (accepting stored
// predictions) and the browser (pre-annotating with a model run in the page), so both outline a
// mask identically.

import { maskToRegions } from './contours';
import { ringArea, type Ring } from './geometry';
import { editableRingProblem } from './polygon-checks';
import { decodeRle, type Rle } from './rle';

/** Parts smaller than this share of the largest part are specks of a thresholded mask, not object. */
const MIN_PART_SHARE = 0.05;
/** Parts, and holes, of fewer pixels are speckle: dropped, or filled. */
const MIN_PART_PIXELS = 4;
const MAX_PARTS = 10;

/**
 * Editable polygons of a predicted mask under the hole rule: for each part, largest first, its
 * outline simplified by `tolerance` pixels and then its holes. Specks, speckle holes and degenerate
 * rings are dropped. Empty when nothing is big enough to outline.
 */
export function predictionPolygons(rle: Rle, tolerance: number): Ring[] {
  const [h, w] = rle.size;
  const usable = (r: Ring) => editableRingProblem(r) === null;
  const regions = maskToRegions(decodeRle(rle), h, w, { tolerance, minPixels: MIN_PART_PIXELS }).filter((r) => usable(r.outer));
  const largest = regions.length ? Math.max(...regions.map((r) => ringArea(r.outer))) : 0;
  return regions
    .filter((r) => ringArea(r.outer) >= largest * MIN_PART_SHARE)
    .slice(0, MAX_PARTS)
    .flatMap((r) => [r.outer, ...r.holes.filter(usable)]);
}
