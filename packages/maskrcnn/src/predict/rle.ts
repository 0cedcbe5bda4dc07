// COCO compressed RLE comes from @segmenta/coco (pycocotools-compatible, column-major runs).
export { encodeMask, decodeRle, type Rle } from '@segmenta/coco';
