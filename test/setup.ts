// Registered by vitest.config.ts for every project: loads the wasm build named by the
// project's WASM_RNN_VARIANT before any test runs, so tests can create layers directly.
import type { Variant } from '../ts/backend/init';
import { init } from '../ts/index';

const variant = (process.env.WASM_RNN_VARIANT || undefined) as Variant | undefined;
await init({ variant });
