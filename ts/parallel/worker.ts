/**
 * The worker side of WorkerPool: its own wasm instance holding replicas of the pool's layers.
 * Runs under Node worker_threads and as a module Web Worker.
 *
 * Requests are handled one at a time in arrival order (a request that awaits, like `init`, holds
 * back the ones behind it), so the pool can rely on per-worker ordering. A request that cannot
 * be read (`messageerror`) cannot be answered either: the worker then fails loudly (an uncaught
 * error), and the pool rejects that worker's pending calls and replaces it.
 */
import { exitProcess, workerPort } from '../backend/host';
import { init } from '../backend/init';
import { WasmRnnError } from '../errors';
import { GRU } from '../layers/gru';
import { LSTM } from '../layers/lstm';
import type { RecurrentLayer } from '../layers/recurrent';
import { RNN } from '../layers/rnn';
import type { Tensor } from '../tensor';
import type { LossSpec } from '../model/losses';
import { SGD } from '../model/optimizers';
import { type LayerConfig, Sequential, layerFromConfig } from '../model/sequential';
import type { ParamShapes, Request, RequestEnvelope, ResponseEnvelope } from './protocol';

const layers = new Map<number, RecurrentLayer>();

function layer(id: number): RecurrentLayer {
  const l = layers.get(id);
  if (l === undefined) throw new WasmRnnError('E_DISPOSED', `worker: no layer ${id} (disposed?)`);
  return l;
}

/** Buffers of result tensors, transferred instead of copied (once each: one call's results share one). */
function buffersOf(value: unknown, out = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (value instanceof Float32Array) out.add(value.buffer as ArrayBuffer);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) buffersOf(v, out);
  return [...out];
}

/** Replicas of Sequential models for data-parallel training, by the main thread's model id. */
const models = new Map<number, Sequential>();

function modelGrads(request: Extract<Request, { op: 'modelGrads' }>): { loss: number; weight: number; grads: Float32Array; state?: Record<string, Float32Array> } {
  let model = models.get(request.model);
  if (model === undefined) {
    model = new Sequential((request.config as LayerConfig[]).map(layerFromConfig), { seed: request.seed });
    // Only the loss matters on a replica: it never updates (the main thread's optimizer does).
    model.compile({ loss: request.loss as LossSpec, optimizer: new SGD({ lr: 0 }) });
    models.set(request.model, model);
  }
  model.setWeights(request.params);
  return model.computeGradients(request.x as never, request.y as never, { ...(request.lengths === undefined ? {} : { lengths: request.lengths }), ...(request.states === undefined ? {} : { states: request.states }) });
}

async function handle(request: Request): Promise<unknown> {
  switch (request.op) {
    case 'init':
      return init(request.wasm === undefined ? { variant: request.variant } : { variant: request.variant, wasm: request.wasm });
    case 'create': {
      const make = { rnn: RNN, lstm: LSTM, gru: GRU }[request.cell];
      const l = new make(request.options as never);
      layers.get(request.layer)?.dispose();
      layers.set(request.layer, l);
      const shapes: ParamShapes = Object.entries(l.stateDict()).map(([name, t]) => [name, t.shape]);
      return shapes;
    }
    case 'load':
      layer(request.layer).loadStateDict(request.state as Record<string, Tensor>, { strict: request.strict });
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
    case 'modelGrads':
      return modelGrads(request);
    case 'modelDispose':
      models.get(request.model)?.dispose();
      models.delete(request.model);
      return null;
    case 'testFault':
      // Tests only (see protocol.ts). Browsers have no process.exit(): both fail with an error.
      if (request.fault === 'exit') exitProcess(3);
      return new Promise(() => {
        if (request.fault !== 'hang') setTimeout(() => {
          throw new Error('wasm-rnn test fault: an uncaught exception in a worker');
        });
      });
    default:
      throw new WasmRnnError('E_INTERNAL', `worker: unknown request ${JSON.stringify((request as { op?: unknown }).op)}`);
  }
}

async function start(): Promise<void> {
  const port = await workerPort();
  const respond = async (data: unknown): Promise<void> => {
    const { id, request } = data as RequestEnvelope;
    let response: ResponseEnvelope;
    try {
      const value = await handle(request);
      response = { id, ok: true, value };
    } catch (e) {
      const code = e instanceof WasmRnnError ? e.code : 'E_INTERNAL';
      response = { id, ok: false, code, message: e instanceof Error ? e.message : String(e) };
    }
    try {
      port.postMessage(response, response.ok ? buffersOf(response.value) : []);
    } catch (e) {
      const message = `worker: could not send the result of '${(request as { op?: unknown })?.op}': ${e instanceof Error ? e.message : String(e)}`;
      port.postMessage({ id, ok: false, code: 'E_INTERNAL', message } satisfies ResponseEnvelope);
    }
  };
  let queue: Promise<void> = Promise.resolve();
  const onMessage = (data: unknown): void => {
    queue = queue.then(() => respond(data)).catch(() => undefined);
  };
  const onMessageError = (): void => {
    // Thrown outside any handler on purpose: the pool sees the worker fail and recovers.
    setTimeout(() => {
      throw new Error('worker: a request could not be deserialized (messageerror)');
    });
  };
  if (port.on) {
    port.on('message', onMessage);
    port.on('messageerror', onMessageError);
  } else {
    port.addEventListener?.('message', (event) => onMessage(event.data));
    port.addEventListener?.('messageerror', onMessageError);
  }
}

void start();
