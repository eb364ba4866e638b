import { bindings } from './init';

/** The wasm instance's memory: what the budget is checked against (see README, Errors and limits). */
export interface MemoryUsage {
  /** Bytes of live allocations (every layer's weights, buffers and kept activations). */
  bytesInUse: number;
  /** The budget for live allocations: a call that would pass it fails with E_TOO_LARGE. */
  budgetBytes: number;
  /** Bytes of linear memory the instance holds (it only grows; freed memory is reused). */
  memoryBytes: number;
}

export function memoryUsage(): MemoryUsage {
  const api = bindings();
  return { bytesInUse: api.bytes_in_use(), budgetBytes: api.memory_budget_bytes(), memoryBytes: api.memory_bytes() };
}
