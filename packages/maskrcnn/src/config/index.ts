export type * from './types.js';
export { validateConfig, assertValidConfig, ConfigError, FPN_LEVELS, type ConfigIssue } from './validate.js';
export { PRESETS, BACKBONE_DEFAULTS, makeConfig, type PresetName } from './presets.js';
