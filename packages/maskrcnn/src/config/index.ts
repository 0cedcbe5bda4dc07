export type * from './types';
export { validateConfig, assertValidConfig, ConfigError, FPN_LEVELS, type ConfigIssue } from './validate';
export { PRESETS, BACKBONE_DEFAULTS, makeConfig, type PresetName } from './presets';
