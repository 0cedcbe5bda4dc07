export { startWorkerRuntime, defineHandler, type JobHandler, type HandlerRegistry, type WorkerRuntime } from './runtime';
export { defaultHandlers } from './handlers';
export { seedDemoProject, DEMO_PROJECT_ID, DEMO_PROJECT_NAME } from './seed/demo';
