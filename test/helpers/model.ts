/**
 * The model behind test/property.test.ts: random layer configurations, random call sequences
 * (valid calls and calls with exactly one defect), and what each call must do.
 *
 * A call is generated abstractly (sizes, seeds, "which argument is wrong and how", with axis and
 * index numbers resolved against the layer's configuration when the call runs), so fast-check can
 * shrink a failing sequence to a short one with small numbers and no needless defects.
 *
 * The expected outcome of a call is either
 *  - a result: the right shapes, and bit for bit what a fresh layer loaded with the weights the
 *    model says the layer has returns for the same call (for a WorkerPool layer: within 1e-5
 *    scaled by max(1, max|reference|)); or
 *  - a WasmRnnError with one of the expected codes, after which the model is unchanged: a
 *    rejected call changes nothing (weights, the pending training forward).
 * The model of the pending training forward (what `backward()` uses):
 *  - a successful training forward replaces it; an inference forward keeps it;
 *  - a successful backward consumes it; a rejected call of any kind keeps it;
 *  - a successful loadStateDict that writes at least one tensor drops it (the saved activations
 *    were computed with the old weights: crates/kernels/src/network/mod.rs `set_param`); one that
 *    writes nothing ({ strict: false } with an empty dict) keeps it.
 * When a call has a defect *and* there is no pending forward (backward), either error is
 * accepted. A disposed layer answers every call with E_DISPOSED, before looking at arguments.
 *
 * Some expectations are rules the core is being changed to follow; each defect that depends on
 * one is tagged with it (RULES below), so the suite can run the established behaviour and each
 * rule separately. `sanitize` turns a tagged defect into a valid call when its rule is not
 * enabled.
 */
import vm from 'node:vm';
import fc from 'fast-check';
import type { WasmRnnErrorCode } from '../../ts/errors';
import { GRU, LSTM, RNN, type Tensor, type WorkerPool, WasmRnnError } from '../../ts/index';
import { mulberry32 } from './random';

// ---------------------------------------------------------------------------------------------
// Rules being fixed in the core (each property run enables a subset).

export const RULES = {
  'typed-errors': 'every error is a WasmRnnError, never a TypeError/RangeError (e.g. a Symbol in a shape)',
  'load-null-options': 'loadStateDict(dict, null) throws E_ARGUMENT',
  'own-props': 'state dicts are read by own properties only: inherited keys are missing',
  holes: 'a shape with holes ([2, , 3]) throws E_SHAPE',
  'cross-realm': 'a Float32Array from another realm (vm context, iframe) is accepted',
  'pool-codes': 'WorkerPool layers reject bad arguments with the single layer\'s codes',
  'pool-backward-keeps': 'a rejected WorkerPool backward keeps the pending training forward',
} as const;
export type Rule = keyof typeof RULES;
export const ALL_RULES = Object.keys(RULES) as Rule[];

// ---------------------------------------------------------------------------------------------
// Configurations and geometry.

export type Cell = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'lstm_proj' | 'gru';

export interface Config {
  cell: Cell;
  inputSize: number;
  hiddenSize: number;
  /** > 0 only for lstm_proj (and then < hiddenSize). */
  projSize: number;
  numLayers: number;
  bidirectional: boolean;
  bias: boolean;
  batchFirst: boolean;
  seed: number;
}

export const configArb: fc.Arbitrary<Config> = fc
  .record({
    cell: fc.constantFrom<Cell>('rnn_tanh', 'lstm', 'gru', 'rnn_relu', 'lstm_proj'),
    inputSize: fc.integer({ min: 1, max: 9 }),
    hiddenSize: fc.integer({ min: 1, max: 9 }),
    proj: fc.nat(7),
    numLayers: fc.integer({ min: 1, max: 3 }),
    bidirectional: fc.boolean(),
    bias: fc.boolean(),
    batchFirst: fc.boolean(),
    seed: fc.nat(999),
  })
  .map(({ proj, ...c }) => {
    // A projection needs hiddenSize ≥ 2; lstm_proj with hiddenSize 1 becomes a plain LSTM.
    const projSize = c.cell === 'lstm_proj' && c.hiddenSize >= 2 ? 1 + (proj % (c.hiddenSize - 1)) : 0;
    return { ...c, cell: c.cell === 'lstm_proj' && projSize === 0 ? 'lstm' : c.cell, projSize };
  });

export const isLstm = (c: Config): boolean => c.cell === 'lstm' || c.cell === 'lstm_proj';
const gates = (c: Config): number => (isLstm(c) ? 4 : c.cell === 'gru' ? 3 : 1);
export const dirs = (c: Config): number => (c.bidirectional ? 2 : 1);
export const outSize = (c: Config): number => c.projSize || c.hiddenSize;
export const states = (c: Config): number => c.numLayers * dirs(c);
export const xShape = (c: Config, seq: number, batch: number): number[] => (c.batchFirst ? [batch, seq, c.inputSize] : [seq, batch, c.inputSize]);
export const outShape = (c: Config, seq: number, batch: number): number[] => (c.batchFirst ? [batch, seq, dirs(c) * outSize(c)] : [seq, batch, dirs(c) * outSize(c)]);
export const stateShape = (c: Config, batch: number): number[] => [states(c), batch, outSize(c)];
export const cellShape = (c: Config, batch: number): number[] => [states(c), batch, c.hiddenSize];
export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export interface ParamSpec {
  name: string;
  shape: number[];
}

/** PyTorch's parameter names and shapes, in its order (per layer, per direction: w_ih, w_hh, b_ih, b_hh, w_hr). */
export function paramSpecs(c: Config): ParamSpec[] {
  const g = gates(c) * c.hiddenSize;
  const out: ParamSpec[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    for (let d = 0; d < dirs(c); d++) {
      const sfx = `l${l}${d === 1 ? '_reverse' : ''}`;
      out.push({ name: `weight_ih_${sfx}`, shape: [g, l === 0 ? c.inputSize : dirs(c) * outSize(c)] });
      out.push({ name: `weight_hh_${sfx}`, shape: [g, outSize(c)] });
      if (c.bias) out.push({ name: `bias_ih_${sfx}`, shape: [g] }, { name: `bias_hh_${sfx}`, shape: [g] });
      if (c.projSize > 0) out.push({ name: `weight_hr_${sfx}`, shape: [c.projSize, c.hiddenSize] });
    }
  }
  return out;
}

/** Names a layer of this configuration does not have (all plausible-looking). */
export function unknownNames(c: Config): string[] {
  const names = ['bogus', 'Weight_ih_l0', `weight_ih_l${c.numLayers}`, 'weight_ih_l0 ', 'toString', 'constructor', 'hasOwnProperty', '0'];
  if (c.projSize === 0) names.push('weight_hr_l0');
  if (!c.bias) names.push('bias_ih_l0');
  if (!c.bidirectional) names.push('weight_hh_l0_reverse');
  return names;
}

export type AnyLayer = RNN | LSTM | GRU;

export function layerOptions(c: Config): Record<string, unknown> {
  const o: Record<string, unknown> = {
    inputSize: c.inputSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers,
    bidirectional: c.bidirectional,
    bias: c.bias,
    batchFirst: c.batchFirst,
    seed: c.seed,
  };
  if (c.cell === 'rnn_tanh' || c.cell === 'rnn_relu') o.nonlinearity = c.cell === 'rnn_tanh' ? 'tanh' : 'relu';
  if (isLstm(c)) o.projSize = c.projSize;
  return o;
}

