// Training support for the tfjs backends (DESIGN.md §5): wasm kernels that training needs, fixes
// for wrong upstream gradient kernels, gradient registration that works under plain Node.
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS, CPU_KERNEL_FIXES, builtinKernels } from './register';
export { registerAllGradients } from './gradients';
export { registerMissingGradients, EXTRA_GRADIENTS } from './extra-gradients';
export { initWasmBackend, shutdownWasmBackend, type WasmInitOptions } from './wasm-threads';
export { conv2dBackpropInputWasm, type PhaseMode } from './conv-backprop-input';
export { conv2dBackpropFilterWasm } from './conv-backprop-filter';
export { convGeometry, type ConvGeometry } from './conv-geometry';
export {
  installWasmHeapGuard, setWasmHeapBudget, wasmHeapStats, resetWasmHeapPeak, WasmHeapLimitError,
  WASM_HEAP_MAX_BYTES, DEFAULT_WASM_HEAP_BUDGET_BYTES, type WasmHeapStats,
} from './heap-guard';
