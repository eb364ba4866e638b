/**
 * PyTorch state dicts: `fromSafetensors(bytes, architecture)` builds a `Sequential` from a plain
 * safetensors file, e.g. `safetensors.torch.save_file(model.state_dict(), path)` of the
 * nn.Sequential that mirrors the architecture (same "<index>.<param>" names and shapes). Whole
 * models (architecture included) go through python/wasm_rnn_torch.py and `loadModel`.
 */
import { WasmRnnError } from '../errors';
import type { Tensor } from '../tensor';
import { readSafetensors } from '../model/safetensors';
import { type Layer, type LayerConfig, Sequential, type SequentialOptions, layerFromConfig } from '../model/sequential';

function isLayerConfig(layer: unknown): layer is LayerConfig {
  return layer !== null && typeof layer === 'object' && Object.getPrototypeOf(layer) === Object.prototype && typeof (layer as { type?: unknown }).type === 'string';
}

/**
 * A `Sequential` of `architecture` (layer objects, or the plain configs of `model.config`) with
 * the weights of a safetensors state dict. Every parameter must be present, F32, of its
 * PyTorch shape; anything else is E_FORMAT naming the tensor (F64/F16 state dicts: convert with
 * `.float()` before saving). Pass `{ batchFirst: true }` for a model of `batch_first=True` layers.
 */
export async function fromSafetensors(bytes: Uint8Array | ArrayBuffer, architecture: ReadonlyArray<Layer | LayerConfig>, options: SequentialOptions = {}): Promise<Sequential> {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!Array.isArray(architecture)) throw new WasmRnnError('E_ARGUMENT', 'fromSafetensors: architecture must be an array of layers (or of layer configs)');
  const { tensors } = readSafetensors(view);
  const dict: Record<string, Tensor> = {};
  for (const [name, t] of tensors) {
    if (t.dtype !== 'F32') throw new WasmRnnError('E_FORMAT', `fromSafetensors: tensor ${JSON.stringify(name)} has dtype ${t.dtype}, expected F32`);
    dict[name] = { data: t.data as Float32Array, shape: t.shape } as Tensor;
  }
  const model = new Sequential(architecture.map((l) => (isLayerConfig(l) ? layerFromConfig(l) : l)) as Layer[], options);
  try {
    model.loadStateDict(dict);
  } catch (e) {
    model.dispose();
    if (e instanceof WasmRnnError && (e.code === 'E_PARAM_NAME' || e.code === 'E_PARAM_SIZE' || e.code === 'E_SHAPE')) {
      throw new WasmRnnError('E_FORMAT', `fromSafetensors: the state dict does not fit the architecture: ${e.message}`);
    }
    throw e;
  }
  return model;
}
