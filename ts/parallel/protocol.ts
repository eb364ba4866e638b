/** Messages between a WorkerPool and its workers (structured-clone friendly). */
import type { Variant } from '../backend/init';

export type CellKind = 'rnn' | 'lstm' | 'gru';

export interface WireTensor {
  data: Float32Array;
  shape: number[];
}

/** The validated options a replica is built from (plain data only; see parallel-layer.ts). */
export interface WireOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  bias: boolean;
  batchFirst: boolean;
  seed: number;
  /** RNN only. */
  nonlinearity?: 'tanh' | 'relu';
  /** LSTM only. */
  projSize?: number;
}

/** A replica's parameters in PyTorch's order: name and shape. */
export type ParamShapes = Array<[string, number[]]>;

export type Request =
  /** `wasm`: a WebAssembly.Module or URL to load instead of the packaged binary (WorkerPoolOptions.wasm). */
  | { op: 'init'; variant: Variant; wasm?: object | URL | string }
  /** Answered with the layer's {@link ParamShapes}. Replaces a replica of the same id. */
  | { op: 'create'; layer: number; cell: CellKind; options: WireOptions }
  | { op: 'load'; layer: number; state: Record<string, WireTensor>; strict: boolean }
  | { op: 'state'; layer: number }
  | { op: 'forward'; layer: number; x: WireTensor; h0?: WireTensor; c0?: WireTensor; training: boolean }
  | { op: 'backward'; layer: number; output?: WireTensor; hN?: WireTensor; cN?: WireTensor }
  | { op: 'dispose'; layer: number }
  /**
   * Data-parallel training: the replica of model `model` (built from `config`/`seed`/`loss` the
   * first time) takes `params`, runs forward, loss and backward on this shard (from `states`
   * when given), and answers { loss, weight, grads } (and the final `state` after `states`)
   * without updating anything.
   */
  | { op: 'modelGrads'; model: number; config: unknown[]; seed: number; loss: unknown; params: Float32Array; x: { data: Float32Array | Int32Array; shape: number[] }; y: { data: Float32Array | Int32Array; shape: number[] }; lengths?: Int32Array; states?: Record<string, Float32Array> }
  | { op: 'modelDispose'; model: number }
  /**
   * @internal Tests only: the worker calls process.exit() ('exit'), throws an uncaught
   * exception ('throw'), or stops answering ('hang'), so that the pool's handling of failed
   * workers can be exercised. Never sent by the library itself.
   */
  | { op: 'testFault'; fault: 'exit' | 'throw' | 'hang' };

export interface RequestEnvelope {
  id: number;
  request: Request;
}

export type ResponseEnvelope = { id: number; ok: true; value: unknown } | { id: number; ok: false; code: string; message: string };