export function build(c: Config): AnyLayer {
  const o = layerOptions(c) as never;
  return isLstm(c) ? new LSTM(o) : c.cell === 'gru' ? new GRU(o) : new RNN(o);
}

export const poolCell = (c: Config): 'rnn' | 'lstm' | 'gru' => (isLstm(c) ? 'lstm' : c.cell === 'gru' ? 'gru' : 'rnn');

// ---------------------------------------------------------------------------------------------
// Data, forms of valid Float32Array data, and defective tensors.

/** n floats uniform in [lo, hi) from a seed (float32-rounded). */
export function floats(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  const next = mulberry32(seed * 7919 + 17);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
  return out;
}

const otherRealm = vm.createContext({});
/** Float32Array of another realm (as from an iframe or a vm context): `instanceof Float32Array` is false. */
export const ForeignFloat32Array = vm.runInContext('Float32Array', otherRealm) as Float32ArrayConstructor;

/** How valid float32 data is held. */
export type Form = 'plain' | 'view' | 'shared' | 'crossRealm';

/** A Float32Array holding `values` in the given form (always a fresh copy). */
export function materialize(values: Float32Array, form: Form): Float32Array {
  switch (form) {
    case 'plain':
      return new Float32Array(values);
    case 'view': {
      // A view at an offset into a larger buffer (byteOffset ≠ 0), with junk around it.
      const buf = new Float32Array(values.length + 5).fill(Number.NaN);
      buf.set(values, 3);
      return buf.subarray(3, 3 + values.length);
    }
    case 'shared': {
      const a = new Float32Array(new SharedArrayBuffer(values.length * 4));
      a.set(values);
      return a;
    }
    case 'crossRealm': {
      const a = new ForeignFloat32Array(values.length);
      a.set(values);
      return a;
    }
  }
}

export type TensorFaultKind =
  // wrong dtype / not a tensor: E_DTYPE
  | 'f64'
  | 'i32'
  | 'array'
  | 'dataNull'
  | 'noData'
  | 'noShape'
  | 'valueNull'
  | 'valueNumber'
  | 'valueString'
  | 'bare'
  // wrong shape: E_SHAPE (E_PARAM_SIZE for state-dict entries)
  | 'rankDown'
  | 'rankUp'
  | 'dimPlus'
  | 'dimMinus'
  | 'zeroDim'
  | 'nonInt'
  | 'negDim'
  | 'nanDim'
  | 'infDim'
  | 'stringDim'
  | 'shapeNotArray'
  | 'lengthPlus'
  | 'lengthMinus'
  | 'bigintDim'
  | 'detached'
  | 'hole'
  | 'symbolDim';

const DTYPE_FAULTS: ReadonlySet<TensorFaultKind> = new Set(['f64', 'i32', 'array', 'dataNull', 'noData', 'noShape', 'valueNull', 'valueNumber', 'valueString', 'bare']);
export const faultClass = (k: TensorFaultKind): 'dtype' | 'shape' => (DTYPE_FAULTS.has(k) ? 'dtype' : 'shape');
/** The codes a tensor defect may give (a state-dict entry's shape defects are E_PARAM_SIZE). */
export function faultCodes(k: TensorFaultKind, entry = false): Code[] {
  const shape: Code = entry ? 'E_PARAM_SIZE' : 'E_SHAPE';
  // Data whose buffer was transferred away reads as 0 elements: a size or a dtype error.
  if (k === 'detached') return [shape, 'E_DTYPE'];
  return [faultClass(k) === 'dtype' ? 'E_DTYPE' : shape];
}

export interface TensorFault {
  kind: TensorFaultKind;
  /** Resolved modulo the candidate axes. */
  axis: number;
  /** 1..3: how far a size is off, or which variant of a bad value. */
  delta: number;
}

interface Tagged<T> {
  value: T;
  rules?: Rule[];
  weight?: number;
}

/** One of `items`; items tagged with `focus` get about half of the probability mass. */
function pick<T>(items: Tagged<T>[], focus?: Rule): fc.Arbitrary<T> {
  const focused = focus === undefined ? [] : items.filter((i) => i.rules?.includes(focus));
  const total = items.reduce((n, i) => n + (i.weight ?? 1), 0);
  const boost = focused.length > 0 ? Math.max(1, Math.round(total / focused.reduce((n, i) => n + (i.weight ?? 1), 0))) : 1;
  return fc.oneof(...items.map((i) => ({ arbitrary: fc.constant(i.value), weight: (i.weight ?? 1) * (focused.includes(i) ? boost : 1) })));
}

const TENSOR_FAULTS: Tagged<TensorFaultKind>[] = [
  ...(['f64', 'i32', 'array', 'dataNull', 'noData', 'noShape', 'valueNull', 'valueNumber', 'valueString', 'bare'] as const).map((value) => ({ value })),
  ...(['rankDown', 'rankUp', 'zeroDim', 'nonInt', 'negDim', 'nanDim', 'infDim', 'stringDim', 'bigintDim', 'shapeNotArray', 'lengthPlus', 'lengthMinus', 'detached'] as const).map((value) => ({ value })),
  { value: 'dimPlus', weight: 3 },
  { value: 'dimMinus', weight: 2 },
  { value: 'hole', rules: ['holes'], weight: 2 },
  { value: 'symbolDim', rules: ['typed-errors'] },
];
const tensorFaultRules = (k: TensorFaultKind): Rule[] => TENSOR_FAULTS.find((t) => t.value === k)?.rules ?? [];

export const formArb = (focus?: Rule): fc.Arbitrary<Form> =>
  pick<Form>([{ value: 'plain', weight: 6 }, { value: 'view' }, { value: 'shared' }, { value: 'crossRealm', rules: ['cross-realm'] }], focus);

export const tensorFaultArb = (focus?: Rule): fc.Arbitrary<TensorFault> =>
  fc.record({ kind: pick(TENSOR_FAULTS, focus), axis: fc.nat(5), delta: fc.integer({ min: 1, max: 3 }) });

/** The argument passed for a tensor, and the clean Float32Array tensor with the same values. */
export interface TensorArg {
  value: unknown;
  clean: Tensor;
}

/**
 * A tensor argument of `shape` holding `values`, in `form`, with `fault` applied.
 * `sized` lists the axes whose size the call fixes (dimPlus/dimMinus pick among them).
 */
