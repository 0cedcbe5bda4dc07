export * from './process-upload';
export * from './synthetic';
export { seededRandom } from '@segmenta/contracts';
