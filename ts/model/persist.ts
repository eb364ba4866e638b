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

/** Scalars in the parameters of an architecture (NaN when a layer's sizes are not numbers). */
function parameterCountOf(layers: readonly LayerConfig[]): number {
  const n = (v: unknown): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : NaN);
  let total = 0;
  for (const c of layers) {
    switch (c.type) {
      case 'Embedding':
        total += n(c.numEmbeddings) * n(c.embeddingDim);
        break;
      case 'Dense':
        total += n(c.inputSize) * n(c.outputSize) + (c.bias === false ? 0 : n(c.outputSize));
        break;
      case 'LayerNorm':
        total += c.elementwiseAffine === false ? 0 : 2 * n(c.normalizedShape);
        break;
      case 'LSTM':
      case 'GRU':
      case 'RNN': {
        const gh = (c.type === 'LSTM' ? 4 : c.type === 'GRU' ? 3 : 1) * n(c.hiddenSize);
        const dirs = c.bidirectional === true ? 2 : 1;
        const proj = n(c.projSize ?? 0);
        const out = proj > 0 ? proj : n(c.hiddenSize);
        const layers = n(c.numLayers ?? 1);
        // Checked before looping: a tampered numLayers must not make this loop (or the model) huge.
        if (!(layers >= 1 && layers <= 2 ** 20)) throw new WasmRnnError('E_FORMAT', `model file: numLayers ${JSON.stringify(c.numLayers)} is outside 1..=1048576`);
        for (let l = 0; l < layers; l++) {
          const input = l === 0 ? n(c.inputSize) : dirs * out;
          total += dirs * (gh * (input + out) + (c.bias === false ? 0 : 2 * gh) + proj * n(c.hiddenSize));
        }
        break;
      }
      case 'Dropout':
      case 'Activation':
        break;
      default:
        throw new WasmRnnError('E_FORMAT', `model file: unknown layer type ${JSON.stringify(c.type)}`);
    }
  }
  return total;
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
  // The file's tensors must hold exactly the architecture's parameters: checked before the
  // model is built, so a tiny file cannot make the instance allocate a huge model.
  let inFile = 0;
  for (const t of tensors.values()) inFile += t.data.length;
  const needed = parameterCountOf(architecture as LayerConfig[]);
  if (needed !== inFile) throw new WasmRnnError('E_FORMAT', `model file: its tensors do not fit its architecture: they hold ${inFile} values, the architecture has ${Number.isFinite(needed) ? needed : 'an invalid number of'} parameters`);
  const seed = Number(metadata.seed ?? 0);
  let model: Sequential;
  try {
    model = new Sequential((architecture as LayerConfig[]).map(layerFromConfig), { seed: Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32 ? seed : 0, batchFirst: metadata.batchFirst === 'true' });
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
    if (c === null || typeof c !== 'object' || c.optimizer === null || typeof c.optimizer !== 'object' || c.loss === undefined) {
      model.dispose();
      throw new WasmRnnError('E_FORMAT', 'model file: __metadata__.compile is malformed (it needs a loss and an optimizer object)');
    }
    try {
      model.compile({ loss: c.loss as never, optimizer: optimizerFromJSON(c.optimizer), ...(c.clipGradNorm === undefined ? {} : { clipGradNorm: c.clipGradNorm }), ...(c.clipGradValue === undefined ? {} : { clipGradValue: c.clipGradValue }) });
    } catch (e) {
      model.dispose();
      throw e instanceof WasmRnnError ? new WasmRnnError('E_FORMAT', `model file: ${e.message}`) : e;
    }
  }
  return model;
}