export function tensorArg(shape: readonly number[], values: Float32Array, form: Form, fault: TensorFault | undefined, sized: readonly number[]): TensorArg {
  const clean: Tensor = { data: new Float32Array(values), shape: [...shape] };
  const data = materialize(values, form);
  if (fault === undefined) return { value: { data, shape: [...shape] }, clean };
  const s: unknown[] = [...shape];
  const rank = shape.length;
  const a = fault.axis % rank;
  const n = values.length;
  const fresh = (len: number) => materialize(floats(n + len + fault.delta, len), form);
  let value: unknown;
  switch (fault.kind) {
    case 'f64':
      value = { data: new Float64Array(values), shape: s };
      break;
    case 'i32':
      value = { data: new Int32Array(n), shape: s };
      break;
    case 'array':
      value = { data: Array.from(values), shape: s };
      break;
    case 'dataNull':
      value = { data: null, shape: s };
      break;
    case 'noData':
      value = { shape: s };
      break;
    case 'noShape':
      value = { data };
      break;
    case 'valueNull':
      value = null;
      break;
    case 'valueNumber':
      value = 3;
      break;
    case 'valueString':
      value = 'tensor';
      break;
    case 'bare':
      value = data;
      break;
    case 'rankDown':
      value = { data, shape: s.slice(0, -1) };
      break;
    case 'rankUp':
      value = { data, shape: [...s, 1] };
      break;
    case 'dimPlus':
    case 'dimMinus': {
      const ax = sized[fault.axis % sized.length]!;
      const bad = [...shape];
      bad[ax] = Math.max(0, bad[ax]! + (fault.kind === 'dimPlus' ? fault.delta : -fault.delta));
      value = { data: fresh(numel(bad)), shape: bad };
      break;
    }
    case 'zeroDim': {
      const bad = [...shape];
      bad[a] = 0;
      value = { data: fresh(0), shape: bad };
      break;
    }
    case 'nonInt':
      s[a] = shape[a]! + 0.5;
      value = { data, shape: s };
      break;
    case 'negDim':
      s[a] = -shape[a]!;
      value = { data, shape: s };
      break;
    case 'nanDim':
      s[a] = Number.NaN;
      value = { data, shape: s };
      break;
    case 'infDim':
      s[a] = Number.POSITIVE_INFINITY;
      value = { data, shape: s };
      break;
    case 'stringDim':
      s[a] = String(shape[a]);
      value = { data, shape: s };
      break;
    case 'shapeNotArray':
      // A string, an array-like object, a typed array: none is an Array.
      value = { data, shape: [undefined, 'abc', { ...Object.fromEntries(shape.map((d, i) => [i, d])), length: rank }, Int32Array.from(shape)][fault.delta] };
      break;
    case 'bigintDim':
      s[a] = BigInt(shape[a]!);
      value = { data, shape: s };
      break;
    case 'detached': {
      // The tensor's buffer was transferred (e.g. posted to a worker) and is now detached.
      const own = new Float32Array(values);
      structuredClone(own.buffer, { transfer: [own.buffer] });
      value = { data: own, shape: s };
      break;
    }
    case 'lengthPlus':
      value = { data: fresh(n + fault.delta), shape: s };
      break;
    case 'lengthMinus':
      value = { data: fresh(Math.max(0, n - fault.delta)), shape: s };
      break;
    case 'hole': {
      // [a, <hole>, c] with data sized by the dimensions present, so only the hole is wrong.
      const holed = [...shape] as number[];
      delete holed[a];
      value = { data: fresh(shape.reduce((p, d, i) => (i === a ? p : p * d), 1)), shape: holed };
      break;
    }
    case 'symbolDim':
      s[a] = Symbol('dim');
      value = { data, shape: s };
      break;
  }
  return { value, clean };
}

// ---------------------------------------------------------------------------------------------
// Calls.

export type ForwardFault =
  | { where: 'x' | 'h0' | 'c0'; tf: TensorFault }
  | { where: 'options'; value: number }
  | { where: 'training'; value: number };
export type BackwardFault = { where: 'output' | 'hN' | 'cN'; tf: TensorFault } | { where: 'grads'; value: number };
export type LoadFault =
  | { k: 'dict'; value: number }
  | { k: 'optionsNull' }
  | { k: 'unknown'; which: number }
  | { k: 'missing'; drop: number }
  | { k: 'entry'; which: number; tf: TensorFault }
  | { k: 'inheritedStrict'; own: number };
export type LoadMode = 'full' | 'fullStrict' | 'fullEmptyOptions' | 'partial' | 'inheritedLoose';

export type Op =
  | { t: 'forward'; layer: number; training: boolean; seq: number; batch: number; h0: boolean; c0: boolean; omitOptions: boolean; seed: number; form: Form; fault: ForwardFault | undefined }
  | { t: 'backward'; layer: number; output: boolean; hN: boolean; cN: boolean; seed: number; form: Form; fault: BackwardFault | undefined }
  | { t: 'load'; layer: number; mode: LoadMode; subset: number; seed: number; form: Form; fault: LoadFault | undefined }
  | { t: 'stateDict'; layer: number }
  | { t: 'dispose'; layer: number };

const BAD_OPTIONS: unknown[] = [42, 'options', null, true, Symbol('options')];
const BAD_TRAINING: unknown[] = ['yes', 1, {}, 0];
const BAD_GRADS: unknown[] = [7, 'grads', null, true];
const BAD_DICTS: unknown[] = [null, 5, 'dict', undefined, true];

const maybe = <T>(arb: fc.Arbitrary<T>, faultWeight = 2): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arb, weight: faultWeight });

export const forwardFaultArb = (focus?: Rule): fc.Arbitrary<ForwardFault> => {
  const pool = focus === 'pool-codes';
  return fc.oneof(
    { arbitrary: fc.record({ where: fc.constant('x' as const), tf: tensorFaultArb(focus) }), weight: pool ? 1 : 3 },
    { arbitrary: fc.record({ where: fc.constantFrom('h0' as const, 'c0' as const), tf: tensorFaultArb(focus) }), weight: pool ? 6 : 3 },
    { arbitrary: fc.record({ where: fc.constant('options' as const), value: fc.nat(BAD_OPTIONS.length - 1) }), weight: pool ? 2 : 1 },
    { arbitrary: fc.record({ where: fc.constant('training' as const), value: fc.nat(BAD_TRAINING.length - 1) }), weight: 1 },
  );
};
export const backwardFaultArb = (focus?: Rule): fc.Arbitrary<BackwardFault> =>
  fc.oneof(
    { arbitrary: fc.record({ where: fc.constantFrom('output' as const, 'hN' as const, 'cN' as const), tf: tensorFaultArb(focus) }), weight: 6 },
    { arbitrary: fc.record({ where: fc.constant('grads' as const), value: fc.nat(BAD_GRADS.length - 1) }), weight: 1 },
  );
export const loadFaultArb = (focus?: Rule): fc.Arbitrary<LoadFault> => {
  const items: Array<Tagged<fc.Arbitrary<LoadFault>>> = [
    { value: fc.record({ k: fc.constant('dict' as const), value: fc.nat(BAD_DICTS.length - 1) }) },
    { value: fc.constant({ k: 'optionsNull' as const }), rules: ['load-null-options'] },
    { value: fc.record({ k: fc.constant('unknown' as const), which: fc.nat(20) }) },
    { value: fc.record({ k: fc.constant('missing' as const), drop: fc.nat(1 << 20) }) },
    { value: fc.record({ k: fc.constant('entry' as const), which: fc.nat(40), tf: tensorFaultArb(focus) }), weight: 3 },
    { value: fc.record({ k: fc.constant('inheritedStrict' as const), own: fc.nat(1 << 20) }), rules: ['own-props'] },
  ];
  const focused = focus === undefined ? [] : items.filter((i) => i.rules?.includes(focus));
  return fc.oneof(...items.map((i) => ({ arbitrary: i.value, weight: (i.weight ?? 1) * (focused.includes(i) ? 4 : 1) })));
};
export const loadModeArb = (focus?: Rule): fc.Arbitrary<LoadMode> =>
  pick<LoadMode>([{ value: 'full', weight: 2 }, { value: 'fullStrict' }, { value: 'fullEmptyOptions' }, { value: 'partial', weight: 3 }, { value: 'inheritedLoose', rules: ['own-props'] }], focus);

