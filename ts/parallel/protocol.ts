/** Messages between a WorkerPool and its workers (structured-clone friendly). */
import type { Variant } from '../backend/init';

export type CellKind = 'rnn' | 'lstm' | 'gru';

export interface WireTensor {
  data: Float32Array;
  shape: number[];
}

export type Request =
  | { op: 'init'; variant: Variant }
  | { op: 'create'; layer: number; cell: CellKind; options: Record<string, unknown> }
  | { op: 'load'; layer: number; state: Record<string, WireTensor> }
  | { op: 'state'; layer: number }
  | { op: 'forward'; layer: number; x: WireTensor; h0?: WireTensor; c0?: WireTensor; training: boolean }
  | { op: 'backward'; layer: number; output?: WireTensor; hN?: WireTensor; cN?: WireTensor }
  | { op: 'dispose'; layer: number };

export interface RequestEnvelope {
  id: number;
  request: Request;
}

export type ResponseEnvelope = { id: number; ok: true; value: unknown } | { id: number; ok: false; code: string; message: string };
