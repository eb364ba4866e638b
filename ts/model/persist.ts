/**
 * Model files: safetensors with the parameters by state-dict name (F32) and, in
 * `__metadata__`, `format` ("wasm-rnn"), `version` and the architecture, seed and compile
 * settings as JSON. Python's `safetensors` reads them as they are; `loadModel` rebuilds the
 * model and refuses anything malformed with E_FORMAT.
 */
import { revivePreprocessing } from '../data';
import { WasmRnnError } from '../errors';
import { type ResolvedLoss } from './losses';
import { optimizerFromJSON } from './optimizers';
import { readSafetensors, writeSafetensors, type SafetensorsTensor } from './safetensors';
import { type LayerConfig, Sequential, layerFromConfig } from './sequential';

export const MODEL_FORMAT = 'wasm-rnn';
export const MODEL_FORMAT_VERSION = '1';

export function saveModel(model: Sequential, extra: Record<string, string> = {}): Uint8Array {
  const dict = model.stateDict();
  const tensors: Array<[string, SafetensorsTensor]> = model.parameterNames().map((name) => [name, { dtype: 'F32', shape: dict[name]!.shape, data: dict[name]!.data }]);
  const compiled = model.compiled;
  const metadata: Record<string, string> = {
    ...extra,
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    architecture: JSON.stringify(model.config),
    seed: String(model.seed),
  };
  if (Object.keys(model.preprocessing).length > 0) metadata.preprocessing = JSON.stringify(model.preprocessing);
  if (compiled !== undefined) {
    metadata.compile = JSON.stringify({ loss: compiled.loss, optimizer: compiled.optimizer.toJSON(), clipGradNorm: compiled.clipGradNorm, clipGradValue: compiled.clipGradValue });
  }
  return writeSafetensors(tensors, metadata);
}

function parseJSON(what: string, text: string | undefined): unknown {
  if (text === undefined) throw new WasmRnnError('E_FORMAT', `model file: __metadata__ has no ${what}`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new WasmRnnError('E_FORMAT', `model file: __metadata__.${what} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Rebuilds a model saved by `model.save()` (weights, architecture and compile settings). */
export async function loadModel(bytes: Uint8Array | ArrayBuffer): Promise<Sequential> {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  const { tensors, metadata } = readSafetensors(view);
  if (metadata.format !== MODEL_FORMAT) throw new WasmRnnError('E_FORMAT', `model file: __metadata__.format is ${JSON.stringify(metadata.format)}, expected "${MODEL_FORMAT}" (for a plain state dict use model.loadStateDict)`);
  if (metadata.version !== MODEL_FORMAT_VERSION) throw new WasmRnnError('E_FORMAT', `model file: version ${JSON.stringify(metadata.version)} is not supported (expected ${MODEL_FORMAT_VERSION})`);
  const architecture = parseJSON('architecture', metadata.architecture);
  if (!Array.isArray(architecture) || architecture.length === 0 || !architecture.every((l) => l !== null && typeof l === 'object' && typeof (l as { type?: unknown }).type === 'string')) {
    throw new WasmRnnError('E_FORMAT', 'model file: the architecture must be a non-empty array of layer objects');
  }
  const seed = Number(metadata.seed ?? 0);
  let model: Sequential;
  try {
    model = new Sequential((architecture as LayerConfig[]).map(layerFromConfig), { seed: Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32 ? seed : 0 });
  } catch (e) {
    if (e instanceof WasmRnnError && e.code !== 'E_FORMAT') throw new WasmRnnError('E_FORMAT', `model file: its architecture cannot be built: ${e.message}`);
    throw e;
  }
  const dict: Record<string, { data: Float32Array; shape: number[] }> = {};
  for (const [name, t] of tensors) {
    if (t.dtype !== 'F32') throw new WasmRnnError('E_FORMAT', `model file: parameter ${name} has dtype ${t.dtype}, expected F32`);
    dict[name] = { data: t.data as Float32Array, shape: t.shape };
  }
  try {
    model.loadStateDict(dict);
  } catch (e) {
    model.dispose();
    if (e instanceof WasmRnnError) throw new WasmRnnError('E_FORMAT', `model file: its tensors do not fit its architecture: ${e.message}`);
    throw e;
  }
  if (metadata.preprocessing !== undefined) {
    const json = parseJSON('preprocessing', metadata.preprocessing);
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new WasmRnnError('E_FORMAT', 'model file: __metadata__.preprocessing must be an object');
    try {
      model.preprocessing = revivePreprocessing(json as Record<string, unknown>);
    } catch (e) {
      model.dispose();
      throw e instanceof WasmRnnError && e.code !== 'E_FORMAT' ? new WasmRnnError('E_FORMAT', `model file: ${e.message}`) : e;
    }
  }
  if (metadata.compile !== undefined) {
    const c = parseJSON('compile', metadata.compile) as { loss?: ResolvedLoss; optimizer?: { type: string }; clipGradNorm?: number; clipGradValue?: number } | null;
    if (c === null || typeof c !== 'object' || c.optimizer === undefined || c.loss === undefined) throw new WasmRnnError('E_FORMAT', 'model file: __metadata__.compile is malformed');
    try {
      model.compile({ loss: c.loss as never, optimizer: optimizerFromJSON(c.optimizer), ...(c.clipGradNorm === undefined ? {} : { clipGradNorm: c.clipGradNorm }), ...(c.clipGradValue === undefined ? {} : { clipGradValue: c.clipGradValue }) });
    } catch (e) {
      model.dispose();
      throw e instanceof WasmRnnError ? new WasmRnnError('E_FORMAT', `model file: ${e.message}`) : e;
    }
  }
  return model;
}