const layerIndex = fc.nat(2);
const seedArb = fc.nat(1_000_000);

export const forwardOpArb = (focus?: Rule, maxSeq = 6, maxBatch = 5) =>
  fc.record({
    t: fc.constant('forward' as const),
    layer: layerIndex,
    training: fc.oneof({ arbitrary: fc.constant(false), weight: 2 }, { arbitrary: fc.constant(true), weight: 3 }),
    seq: fc.integer({ min: 1, max: maxSeq }),
    batch: fc.integer({ min: 1, max: maxBatch }),
    h0: fc.boolean(),
    c0: fc.boolean(),
    omitOptions: fc.boolean(),
    seed: seedArb,
    form: formArb(focus),
    fault: maybe(forwardFaultArb(focus)),
  });
export const backwardOpArb = (focus?: Rule) =>
  fc.record({
    t: fc.constant('backward' as const),
    layer: layerIndex,
    output: fc.boolean(),
    hN: fc.boolean(),
    cN: fc.boolean(),
    seed: seedArb,
    form: formArb(focus),
    fault: maybe(backwardFaultArb(focus), focus === 'pool-backward-keeps' || focus === 'pool-codes' ? 4 : 2),
  });
export const loadOpArb = (focus?: Rule) =>
  fc.record({
    t: fc.constant('load' as const),
    layer: layerIndex,
    mode: loadModeArb(focus),
    subset: fc.nat(1 << 20),
    seed: seedArb,
    form: formArb(focus),
    fault: maybe(loadFaultArb(focus)),
  });

export const opArb = (focus?: Rule): fc.Arbitrary<Op> => {
  // The pool rules are about forward's states/options and backward: more of those calls.
  const pool = focus === 'pool-codes' || focus === 'pool-backward-keeps';
  return fc.oneof(
    { arbitrary: forwardOpArb(focus), weight: 12 },
    { arbitrary: backwardOpArb(focus), weight: pool ? 12 : 8 },
    { arbitrary: loadOpArb(focus), weight: pool ? 2 : 3 },
    { arbitrary: fc.record({ t: fc.constant('stateDict' as const), layer: layerIndex }), weight: 1 },
    { arbitrary: fc.record({ t: fc.constant('dispose' as const), layer: layerIndex }), weight: 1 },
  );
};

/** The rules a call's expectation depends on (the surface matters: the pool splits and forwards arguments). */
export function opRules(op: Op, c: Config, surface: 'single' | 'pool'): Set<Rule> {
  const r = new Set<Rule>();
  const tensor = (tf: TensorFault) => tensorFaultRules(tf.kind).forEach((x) => r.add(x));
  if ('form' in op && op.form === 'crossRealm') r.add('cross-realm');
  if (op.t === 'forward' && op.fault) {
    const f = op.fault;
    if ('tf' in f) {
      tensor(f.tf);
      if (surface === 'pool' && f.where !== 'x' && !(f.where === 'c0' && !isLstm(c))) r.add('pool-codes'); // h0/c0 are sliced before any check
      if (surface === 'pool' && f.tf.kind === 'symbolDim') r.add('pool-codes');
    } else if (f.where === 'options' && surface === 'pool') r.add('pool-codes');
  }
  if (op.t === 'backward' && op.fault) {
    const f = op.fault;
    if (surface === 'pool') r.add('pool-backward-keeps'); // the pool forgets its pending forward before the workers check
    if ('tf' in f) {
      tensor(f.tf);
      const cNOnNonLstm = f.where === 'cN' && !isLstm(c);
      // Only a wrong feature size survives the batch split intact (both replicas reject it).
      const featureSize = (f.tf.kind === 'dimPlus' || f.tf.kind === 'dimMinus') && f.tf.axis % 3 === 2;
      if (surface === 'pool' && !cNOnNonLstm && !featureSize) r.add('pool-codes');
    } else if (surface === 'pool') r.add('pool-codes');
  }
  if (op.t === 'load') {
    if (op.mode === 'inheritedLoose' && surface === 'single') r.add('own-props');
    const f = op.fault;
    if (f?.k === 'optionsNull') r.add('load-null-options');
    if (f?.k === 'inheritedStrict') r.add('own-props');
    if (f?.k === 'entry') {
      tensor(f.tf);
      if (surface === 'pool' && (f.tf.kind === 'symbolDim' || f.tf.kind === 'detached')) r.add('pool-codes'); // not structured-cloneable
    }
  }
  return r;
}

/** `op` with the parts that need a rule outside `allowed` removed (a defect-free call instead). */
export function sanitize(op: Op, c: Config, surface: 'single' | 'pool', allowed: ReadonlySet<Rule>): Op {
  let out = op;
  if (surface === 'pool' && op.t === 'load') {
    // ParallelLayer.loadStateDict takes no options: always a strict, full dict.
    out = { ...op, mode: 'full', fault: op.fault?.k === 'optionsNull' ? undefined : op.fault };
  }
  for (const rule of opRules(out, c, surface)) {
    if (allowed.has(rule)) continue;
    if ('form' in out && out.form === 'crossRealm' && rule === 'cross-realm') out = { ...out, form: 'plain' };
    if (out.t === 'load' && out.mode === 'inheritedLoose' && rule === 'own-props') out = { ...out, mode: 'partial' };
    if ('fault' in out && out.fault !== undefined && opRules(out, c, surface).has(rule)) out = { ...out, fault: undefined };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Outcomes and comparisons.

export type Code = WasmRnnErrorCode;
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export function attempt<T>(f: () => T): Outcome<T> {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    return { ok: false, error };
  }
}
export async function attemptAsync<T>(f: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** How often each kind of call ended how ("single forward ok", "pool backward E_SHAPE"…), for the report. */
export const stats = new Map<string, number>();
function tally(surface: 'single' | 'pool', op: Op, out: Outcome<unknown>): void {
  const e = out.ok ? undefined : (out.error as { code?: unknown; constructor?: { name?: string } });
  const key = `${surface} ${op.t} ${out.ok ? 'ok' : String(e?.code ?? e?.constructor?.name)}`;
  stats.set(key, (stats.get(key) ?? 0) + 1);
}

export class PropertyFailure extends Error {
  override name = 'PropertyFailure';
}
export function fail(message: string): never {
  throw new PropertyFailure(message);
}

export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return `${e.constructor.name}${code === undefined ? '' : ` ${String(code)}`}: ${e.message}`;
  }
  return `non-Error ${typeof e}: ${String(e)}`;
}

/** The call must have thrown a WasmRnnError (of `ErrorClass`, the realm/bundle it came from) with one of `codes`. */
export function expectRejected(out: Outcome<unknown>, codes: readonly Code[], where: string, ErrorClass: abstract new (...a: never[]) => Error = WasmRnnError): void {
  if (out.ok) fail(`${where}: expected ${codes.join(' or ')}, but the call succeeded`);
  const e = out.error;
  if (!(e instanceof ErrorClass) || (e as Error).name !== 'WasmRnnError') fail(`${where}: expected a WasmRnnError ${codes.join(' or ')}, got ${describeError(e)}`);
  const code = (e as unknown as { code: Code }).code;
  if (!codes.includes(code)) fail(`${where}: expected ${codes.join(' or ')}, got ${describeError(e)}`);
}

