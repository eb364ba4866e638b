/**
 * The worker side of WorkerPool: its own wasm instance holding replicas of the pool's layers.
 * Runs under Node worker_threads and as a module Web Worker.
 */
import { init } from '../backend/init';
import { WasmRnnError } from '../errors';
import { GRU } from '../layers/gru';
import { LSTM } from '../layers/lstm';
import type { RecurrentLayer } from '../layers/recurrent';
import { RNN } from '../layers/rnn';
import type { Tensor } from '../tensor';
import type { Request, RequestEnvelope, ResponseEnvelope } from './protocol';

interface Port {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  on?(event: 'message', listener: (data: unknown) => void): void;
  addEventListener?(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const layers = new Map<number, RecurrentLayer>();

function layer(id: number): RecurrentLayer {
  const l = layers.get(id);
  if (l === undefined) throw new WasmRnnError('E_DISPOSED', `worker: no layer ${id} (disposed?)`);
  return l;
}

/** Buffers of result tensors, transferred instead of copied (once each: one call's results share one). */
function buffersOf(value: unknown, out = new Set<ArrayBuffer>()): Transferable[] {
  if (value instanceof Float32Array) out.add(value.buffer as ArrayBuffer);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) buffersOf(v, out);
  return [...out];
}

async function handle(request: Request): Promise<unknown> {
  switch (request.op) {
    case 'init':
      return init({ variant: request.variant });
    case 'create': {
      const make = { rnn: RNN, lstm: LSTM, gru: GRU }[request.cell];
      const l = new make(request.options as never);
      layers.set(request.layer, l);
      return l.parameterNames();
    }
    case 'load':
      layer(request.layer).loadStateDict(request.state as Record<string, Tensor>);
      return null;
    case 'state':
      return layer(request.layer).stateDict();
    case 'forward': {
      const l = layer(request.layer) as LSTM;
      return l.forward(request.x, { h0: request.h0, c0: request.c0, training: request.training });
    }
    case 'backward': {
      const l = layer(request.layer) as LSTM;
      return l.backward({ output: request.output, hN: request.hN, cN: request.cN });
    }
    case 'dispose':
      layers.get(request.layer)?.dispose();
      layers.delete(request.layer);
      return null;
  }
}

async function start(): Promise<void> {
  const port: Port = typeof process !== 'undefined' && process.versions?.node ? ((await import('node:worker_threads')).parentPort as unknown as Port) : (globalThis as unknown as Port);
  const onMessage = async (data: unknown): Promise<void> => {
    const { id, request } = data as RequestEnvelope;
    let response: ResponseEnvelope;
    try {
      const value = await handle(request);
      response = { id, ok: true, value };
    } catch (e) {
      const code = e instanceof WasmRnnError ? e.code : 'E_INTERNAL';
      response = { id, ok: false, code, message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(response, response.ok ? buffersOf(response.value) : []);
  };
  if (port.on) port.on('message', (data) => void onMessage(data));
  else port.addEventListener?.('message', (event) => void onMessage(event.data));
}

void start();
