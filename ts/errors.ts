/** Stable codes carried by every {@link WasmRnnError}. */
export type WasmRnnErrorCode =
  | 'E_SHAPE' // a tensor's shape or length does not fit the call
  | 'E_DTYPE' // data is not a Float32Array
  | 'E_CONFIG' // layer options that cannot be built
  | 'E_PARAM_NAME' // unknown or missing state-dict names
  | 'E_PARAM_SIZE' // a state-dict tensor of the wrong shape
  | 'E_ARGUMENT' // an argument that does not apply (e.g. c0 for a GRU)
  | 'E_NO_TRAINING_FORWARD' // backward() without a training forward()
  | 'E_DISPOSED' // use after dispose()
  | 'E_NOT_INITIALIZED' // a layer created before `await init()`
  | 'E_ALREADY_INITIALIZED' // init() asked for another variant than the loaded one
  | 'E_VARIANT_UNSUPPORTED' // the engine cannot run the requested wasm variant
  | 'E_WASM_LOAD' // the wasm binary could not be fetched or compiled
  | 'E_TOO_LARGE' // more memory than a wasm32 instance can address
  | 'E_NON_FINITE' // a loss or gradient turned NaN/Infinity during training
  | 'E_WORKER' // a WorkerPool worker exited or failed; the calls it held are lost
  | 'E_FORMAT' // a model file (safetensors) that is truncated, tampered with or not ours
  | 'E_UNSUPPORTED' // a valid imported model (Keras, ONNX) using a layer or option the library cannot compute
  | 'E_INTERNAL'; // the wasm instance trapped: a bug, please report it

/** The one error class thrown by wasm-rnn; `code` is stable, `message` names what was wrong. */
export class WasmRnnError extends Error {
  override readonly name = 'WasmRnnError';
  constructor(
    readonly code: WasmRnnErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const CODED_MESSAGE = /^\[(E_[A-Z_]+)\] ([\s\S]*)$/;

/** Turns an error thrown by the wasm bindings (`[E_CODE] message`) into a WasmRnnError. */
export function fromWasmError(error: unknown, context: string): WasmRnnError {
  if (error instanceof WasmRnnError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const coded = CODED_MESSAGE.exec(message);
  if (coded) return new WasmRnnError(coded[1] as WasmRnnErrorCode, `${context}: ${coded[2]}`);
  return new WasmRnnError('E_INTERNAL', `${context}: the wasm module failed (${message}); this is a bug in wasm-rnn`);
}