export function expectOk<T>(out: Outcome<T>, where: string): T {
  if (!out.ok) fail(`${where}: expected success, got ${describeError(out.error)}`);
  return out.value;
}

const bitsOf = (a: Float32Array): Int32Array => new Int32Array(a.buffer, a.byteOffset, a.length);

/** Index of the first element whose bits differ, or -1 (lengths must match). */
export function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const x = bitsOf(a);
  const y = bitsOf(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

function expectTensorShape(actual: unknown, shape: readonly number[], what: string): Tensor {
  const t = actual as Tensor | undefined;
  if (t === null || typeof t !== 'object' || !(t.data instanceof Float32Array)) fail(`${what}: not a tensor with Float32Array data`);
  if (!Array.isArray(t.shape) || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) fail(`${what}: shape [${String(t.shape)}], expected [${shape.join(', ')}]`);
  if (t.data.length !== numel(shape)) fail(`${what}: ${t.data.length} values for shape [${shape.join(', ')}]`);
  return t;
}

export function expectSameTensor(actual: unknown, expected: Tensor, shape: readonly number[], what: string): void {
  const t = expectTensorShape(actual, shape, what);
  const i = firstBitDifference(t.data, expected.data);
  if (i >= 0) fail(`${what}: differs from the reference at [${i}]: ${t.data[i]} vs ${expected.data[i]} (not bit-identical)`);
}

export function expectCloseTensor(actual: unknown, expected: Tensor, shape: readonly number[], what: string, tol = 1e-5): void {
  const t = expectTensorShape(actual, shape, what);
  let scale = 1;
  for (const v of expected.data) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < t.data.length; i++) {
    const d = Math.abs(t.data[i]! - expected.data[i]!);
    if (!(d <= tol * scale)) fail(`${what}: [${i}] ${t.data[i]} vs reference ${expected.data[i]} (|diff| ${d} > ${tol} · ${scale})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Building calls from ops and their expected outcomes.

type Weights = Map<string, Float32Array>;

/** The training forward `backward()` would use now. */
export interface Pending {
  seq: number;
  batch: number;
  x: Tensor;
  h0?: Tensor;
  c0?: Tensor;
}

export const dictOf = (specs: ParamSpec[], w: Weights): Record<string, Tensor> => Object.fromEntries(specs.map((s) => [s.name, { data: w.get(s.name)!, shape: s.shape }]));

/** Expected result: null = success, else the acceptable codes. */
type Expected = null | Code[];

interface ForwardCall {
  args: unknown[];
  expected: Expected;
  clean: { x: Tensor; h0?: Tensor; c0?: Tensor; training: boolean; seq: number; batch: number };
}

export function forwardCall(c: Config, op: Extract<Op, { t: 'forward' }>): ForwardCall {
  const f = op.fault;
  const tf = (where: string) => (f !== undefined && 'tf' in f && f.where === where ? f.tf : undefined);
  const x = tensorArg(xShape(c, op.seq, op.batch), floats(op.seed, numel(xShape(c, op.seq, op.batch))), op.form, tf('x'), [2]);
  const options: Record<string, unknown> = {};
  const clean: ForwardCall['clean'] = { x: x.clean, training: op.training, seq: op.seq, batch: op.batch };
  let expected: Expected = f === undefined ? null : 'tf' in f ? faultCodes(f.tf.kind) : ['E_ARGUMENT'];
  if (op.h0 || f?.where === 'h0') {
    const shape = stateShape(c, op.batch);
    const h0 = tensorArg(shape, floats(op.seed + 1, numel(shape), -0.5, 0.5), op.form, tf('h0'), [0, 1, 2]);
    options.h0 = h0.value;
    clean.h0 = h0.clean;
  }
  if (isLstm(c) && (op.c0 || f?.where === 'c0')) {
    const shape = cellShape(c, op.batch);
    const c0 = tensorArg(shape, floats(op.seed + 2, numel(shape)), op.form, tf('c0'), [0, 1, 2]);
    options.c0 = c0.value;
    clean.c0 = c0.clean;
  } else if (f?.where === 'c0') {
    // A (well-formed) c0 for a layer without a cell state.
    options.c0 = { data: floats(op.seed + 2, numel(cellShape(c, op.batch))), shape: cellShape(c, op.batch) };
    expected = ['E_ARGUMENT'];
  }
  options.training = f?.where === 'training' ? BAD_TRAINING[f.value] : op.training;
  if (f?.where === 'training') clean.training = false;
  let args: unknown[];
  if (f?.where === 'options') args = [x.value, BAD_OPTIONS[f.value]];
  else if (op.omitOptions && !op.training && f?.where !== 'training' && options.h0 === undefined && options.c0 === undefined) {
    args = [x.value];
    clean.training = false;
  } else args = [x.value, options];
  return { args, expected, clean };
}

interface BackwardCall {
  args: unknown[];
  expected: Expected;
  clean: { output?: Tensor; hN?: Tensor; cN?: Tensor };
}

export function backwardCall(c: Config, op: Extract<Op, { t: 'backward' }>, pending: Pending | undefined): BackwardCall {
  const f = op.fault;
  const tf = (where: string) => (f !== undefined && 'tf' in f && f.where === where ? f.tf : undefined);
  const { seq, batch } = pending ?? { seq: 2, batch: 2 };
  const grads: Record<string, unknown> = {};
  const clean: BackwardCall['clean'] = {};
  let defect: Code[] | undefined = f === undefined ? undefined : 'tf' in f ? faultCodes(f.tf.kind) : ['E_ARGUMENT'];
  if (op.output || f?.where === 'output') {
    const shape = outShape(c, seq, batch);
    const g = tensorArg(shape, floats(op.seed, numel(shape)), op.form, tf('output'), [0, 1, 2]);
    grads.output = g.value;
    clean.output = g.clean;
  }
  if (op.hN || f?.where === 'hN') {
    const shape = stateShape(c, batch);
    const g = tensorArg(shape, floats(op.seed + 1, numel(shape)), op.form, tf('hN'), [0, 1, 2]);
    grads.hN = g.value;
    clean.hN = g.clean;
  }
  if (isLstm(c) && (op.cN || f?.where === 'cN')) {
    const shape = cellShape(c, batch);
    const g = tensorArg(shape, floats(op.seed + 2, numel(shape)), op.form, tf('cN'), [0, 1, 2]);
    grads.cN = g.value;
    clean.cN = g.clean;
  } else if (f?.where === 'cN') {
    grads.cN = { data: floats(op.seed + 2, numel(cellShape(c, batch))), shape: cellShape(c, batch) };
    defect = ['E_ARGUMENT'];
  }
  let args: unknown[];
  if (f?.where === 'grads') args = [BAD_GRADS[f.value]];
  else if (Object.keys(grads).length === 0) args = [];
  else args = [grads];
  // With no pending forward and a defect, either error is right.
  const expected: Expected = pending === undefined ? ['E_NO_TRAINING_FORWARD', ...(defect ?? [])] : (defect ?? null);
  return { args, expected, clean };
}

interface LoadCall {
  args: unknown[];
  expected: Expected;
  /** On success: the tensors written. */
  writes: Map<string, Float32Array>;
}

export function loadCall(c: Config, op: Extract<Op, { t: 'load' }>, surface: 'single' | 'pool'): LoadCall {
  const specs = paramSpecs(c);
  const f = op.fault;
  const values = (i: number, salt = 0) => floats(op.seed + 31 * i + salt, numel(specs[i]!.shape), -0.6, 0.6);
  const entry = (i: number, salt = 0) => {
    const v = values(i, salt);
    return { arg: tensorArg(specs[i]!.shape, v, op.form, undefined, []).value, v };
  };
  const writes = new Map<string, Float32Array>();
  const bit = (mask: number, i: number) => ((mask >>> (i % 20)) & 1) === 1;
  let included = specs.map((_, i) => i);
  if (op.mode === 'partial' || op.mode === 'inheritedLoose') included = included.filter((i) => bit(op.subset, i));
  const strictOptions: unknown[] = op.mode === 'fullStrict' ? [{ strict: true }] : op.mode === 'fullEmptyOptions' ? [{}] : op.mode === 'full' ? [] : [{ strict: false }];
  const dict: Record<string, unknown> = {};
  for (const i of included) {
    const { arg, v } = entry(i);
    dict[specs[i]!.name] = arg;
    writes.set(specs[i]!.name, v);
  }
  let args: unknown[] = [dict, ...strictOptions];
  let expected: Expected = null;
  if (op.mode === 'inheritedLoose' && f === undefined) {
    // Every name inherited (with other values), some also own: only the own ones may be loaded.
    const proto: Record<string, unknown> = {};
    specs.forEach((s, i) => (proto[s.name] = entry(i, 7).arg));
    args = [Object.assign(Object.create(proto) as object, dict), { strict: false }];
  }
  if (f !== undefined) {
    writes.clear();
    switch (f.k) {
      case 'dict':
        args = [BAD_DICTS[f.value], ...strictOptions];
        expected = ['E_ARGUMENT'];
        break;
      case 'optionsNull':
        args = [dict, null];
        expected = ['E_ARGUMENT'];
        break;
      case 'unknown': {
        const names = unknownNames(c);
        // An own property (defineProperty: a '__proto__'-safe way to add any name).
        Object.defineProperty(dict, names[f.which % names.length]!, { value: { data: new Float32Array(1), shape: [1] }, enumerable: true, configurable: true, writable: true });
        expected = ['E_PARAM_NAME'];
        break;
      }
      case 'missing': {
        const full: Record<string, unknown> = {};
        let dropped = 0;
        specs.forEach((s, i) => {
          if (bit(f.drop, i)) dropped++;
          else full[s.name] = entry(i).arg;
        });
        if (dropped === 0) delete full[specs[f.drop % specs.length]!.name];
        args = [full, ...(op.mode === 'fullStrict' ? [{ strict: true }] : [])];
        expected = ['E_PARAM_NAME'];
        break;
      }
      case 'entry': {
        const idx = included.length > 0 ? included[f.which % included.length]! : f.which % specs.length;
        const s = specs[idx]!;
        const bad = tensorArg(s.shape, values(idx), op.form, f.tf, s.shape.map((_, a) => a));
        dict[s.name] = bad.value;
        expected = faultCodes(f.tf.kind, true);
        break;
      }
      case 'inheritedStrict': {
        const proto: Record<string, unknown> = {};
        specs.forEach((s, i) => (proto[s.name] = entry(i).arg));
        const own = Object.create(proto) as Record<string, unknown>;
        let count = 0;
        specs.forEach((s, i) => {
          if (bit(f.own, i) && count < specs.length - 1) {
            own[s.name] = entry(i, 3).arg;
            count++;
          }
        });
        args = [own];
        expected = ['E_PARAM_NAME'];
        break;
      }
    }
  }
  if (surface === 'pool') args = args.slice(0, 1);
  return { args, expected, writes };
}

// ---------------------------------------------------------------------------------------------
// Single layers: running a sequence against the model.

interface Slot {
  cfg: Config;
  specs: ParamSpec[];
  layer: AnyLayer;
  disposed: boolean;
  weights: Weights;
  pending: Pending | undefined;
}

interface Kept {
  data: Float32Array;
  copy: Float32Array;
  what: string;
}

type LooseLayer = { forward(...a: unknown[]): unknown; backward(...a: unknown[]): unknown; loadStateDict(...a: unknown[]): unknown; stateDict(): unknown };
const loose = (l: AnyLayer): LooseLayer => l as unknown as LooseLayer;

/** Runs `forward` (and `backward`) on a fresh layer loaded with `weights`: the reference. */
function reference(c: Config, specs: ParamSpec[], weights: Weights, fwd: { x: Tensor; h0?: Tensor; c0?: Tensor; training: boolean }, back?: BackwardCall['clean']) {
  const ref = build(c);
  try {
    ref.loadStateDict(dictOf(specs, weights));
    const f = loose(ref).forward(fwd.x, { h0: fwd.h0, c0: fwd.c0, training: back !== undefined || fwd.training }) as { output: Tensor; hN: Tensor; cN?: Tensor };
    const g = back === undefined ? undefined : (loose(ref).backward(back) as { input: Tensor; h0: Tensor; c0?: Tensor; params: Record<string, Tensor> });
    return { f, g };
  } finally {
    ref.dispose();
  }
}

function checkForwardResult(c: Config, value: unknown, ref: { output: Tensor; hN: Tensor; cN?: Tensor }, seq: number, batch: number, where: string, close?: number): void {
  const r = value as { output: Tensor; hN: Tensor; cN?: Tensor };
  const cmp = close === undefined ? expectSameTensor : (a: unknown, e: Tensor, s: readonly number[], w: string) => expectCloseTensor(a, e, s, w, close);
  cmp(r.output, ref.output, outShape(c, seq, batch), `${where}: output`);
  cmp(r.hN, ref.hN, stateShape(c, batch), `${where}: hN`);
  if (isLstm(c)) cmp(r.cN, ref.cN!, cellShape(c, batch), `${where}: cN`);
  else if (r.cN !== undefined) fail(`${where}: a cN from a layer without a cell state`);
}

function checkBackwardResult(c: Config, specs: ParamSpec[], value: unknown, ref: { input: Tensor; h0: Tensor; c0?: Tensor; params: Record<string, Tensor> }, p: Pending, where: string, close?: number): void {
  const g = value as { input: Tensor; h0: Tensor; c0?: Tensor; params: Record<string, Tensor> };
  const cmp = close === undefined ? expectSameTensor : (a: unknown, e: Tensor, s: readonly number[], w: string) => expectCloseTensor(a, e, s, w, close);
  cmp(g.input, ref.input, xShape(c, p.seq, p.batch), `${where}: d input`);
  cmp(g.h0, ref.h0, stateShape(c, p.batch), `${where}: d h0`);
  if (isLstm(c)) cmp(g.c0, ref.c0!, cellShape(c, p.batch), `${where}: d c0`);
  const names = Object.keys(g.params ?? {});
  if (names.join() !== specs.map((s) => s.name).join()) fail(`${where}: parameter gradients named [${names.join(', ')}], expected [${specs.map((s) => s.name).join(', ')}]`);
  for (const s of specs) cmp(g.params[s.name], ref.params[s.name]!, s.shape, `${where}: d ${s.name}`);
}

const fullGrads = (c: Config, p: Pending, seed: number): BackwardCall['clean'] => {
  const out: BackwardCall['clean'] = {
    output: { data: floats(seed, numel(outShape(c, p.seq, p.batch))), shape: outShape(c, p.seq, p.batch) },
    hN: { data: floats(seed + 1, numel(stateShape(c, p.batch))), shape: stateShape(c, p.batch) },
  };
  if (isLstm(c)) out.cN = { data: floats(seed + 2, numel(cellShape(c, p.batch))), shape: cellShape(c, p.batch) };
  return out;
};

function keep(kept: Kept[], value: unknown, what: string): void {
  for (const [k, t] of Object.entries(value as Record<string, unknown>)) {
    if (t !== null && typeof t === 'object' && 'data' in t && (t as Tensor).data instanceof Float32Array) kept.push({ data: (t as Tensor).data, copy: new Float32Array((t as Tensor).data), what: `${what}.${k}` });
    else if (k === 'params') keep(kept, t, `${what}.params`);
  }
}

/**
 * Runs `ops` over layers of `cfgs` (op.layer picks one, modulo), checking each outcome against
 * the model; then checks each live layer (pending forward, weights, a probe training step) and
 * disposes it. Throws PropertyFailure on the first mismatch.
 */
export function runSingleSequence(cfgs: Config[], ops: Op[], allowed: ReadonlySet<Rule>): void {
  const slots: Slot[] = [];
  const kept: Kept[] = [];
  try {
    for (const cfg of cfgs) {
      const layer = build(cfg);
      const specs = paramSpecs(cfg);
      const sd = layer.stateDict();
      const names = Object.keys(sd);
      if (names.join() !== specs.map((s) => s.name).join()) fail(`new layer ${JSON.stringify(cfg)}: stateDict names [${names.join(', ')}], expected [${specs.map((s) => s.name).join(', ')}]`);
      const weights: Weights = new Map();
      for (const s of specs) {
        expectTensorShape(sd[s.name], s.shape, `new layer: ${s.name}`);
        weights.set(s.name, sd[s.name]!.data);
      }
      slots.push({ cfg, specs, layer, disposed: false, weights, pending: undefined });
    }
    ops.forEach((raw, step) => {
      const slot = slots[raw.layer % slots.length]!;
      const op = sanitize(raw, slot.cfg, 'single', allowed);
      const where = `step ${step} (${op.t} on layer ${raw.layer % slots.length})`;
      runSingleOp(slot, op, where, kept);
    });
    slots.forEach((slot, i) => finishSlot(slot, `end: layer ${i}`, kept));
    for (const k of kept) if (firstBitDifference(k.data, k.copy) >= 0) fail(`${k.what}: a returned tensor changed after later calls (results must be copies)`);
  } finally {
    for (const s of slots) s.layer.dispose();
  }
}

function runSingleOp(slot: Slot, op: Op, where: string, kept: Kept[]): void {
  const { cfg: c, specs, layer } = slot;
  const dead = (out: Outcome<unknown>) => expectRejected(out, ['E_DISPOSED'], where);
  switch (op.t) {
    case 'forward': {
      const call = forwardCall(c, op);
      const before = call.args[0] !== null && typeof call.args[0] === 'object' ? (call.args[0] as { data?: unknown }).data : undefined;
      const snapshot = call.expected === null && (before instanceof Float32Array || before instanceof ForeignFloat32Array) ? new Float32Array(before) : undefined;
      const out = attempt(() => loose(layer).forward(...call.args));
      tally('single', op, out);
      if (slot.disposed) return dead(out);
      if (call.expected !== null) return expectRejected(out, call.expected, where);
      const value = expectOk(out, where);
      const { f } = reference(c, specs, slot.weights, call.clean);
      checkForwardResult(c, value, f, call.clean.seq, call.clean.batch, where);
      if (snapshot && firstBitDifference(before as Float32Array, snapshot) >= 0) fail(`${where}: forward modified its input x`);
      keep(kept, value, where);
      if (call.clean.training) slot.pending = { seq: call.clean.seq, batch: call.clean.batch, x: call.clean.x, h0: call.clean.h0, c0: call.clean.c0 };
      return;
    }
    case 'backward': {
      const call = backwardCall(c, op, slot.pending);
      const out = attempt(() => loose(layer).backward(...call.args));
      tally('single', op, out);
      if (slot.disposed) return dead(out);
      if (call.expected !== null) return expectRejected(out, call.expected, where);
      const value = expectOk(out, where);
      const p = slot.pending!;
      const { g } = reference(c, specs, slot.weights, { ...p, training: true }, call.clean);
      checkBackwardResult(c, specs, value, g!, p, where);
      keep(kept, value, where);
      slot.pending = undefined;
      return;
    }
    case 'load': {
      const call = loadCall(c, op, 'single');
      const out = attempt(() => loose(layer).loadStateDict(...call.args));
      tally('single', op, out);
      if (slot.disposed) return dead(out);
      if (call.expected !== null) return expectRejected(out, call.expected, where);
      const value = expectOk(out, where);
      if (value !== undefined) fail(`${where}: loadStateDict returned ${String(value)}`);
      for (const [name, v] of call.writes) slot.weights.set(name, v);
      if (call.writes.size > 0) slot.pending = undefined;
      return;
    }
    case 'stateDict': {
      const out = attempt(() => layer.stateDict());
      tally('single', op, out);
      if (slot.disposed) return dead(out);
      checkStateDict(slot, expectOk(out, where), where);
      keep(kept, out.ok ? out.value : {}, where);
      return;
    }
    case 'dispose': {
      const out = attempt(() => layer.dispose());
      expectOk(out, where);
      slot.disposed = true;
      if (layer.alive) fail(`${where}: alive after dispose()`);
      return;
    }
  }
}

function checkStateDict(slot: { specs: ParamSpec[]; weights: Weights }, value: unknown, where: string): void {
  const sd = value as Record<string, Tensor>;
  const names = Object.keys(sd);
  if (names.join() !== slot.specs.map((s) => s.name).join()) fail(`${where}: stateDict names [${names.join(', ')}]`);
  for (const s of slot.specs) expectSameTensor(sd[s.name], { data: slot.weights.get(s.name)!, shape: s.shape }, s.shape, `${where}: stateDict ${s.name}`);
}

/** The live layer's pending forward, weights and a full training step all match the model. */
function finishSlot(slot: Slot, where: string, kept: Kept[]): void {
  const { cfg: c, specs, layer } = slot;
  if (slot.disposed) {
    if (layer.alive) fail(`${where}: alive after dispose()`);
    expectRejected(attempt(() => layer.stateDict()), ['E_DISPOSED'], `${where}: stateDict after dispose`);
    return;
  }
  // 1. The pending training forward is there exactly when the model says so.
  if (slot.pending) {
    const grads = fullGrads(c, slot.pending, 4242);
    const value = expectOk(attempt(() => loose(layer).backward(grads)), `${where}: backward of the pending training forward`);
    const { g } = reference(c, specs, slot.weights, { ...slot.pending, training: true }, grads);
    checkBackwardResult(c, specs, value, g!, slot.pending, `${where}: backward of the pending training forward`);
  } else {
    expectRejected(attempt(() => loose(layer).backward()), ['E_NO_TRAINING_FORWARD'], `${where}: backward with no pending training forward`);
  }
  // 2. The weights.
  checkStateDict(slot, layer.stateDict(), `${where}`);
  // 3. A probe training step.
  const p: Pending = { seq: 3, batch: 2, x: { data: floats(99, numel(xShape(c, 3, 2))), shape: xShape(c, 3, 2) }, h0: { data: floats(98, numel(stateShape(c, 2))), shape: stateShape(c, 2) } };
  if (isLstm(c)) p.c0 = { data: floats(97, numel(cellShape(c, 2))), shape: cellShape(c, 2) };
  const grads = fullGrads(c, p, 96);
  const f = expectOk(attempt(() => loose(layer).forward(p.x, { h0: p.h0, c0: p.c0, training: true })), `${where}: probe forward`);
  const g = expectOk(attempt(() => loose(layer).backward(grads)), `${where}: probe backward`);
  const ref = reference(c, specs, slot.weights, { ...p, training: true }, grads);
  checkForwardResult(c, f, ref.f, 3, 2, `${where}: probe forward`);
  checkBackwardResult(c, specs, g, ref.g!, p, `${where}: probe backward`);
  keep(kept, f, where);
  layer.dispose();
  slot.disposed = true;
}

// ---------------------------------------------------------------------------------------------
// WorkerPool layers.

export interface PoolEnv {
  pool: WorkerPool;
  /** The WasmRnnError class of the bundle the pool came from (dist/). */
  ErrorClass: abstract new (...a: never[]) => Error;
}

type LoosePoolLayer = { forward(...a: unknown[]): Promise<unknown>; backward(...a: unknown[]): Promise<unknown>; loadStateDict(...a: unknown[]): Promise<unknown>; stateDict(): Promise<unknown>; dispose(): Promise<void> };

export const POOL_TOLERANCE = 1e-5;

/**
 * The same model for a layer of a WorkerPool: results within POOL_TOLERANCE of a single layer
 * with the same weights, errors with the single layer's codes.
 */
export async function runPoolSequence(env: PoolEnv, c: Config, ops: Op[], allowed: ReadonlySet<Rule>): Promise<void> {
  const specs = paramSpecs(c);
  const layer = (await env.pool[poolCell(c)](layerOptions(c) as never)) as unknown as LoosePoolLayer;
  const init = build(c);
  const weights: Weights = new Map(Object.entries(init.stateDict()).map(([k, t]) => [k, t.data]));
  init.dispose();
  const slot = { specs, weights, pending: undefined as Pending | undefined, disposed: false };
  const rejected = (out: Outcome<unknown>, codes: readonly Code[], where: string) => expectRejected(out, codes, where, env.ErrorClass);
  try {
    checkStateDict(slot, await layer.stateDict(), 'new pool layer');
    for (const [step, raw] of ops.entries()) {
      const op = sanitize(raw, c, 'pool', allowed);
      const where = `pool step ${step} (${op.t})`;
      switch (op.t) {
        case 'forward': {
          const call = forwardCall(c, op);
          const out = await attemptAsync(() => layer.forward(...call.args));
          tally('pool', op, out);
          if (slot.disposed) rejected(out, ['E_DISPOSED'], where);
          else if (call.expected !== null) rejected(out, call.expected, where);
          else {
            const { f } = reference(c, specs, weights, call.clean);
            checkForwardResult(c, expectOk(out, where), f, call.clean.seq, call.clean.batch, where, POOL_TOLERANCE);
            if (call.clean.training) slot.pending = { seq: call.clean.seq, batch: call.clean.batch, x: call.clean.x, h0: call.clean.h0, c0: call.clean.c0 };
          }
          break;
        }
        case 'backward': {
          const call = backwardCall(c, op, slot.pending);
          const out = await attemptAsync(() => layer.backward(...call.args));
          tally('pool', op, out);
          if (slot.disposed) rejected(out, ['E_DISPOSED'], where);
          else if (call.expected !== null) rejected(out, call.expected, where);
          else {
            const p = slot.pending!;
            const { g } = reference(c, specs, weights, { ...p, training: true }, call.clean);
            checkBackwardResult(c, specs, expectOk(out, where), g!, p, where, POOL_TOLERANCE);
            slot.pending = undefined;
          }
          break;
        }
        case 'load': {
          const call = loadCall(c, op, 'pool');
          const out = await attemptAsync(() => layer.loadStateDict(...call.args));
          tally('pool', op, out);
          if (slot.disposed) rejected(out, ['E_DISPOSED'], where);
          else if (call.expected !== null) rejected(out, call.expected, where);
          else {
            expectOk(out, where);
            for (const [name, v] of call.writes) weights.set(name, v);
            if (call.writes.size > 0) slot.pending = undefined;
          }
          break;
        }
        case 'stateDict': {
          const out = await attemptAsync(() => layer.stateDict());
          tally('pool', op, out);
          if (slot.disposed) rejected(out, ['E_DISPOSED'], where);
          else checkStateDict(slot, expectOk(out, where), where);
          break;
        }
        case 'dispose':
          expectOk(await attemptAsync(() => layer.dispose()), where);
          slot.disposed = true;
          break;
      }
    }
    if (!slot.disposed) {
      const where = 'pool end';
      if (slot.pending) {
        const grads = fullGrads(c, slot.pending, 4242);
        const value = expectOk(await attemptAsync(() => layer.backward(grads)), `${where}: backward of the pending training forward`);
        const { g } = reference(c, specs, weights, { ...slot.pending, training: true }, grads);
        checkBackwardResult(c, specs, value, g!, slot.pending, `${where}: backward of the pending training forward`, POOL_TOLERANCE);
      } else {
        rejected(await attemptAsync(() => layer.backward()), ['E_NO_TRAINING_FORWARD'], `${where}: backward with no pending training forward`);
      }
      checkStateDict(slot, await layer.stateDict(), where);
      const p: Pending = { seq: 3, batch: 3, x: { data: floats(99, numel(xShape(c, 3, 3))), shape: xShape(c, 3, 3) }, h0: { data: floats(98, numel(stateShape(c, 3))), shape: stateShape(c, 3) } };
      if (isLstm(c)) p.c0 = { data: floats(97, numel(cellShape(c, 3))), shape: cellShape(c, 3) };
      const grads = fullGrads(c, p, 96);
      const f = expectOk(await attemptAsync(() => layer.forward(p.x, { h0: p.h0, c0: p.c0, training: true })), `${where}: probe forward`);
      const g = expectOk(await attemptAsync(() => layer.backward(grads)), `${where}: probe backward`);
      const ref = reference(c, specs, weights, { ...p, training: true }, grads);
      checkForwardResult(c, f, ref.f, 3, 3, `${where}: probe forward`, POOL_TOLERANCE);
      checkBackwardResult(c, specs, g, ref.g!, p, `${where}: probe backward`, POOL_TOLERANCE);
    }
  } finally {
    await layer.dispose();
  }
}
