export * from './principal';
export * from './project-access';
export * from './rate-limit';
export * from './bootstrap';
export * from './page';
