/**
 * A Keras model's behaviour that is about its inputs, not its arithmetic, on top of a
 * batch-first Sequential:
 *   mask_zero — each sequence's unmasked steps moved to the front, lengths derived from the
 *     ids, outputs moved back (masking.ts);
 *   go_backwards on the first recurrent layer — Keras runs that layer over the reversed
 *     sequence and passes on its outputs in that (reversed) order; every layer before it works
 *     per step, so this is the model run on each sequence reversed, outputs left as they come.
 *     (A mask reverses with it: trailing padding becomes leading, handled as above.)
 * predict, evaluate, trainStep and fit apply them; passing `lengths` yourself turns the mask
 * derivation off for that call. `step()` streams the steps in the order you give them (feed a
 * go_backwards model from the end). These are properties of the imported object: `save()` keeps
 * the weights and the layout, and `loadModel` gives a plain Sequential.
 */
import { type FitOptions, type History, type Layer, type ModelInput, Sequential, type SequentialOptions, type Tensor, WasmRnnError, tensor } from './core';
import { type Data, carryForward, maskOrder, permuteSteps } from './masking';

type TrainStepOptions = NonNullable<Parameters<Sequential['trainStep']>[2]>;
/** The ids' mask (as ordered for the model) and its compaction. */
type Runs = { ids: { data: Int32Array; shape: number[] }; order: Int32Array; lengths: Int32Array };

export interface KerasSequentialOptions extends SequentialOptions {
  /** The first layer is Embedding(mask_zero=True). @defaultValue false */
  maskZero?: boolean;
  /** Masked trailing steps repeat the last output (Keras' zero_output_for_mask=False). @defaultValue false */
  carryMaskedOutput?: boolean;
  /** The first recurrent layer has go_backwards=True. @defaultValue false */
  reverseInput?: boolean;
}

/** Each sequence of a batch-first [B, T, …] tensor in reverse time order (a copy). */
function reverseTime<T extends Data>(t: T): T {
  const [batch, seq] = t.shape as [number, number];
  const inner = t.data.length / (batch * seq);
  const out = new (t.data.constructor as Float32ArrayConstructor | Int32ArrayConstructor)(t.data.length);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) out.set(t.data.subarray((b * seq + s) * inner, (b * seq + s + 1) * inner), (b * seq + seq - 1 - s) * inner);
  }
  return { ...t, data: out };
}

function wellFormed(x: unknown, rank: number): x is Data {
  const t = x as { data?: unknown; shape?: unknown } | null;
  return t !== null && typeof t === 'object' && (t.data instanceof Float32Array || t.data instanceof Int32Array) && Array.isArray(t.shape) && t.shape.length === rank && t.data.length === t.shape.reduce((a: number, b: number) => a * b, 1) && t.shape.every((d) => d > 0);
}

export class KerasSequential extends Sequential {
  readonly maskZero: boolean;
  readonly carryMaskedOutput: boolean;
  readonly reverseInput: boolean;

  constructor(layers: readonly Layer[], options: KerasSequentialOptions = {}) {
    const { maskZero, carryMaskedOutput, reverseInput, ...rest } = options;
    super(layers, { ...rest, batchFirst: true });
    this.maskZero = maskZero ?? false;
    this.carryMaskedOutput = carryMaskedOutput ?? false;
    this.reverseInput = reverseInput ?? false;
  }

  /**
   * x as the time-ordered, left-aligned input of the library's model, and the mask runs (when
   * derived). Malformed x is passed on unchanged for Sequential's own checks to name.
   */
  #prepare(x: ModelInput, lengths: unknown): { x: ModelInput; runs: Runs | undefined } {
    const rank = this.config[0]!.type === 'Embedding' ? 2 : 3;
    if (!wellFormed(x, rank)) return { x, runs: undefined };
    const ordered = this.reverseInput ? (reverseTime(x) as ModelInput) : x;
    if (!this.maskZero || lengths !== undefined || !(ordered.data instanceof Int32Array)) return { x: ordered, runs: undefined };
    const ids = ordered as { data: Int32Array; shape: number[] };
    const runs = { ids, ...maskOrder(ids) };
    return { x: permuteSteps(ids, runs.order, false) as ModelInput, runs };
  }

  #targets<T>(y: T, runs: Runs | undefined): T {
    if (runs === undefined || !this.returnsSequences || !wellFormed(y, (y as Data).shape?.length ?? 0) || (y as Data).shape.length < 2) return y;
    return permuteSteps(y as Data, runs.order, false) as T;
  }

  #lengths(runs: Runs): Tensor<Int32Array> {
    return tensor(runs.lengths, [runs.lengths.length]);
  }

  override predict(x: ModelInput, options: { lengths?: Tensor<Int32Array> | Int32Array | { data: Int32Array; shape: number[] } } = {}): Tensor {
    const { x: prepared, runs } = this.#prepare(x, options?.lengths);
    if (runs === undefined) return super.predict(prepared, options as never);
    const out = super.predict(prepared, { lengths: this.#lengths(runs) as never });
    if (!this.returnsSequences) return out;
    const back = permuteSteps(out, runs.order, true);
    return this.carryMaskedOutput ? carryForward(back, runs.ids) : back;
  }

  override evaluate(x: ModelInput, y: Tensor | { data: Int32Array; shape: number[] }, options: { lengths?: never } = {}): { loss: number; accuracy?: number } {
    const { x: prepared, runs } = this.#prepare(x, options?.lengths);
    if (runs === undefined) return super.evaluate(prepared, y, options);
    return super.evaluate(prepared, this.#targets(y, runs), { lengths: this.#lengths(runs) as never });
  }

  override trainStep(x: ModelInput, y: Tensor | { data: Int32Array; shape: number[] }, options?: TrainStepOptions): never {
    const { x: prepared, runs } = this.#prepare(x, options?.lengths);
    if (runs === undefined) return super.trainStep(prepared, y, options as never) as never;
    return super.trainStep(prepared, this.#targets(y, runs), { ...options, lengths: runs.lengths } as never) as never;
  }

  override fit(x: ModelInput, y: ModelInput, options: FitOptions = {}): Promise<History> {
    if (options?.validationData !== undefined) {
      if (this.maskZero) return Promise.reject(new WasmRnnError('E_UNSUPPORTED', 'fit: validationData on a mask_zero model (its masks would not be applied): use validationSplit'));
      const [vx, vy] = options.validationData;
      options = { ...options, validationData: [this.#prepare(vx, undefined).x, vy] };
    }
    const { x: prepared, runs } = this.#prepare(x, options?.lengths);
    if (runs === undefined) return super.fit(prepared, y, options);
    return super.fit(prepared, this.#targets(y as never, runs), { ...options, lengths: this.#lengths(runs) as never });
  }
}
