// Worker-thread entry of the augmentation pool: the package ships TypeScript, so load it through tsx.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./augment-thread.ts', import.meta.url).href);
