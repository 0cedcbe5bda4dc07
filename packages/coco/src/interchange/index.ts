export { baseFileName, matchFileName } from './filename';
export { LabelStudioFormatError, labelStudioToCoco, type LabelStudioOptions } from './labelstudio';
export {
  planCocoImport,
  type CocoImportPlan,
  type PlanCocoImportInput,
  type PlannedAnnotation,
  type PlannedImage,
  type ProjectClassRef,
  type ProjectImageRef,
} from './plan-import';
export type { PlannedGeometry } from './plan-geometry';
export { buildCocoExport, type CocoExportInput, type ExportAnnotation, type ExportClass, type ExportImage } from './export';
