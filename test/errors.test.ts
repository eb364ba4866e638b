/**
 * Every bad input gives a WasmRnnError with the right `code` and a message that names the
 * problem, and leaves the layer usable: each error is thrown on one long-lived instance per
 * cell, and after every error that instance must reproduce, bit for bit, the forward outputs,
 * gradients and parameters recorded before any error. Rejected backward() calls must not
 * consume the activations of the pending training forward, and a rejected loadStateDict must
 * leave the parameters unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRU, LSTM, RNN, type Tensor, WasmRnnError, tensor, zeros } from '../ts/index';
import type { WasmRnnErrorCode } from '../ts/errors';
import { Rng, cloneTensor, numel } from './helpers/random';

type Cell = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'lstm_proj' | 'gru';

interface Spec {
  cell: Cell;
  inputSize: number;
  hiddenSize: number;
  projSize: number;
  numLayers: number;
  bidirectional: boolean;
  batchFirst: boolean;
  seq: number;
  batch: number;
}

const SPECS: Spec[] = [
  { cell: 'rnn_tanh', inputSize: 3, hiddenSize: 5, projSize: 0, numLayers: 2, bidirectional: true, batchFirst: false, seq: 4, batch: 2 },
  { cell: 'rnn_relu', inputSize: 3, hiddenSize: 5, projSize: 0, numLayers: 1, bidirectional: false, batchFirst: true, seq: 4, batch: 2 },
  { cell: 'lstm', inputSize: 3, hiddenSize: 5, projSize: 0, numLayers: 2, bidirectional: true, batchFirst: false, seq: 4, batch: 2 },
  { cell: 'lstm_proj', inputSize: 3, hiddenSize: 5, projSize: 3, numLayers: 2, bidirectional: true, batchFirst: true, seq: 4, batch: 2 },
  { cell: 'gru', inputSize: 3, hiddenSize: 5, projSize: 0, numLayers: 2, bidirectional: true, batchFirst: true, seq: 4, batch: 2 },
];

type AnyLayer = RNN | LSTM | GRU;
type Fwd = { output: Tensor; hN: Tensor; cN?: Tensor };
type Grads = { input: Tensor; h0: Tensor; c0?: Tensor; params: Record<string, Tensor> };
// The API's option types are per class; these tests also pass wrong things on purpose.
type LooseForward = (x: unknown, options?: unknown) => Fwd;
type LooseBackward = (grads?: unknown) => Grads;

function build(s: Spec, seed = 11): AnyLayer {
  const o = { inputSize: s.inputSize, hiddenSize: s.hiddenSize, numLayers: s.numLayers, bidirectional: s.bidirectional, batchFirst: s.batchFirst, seed };
  switch (s.cell) {
    case 'rnn_tanh':
      return new RNN({ ...o, nonlinearity: 'tanh' });
    case 'rnn_relu':
      return new RNN({ ...o, nonlinearity: 'relu' });
    case 'lstm':
    case 'lstm_proj':
      return new LSTM({ ...o, projSize: s.projSize });
    case 'gru':
      return new GRU(o);
  }
}

const isLstm = (s: Spec) => s.cell === 'lstm' || s.cell === 'lstm_proj';
const fwd = (layer: AnyLayer, x: unknown, options?: unknown): Fwd => (layer.forward as LooseForward).call(layer, x, options);
const bwd = (layer: AnyLayer, grads?: unknown): Grads => (layer.backward as LooseBackward).call(layer, grads);

/** The raw bits of a float32 tensor, so comparisons are exact (−0 ≠ +0, NaN payloads). */
function bits(t: Tensor): { shape: number[]; bits: Uint32Array } {
  return { shape: [...t.shape], bits: new Uint32Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength)) };
}

interface Snapshot {
  output: ReturnType<typeof bits>;
  hN: ReturnType<typeof bits>;
  cN?: ReturnType<typeof bits>;
  input: ReturnType<typeof bits>;
  h0: ReturnType<typeof bits>;
  c0?: ReturnType<typeof bits>;
  params: Record<string, ReturnType<typeof bits>>;
  stateDict: Record<string, ReturnType<typeof bits>>;
}

interface Fixture {
  spec: Spec;
  layer: AnyLayer;
  x: Tensor;
  h0: Tensor;
  c0: Tensor;
  dy: Tensor;
  dh: Tensor;
  dc: Tensor;
  ref: Snapshot;
  /** Shapes for messages. */
  xShape: number[];
  stateShape: number[];
  cellShape: number[];
  outShape: number[];
}

function makeFixture(spec: Spec): Omit<Fixture, 'ref'> {
  const rng = new Rng(2024);
  const D = spec.bidirectional ? 2 : 1;
  const O = spec.projSize || spec.hiddenSize;
  const xShape = spec.batchFirst ? [spec.batch, spec.seq, spec.inputSize] : [spec.seq, spec.batch, spec.inputSize];
  const stateShape = [spec.numLayers * D, spec.batch, O];
  const cellShape = [spec.numLayers * D, spec.batch, spec.hiddenSize];
  const outShape = spec.batchFirst ? [spec.batch, spec.seq, D * O] : [spec.seq, spec.batch, D * O];
  return {
    spec,
    layer: build(spec),
    x: rng.tensor(xShape),
    h0: rng.tensor(stateShape, -0.5, 0.5),
    c0: rng.tensor(cellShape),
    dy: rng.tensor(outShape),
    dh: rng.tensor(stateShape),
    dc: rng.tensor(cellShape),
    xShape,
    stateShape,
    cellShape,
    outShape,
  };
}

function forwardArgs(fx: Omit<Fixture, 'ref'>, training: boolean): object {
  return isLstm(fx.spec) ? { h0: fx.h0, c0: fx.c0, training } : { h0: fx.h0, training };
}
function backwardArgs(fx: Omit<Fixture, 'ref'>): object {
  return isLstm(fx.spec) ? { output: fx.dy, hN: fx.dh, cN: fx.dc } : { output: fx.dy, hN: fx.dh };
}

function snapshotOf(fx: Omit<Fixture, 'ref'>, f: Fwd, g: Grads): Snapshot {
  const params: Snapshot['params'] = {};
  for (const [k, v] of Object.entries(g.params)) params[k] = bits(v);
  const stateDict: Snapshot['stateDict'] = {};
  for (const [k, v] of Object.entries(fx.layer.stateDict())) stateDict[k] = bits(v);
  return {
    output: bits(f.output),
    hN: bits(f.hN),
    ...(f.cN ? { cN: bits(f.cN) } : {}),
    input: bits(g.input),
    h0: bits(g.h0),
    ...(g.c0 ? { c0: bits(g.c0) } : {}),
    params,
    stateDict,
  };
}

/** A training forward then a backward with the fixture's fixed inputs. */
function snapshot(fx: Omit<Fixture, 'ref'>): Snapshot {
  const f = fwd(fx.layer, fx.x, forwardArgs(fx, true));
  const g = bwd(fx.layer, backwardArgs(fx));
  return snapshotOf(fx, f, g);
}

/** The instance still gives exactly the results recorded before any error. */
function expectIntact(fx: Fixture): void {
  expect(snapshot(fx)).toEqual(fx.ref);
  // Inference forward too.
  const f = fwd(fx.layer, fx.x, forwardArgs(fx, false));
  expect(bits(f.output)).toEqual(fx.ref.output);
  expect(bits(f.hN)).toEqual(fx.ref.hN);
}

/** `f` throws a WasmRnnError with `code` whose message contains every part. */
function expectError(f: () => unknown, code: WasmRnnErrorCode, ...parts: (string | RegExp)[]): WasmRnnError {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a WasmRnnError to be thrown').toBeInstanceOf(WasmRnnError);
  const e = thrown as WasmRnnError;
  expect(e).toBeInstanceOf(Error);
  expect(e.name).toBe('WasmRnnError');
  expect(e.code, e.message).toBe(code);
  for (const p of parts) {
    if (typeof p === 'string') expect(e.message).toContain(p);
    else expect(e.message).toMatch(p);
  }
  return e;
}

const fmt = (shape: readonly (number | string)[]) => `[${shape.join(', ')}]`;

describe.each(SPECS)('$cell', (spec) => {
  let fx: Fixture;
  const cls = isLstm(spec) ? 'LSTM' : spec.cell === 'gru' ? 'GRU' : 'RNN';

  beforeAll(() => {
    const base = makeFixture(spec);
    fx = { ...base, ref: snapshot(base) };
    // Sanity: the reference is reproducible before any error happened.
    expect(snapshot(base)).toEqual(fx.ref);
  });
  afterAll(() => fx.layer.dispose());

  /** Error, then the instance must be intact. */
  function rejects(f: () => unknown, code: WasmRnnErrorCode, ...parts: (string | RegExp)[]): void {
    expectError(f, code, ...parts);
    expectIntact(fx);
  }

  /** A training forward, a rejected backward, then the real backward must still work. */
  function backwardRejects(bad: unknown, code: WasmRnnErrorCode, ...parts: (string | RegExp)[]): void {
    const f = fwd(fx.layer, fx.x, forwardArgs(fx, true));
    expectError(() => bwd(fx.layer, bad), code, ...parts);
    const g = bwd(fx.layer, backwardArgs(fx));
    expect(snapshotOf(fx, f, g)).toEqual(fx.ref);
    expectIntact(fx);
  }

  describe('forward: x', () => {
    const xDesc = spec.batchFirst ? '[batch, seq, inputSize]' : '[seq, batch, inputSize]';
    const want = fmt(['*', '*', spec.inputSize]);
    it('rank 2', () => rejects(() => fwd(fx.layer, tensor(new Float32Array(8 * spec.inputSize), [8, spec.inputSize])), 'E_SHAPE', `${cls}.forward`, 'x', xDesc, want, `got ${fmt([8, spec.inputSize])}`));
    it('rank 4', () => rejects(() => fwd(fx.layer, zeros([1, 2, 2, spec.inputSize])), 'E_SHAPE', 'x', want, `got ${fmt([1, 2, 2, spec.inputSize])}`));
    it('wrong inputSize', () => rejects(() => fwd(fx.layer, zeros([4, 2, spec.inputSize + 2])), 'E_SHAPE', 'x', want, `got ${fmt([4, 2, spec.inputSize + 2])}`));
    it('zero-length sequence', () => rejects(() => fwd(fx.layer, zeros(spec.batchFirst ? [2, 0, spec.inputSize] : [0, 2, spec.inputSize])), 'E_SHAPE', 'x', want));
    it('non-integer dimension', () => rejects(() => fwd(fx.layer, { data: new Float32Array(6), shape: [1.5, 2, spec.inputSize] }), 'E_SHAPE', 'x', 'got [1.5, 2'));
    it('data length ≠ shape', () => rejects(() => fwd(fx.layer, { data: new Float32Array(4 * 2 * spec.inputSize + 1), shape: [4, 2, spec.inputSize] }), 'E_SHAPE', 'x', `${4 * 2 * spec.inputSize} elements`, `holds ${4 * 2 * spec.inputSize + 1}`));
    it('Float64Array data', () => rejects(() => fwd(fx.layer, { data: new Float64Array(fx.x.data), shape: fx.xShape }), 'E_DTYPE', 'x', 'Float32Array', 'Float64Array'));
    it('plain array data', () => rejects(() => fwd(fx.layer, { data: Array.from(fx.x.data), shape: fx.xShape }), 'E_DTYPE', 'x', 'Float32Array', 'Array'));
    it('a bare Float32Array instead of a tensor', () => rejects(() => fwd(fx.layer, fx.x.data), 'E_DTYPE', 'x', 'Tensor', 'Float32Array'));
    it('null / undefined', () => {
      rejects(() => fwd(fx.layer, null), 'E_DTYPE', 'x', 'Tensor', 'null');
      rejects(() => fwd(fx.layer, undefined), 'E_DTYPE', 'x', 'Tensor', 'undefined');
    });
    it('shape not an array', () => rejects(() => fwd(fx.layer, { data: fx.x.data, shape: 'abc' }), 'E_SHAPE', 'x', want, 'string'));
  });

  describe('forward: h0 / c0 / options', () => {
    it('h0 with one state too many', () => {
      const bad = [fx.stateShape[0]! + 1, spec.batch, fx.stateShape[2]!];
      rejects(() => fwd(fx.layer, fx.x, { h0: zeros(bad) }), 'E_SHAPE', `${cls}.forward`, 'h0', fmt(fx.stateShape), `got ${fmt(bad)}`);
    });
    it('h0 with the wrong batch', () => {
      const bad = [fx.stateShape[0]!, spec.batch + 1, fx.stateShape[2]!];
      rejects(() => fwd(fx.layer, fx.x, { h0: zeros(bad) }), 'E_SHAPE', 'h0', fmt(fx.stateShape), `got ${fmt(bad)}`);
    });
    it('h0 of rank 2', () => rejects(() => fwd(fx.layer, fx.x, { h0: zeros([fx.stateShape[0]!, spec.batch * fx.stateShape[2]!]) }), 'E_SHAPE', 'h0', fmt(fx.stateShape)));
    if (spec.projSize > 0) {
      it('h0 sized by hiddenSize instead of projSize', () => rejects(() => fwd(fx.layer, fx.x, { h0: zeros(fx.cellShape) }), 'E_SHAPE', 'h0', fmt(fx.stateShape), `got ${fmt(fx.cellShape)}`));
    }
    it('h0 with Float64Array / plain-array data', () => {
      rejects(() => fwd(fx.layer, fx.x, { h0: { data: new Float64Array(numel(fx.stateShape)), shape: fx.stateShape } }), 'E_DTYPE', 'h0', 'Float64Array');
      rejects(() => fwd(fx.layer, fx.x, { h0: { data: new Array(numel(fx.stateShape)).fill(0), shape: fx.stateShape } }), 'E_DTYPE', 'h0', 'Array');
    });
    if (isLstm(spec)) {
      it('c0 with the wrong shape', () => {
        const bad = [fx.cellShape[0]!, spec.batch, spec.hiddenSize + 1];
        rejects(() => fwd(fx.layer, fx.x, { h0: fx.h0, c0: zeros(bad) }), 'E_SHAPE', 'LSTM.forward', 'c0', fmt(fx.cellShape), `got ${fmt(bad)}`);
      });
      if (spec.projSize > 0) {
        it('c0 sized by projSize instead of hiddenSize', () => rejects(() => fwd(fx.layer, fx.x, { c0: zeros(fx.stateShape) }), 'E_SHAPE', 'c0', fmt(fx.cellShape), `got ${fmt(fx.stateShape)}`));
      }
      it('c0 with Float64Array data', () => rejects(() => fwd(fx.layer, fx.x, { c0: { data: new Float64Array(numel(fx.cellShape)), shape: fx.cellShape } }), 'E_DTYPE', 'c0', 'Float64Array'));
    } else {
      // BUG (ts/layers/gru.ts, ts/layers/rnn.ts): forward() passes `undefined` as c0 to
      // runForward, so a c0 given from JavaScript is silently ignored instead of raising
      // E_ARGUMENT ("c0 is only accepted by LSTM", which the Rust side implements and
      // errors.ts documents). Input: new GRU({inputSize:3, hiddenSize:5}).forward(x, { c0 }).
      it('c0 is rejected (E_ARGUMENT)', () => {
        rejects(() => fwd(fx.layer, fx.x, { h0: fx.h0, c0: zeros(fx.stateShape) }), 'E_ARGUMENT', 'c0', 'LSTM');
      });
    }
    it('options that are not an object', () => rejects(() => fwd(fx.layer, fx.x, 42), 'E_ARGUMENT', `${cls}.forward`, 'options', 'number'));
    it('training that is not a boolean', () => rejects(() => fwd(fx.layer, fx.x, { training: 'yes' }), 'E_ARGUMENT', 'training', 'boolean', 'string'));
    it('a rejected training forward keeps the pending activations', () => {
      const f = fwd(fx.layer, fx.x, forwardArgs(fx, true));
      expectError(() => fwd(fx.layer, fx.x, { h0: zeros([1, 1, 1]), training: true }), 'E_SHAPE', 'h0');
      const g = bwd(fx.layer, backwardArgs(fx));
      expect(snapshotOf(fx, f, g)).toEqual(fx.ref);
    });
  });

  describe('backward', () => {
    it('without any forward', () => {
      const fresh = build(spec);
      try {
        expectError(() => bwd(fresh, backwardArgs(fx)), 'E_NO_TRAINING_FORWARD', `${cls}.backward`, 'training: true');
        // …and the fresh layer works afterwards.
        fwd(fresh, fx.x, forwardArgs(fx, true));
        bwd(fresh, backwardArgs(fx));
      } finally {
        fresh.dispose();
      }
    });
    it('after an inference-only forward', () => {
      const fresh = build(spec);
      try {
        fwd(fresh, fx.x, forwardArgs(fx, false));
        expectError(() => bwd(fresh, backwardArgs(fx)), 'E_NO_TRAINING_FORWARD', 'training: true');
        fwd(fresh, fx.x, forwardArgs(fx, false));
        fwd(fresh, fx.x); // defaults to inference
        expectError(() => bwd(fresh), 'E_NO_TRAINING_FORWARD');
      } finally {
        fresh.dispose();
      }
    });
    it('twice after one training forward', () => {
      fwd(fx.layer, fx.x, forwardArgs(fx, true));
      bwd(fx.layer, backwardArgs(fx));
      rejects(() => bwd(fx.layer, backwardArgs(fx)), 'E_NO_TRAINING_FORWARD', 'training: true');
    });
    it('after training forward → backward → inference forward', () => {
      fwd(fx.layer, fx.x, forwardArgs(fx, true));
      bwd(fx.layer, backwardArgs(fx));
      fwd(fx.layer, fx.x, forwardArgs(fx, false));
      rejects(() => bwd(fx.layer, backwardArgs(fx)), 'E_NO_TRAINING_FORWARD');
    });
    it('output gradient of the wrong shape', () => {
      const bad = [...fx.outShape];
      bad[2] = bad[2]! + 1;
      backwardRejects({ output: zeros(bad) }, 'E_SHAPE', `${cls}.backward`, 'output gradient', fmt(fx.outShape), `got ${fmt(bad)}`);
    });
    it('output gradient with swapped seq and batch', () => {
      const bad = [fx.outShape[1]!, fx.outShape[0]!, fx.outShape[2]!];
      backwardRejects({ output: zeros(bad) }, 'E_SHAPE', 'output gradient', fmt(fx.outShape), `got ${fmt(bad)}`);
    });
    it('hN gradient of the wrong shape', () => {
      const bad = [fx.stateShape[0]!, spec.batch, fx.stateShape[2]! + 1];
      backwardRejects({ hN: zeros(bad) }, 'E_SHAPE', 'hN gradient', fmt(fx.stateShape), `got ${fmt(bad)}`);
    });
    it('gradients with Float64Array / plain-array data', () => {
      backwardRejects({ output: { data: new Float64Array(numel(fx.outShape)), shape: fx.outShape } }, 'E_DTYPE', 'output gradient', 'Float64Array');
      backwardRejects({ hN: { data: new Array(numel(fx.stateShape)).fill(0), shape: fx.stateShape } }, 'E_DTYPE', 'hN gradient', 'Array');
    });
    it('arguments that are not an object', () => backwardRejects(7, 'E_ARGUMENT', `${cls}.backward`, 'number'));
    if (isLstm(spec)) {
      it('cN gradient of the wrong shape', () => {
        const bad = fx.stateShape[2] === spec.hiddenSize ? [1, 1, 1] : fx.stateShape;
        backwardRejects({ cN: zeros(bad) }, 'E_SHAPE', 'cN gradient', fmt(fx.cellShape), `got ${fmt(bad)}`);
      });
      it('cN gradient with Float64Array data', () => backwardRejects({ cN: { data: new Float64Array(numel(fx.cellShape)), shape: fx.cellShape } }, 'E_DTYPE', 'cN gradient', 'Float64Array'));
    } else {
      // BUG (ts/layers/gru.ts, ts/layers/rnn.ts): backward() passes `undefined` as the cN
      // gradient, so { cN } from JavaScript is silently ignored instead of E_ARGUMENT ("a cN
      // gradient is only accepted by LSTM", implemented in Rust but never reached).
      it('a cN gradient is rejected (E_ARGUMENT)', () => {
        backwardRejects({ output: fx.dy, cN: zeros(fx.stateShape) }, 'E_ARGUMENT', 'cN');
      });
    }
  });

  describe('loadStateDict / stateDict', () => {
    const names = () => fx.layer.parameterNames();
    it('an unknown name (strict and non-strict)', () => {
      const dict = { ...fx.layer.stateDict(), weight_ih_l9: zeros([1]) };
      rejects(() => fx.layer.loadStateDict(dict), 'E_PARAM_NAME', `${cls}.loadStateDict`, '"weight_ih_l9"', names().join(', '));
      rejects(() => fx.layer.loadStateDict({ bogus: zeros([1]) }, { strict: false }), 'E_PARAM_NAME', '"bogus"');
    });
    if (spec.projSize === 0) {
      it("weight_hr (an LSTM-projection name) on a layer without projection", () => {
        rejects(() => fx.layer.loadStateDict({ weight_hr_l0: zeros([1, spec.hiddenSize]) }, { strict: false }), 'E_PARAM_NAME', 'weight_hr_l0');
      });
    }
    it('missing names (strict is the default)', () => {
      const dict = fx.layer.stateDict();
      const dropped = names().filter((_, i) => i % 2 === 1);
      for (const n of dropped) delete dict[n];
      const e = expectError(() => fx.layer.loadStateDict(dict), 'E_PARAM_NAME', 'missing', 'strict: false');
      for (const n of dropped) expect(e.message).toContain(n);
      expectIntact(fx);
      rejects(() => fx.layer.loadStateDict({}, { strict: true }), 'E_PARAM_NAME', 'missing', names()[0]!);
    });
    it('the wrong number of elements', () => {
      const name = names()[1]!;
      const shape = fx.layer.stateDict()[name]!.shape;
      const bad = [shape[0]!, shape[1]! + 1];
      rejects(() => fx.layer.loadStateDict({ [name]: zeros(bad) }, { strict: false }), 'E_PARAM_SIZE', name, fmt(shape), `got ${fmt(bad)}`);
    });
    it('the right size in the wrong shape (transposed, flattened)', () => {
      const name = names()[0]!;
      const shape = fx.layer.stateDict()[name]!.shape;
      rejects(() => fx.layer.loadStateDict({ [name]: zeros([shape[1]!, shape[0]!]) }, { strict: false }), 'E_PARAM_SIZE', name, fmt(shape), `got ${fmt([shape[1]!, shape[0]!])}`);
      rejects(() => fx.layer.loadStateDict({ [name]: zeros([numel(shape)]) }, { strict: false }), 'E_PARAM_SIZE', name, fmt(shape), `got [${numel(shape)}]`);
    });
    it('data length ≠ shape', () => {
      const name = names()[0]!;
      const shape = fx.layer.stateDict()[name]!.shape;
      rejects(() => fx.layer.loadStateDict({ [name]: { data: new Float32Array(numel(shape) - 1), shape } }, { strict: false }), 'E_PARAM_SIZE', name, `holds ${numel(shape) - 1}`);
    });
    it('Float64Array / plain-array / Int32Array data', () => {
      const sd = fx.layer.stateDict();
      const name = names()[0]!;
      const shape = sd[name]!.shape;
      rejects(() => fx.layer.loadStateDict({ ...sd, [name]: { data: new Float64Array(sd[name]!.data), shape } as unknown as Tensor }), 'E_DTYPE', name, 'Float64Array');
      rejects(() => fx.layer.loadStateDict({ [name]: { data: Array.from(sd[name]!.data), shape } as unknown as Tensor }, { strict: false }), 'E_DTYPE', name, 'Array');
      rejects(() => fx.layer.loadStateDict({ [name]: { data: new Int32Array(numel(shape)), shape } as unknown as Tensor }, { strict: false }), 'E_DTYPE', name, 'Int32Array');
    });
    it('a value that is not a tensor', () => {
      const name = names()[0]!;
      rejects(() => fx.layer.loadStateDict({ [name]: null as unknown as Tensor }, { strict: false }), 'E_DTYPE', name, 'null');
    });
    it('a dict that is not an object', () => {
      rejects(() => fx.layer.loadStateDict(null as unknown as Record<string, Tensor>), 'E_ARGUMENT', `${cls}.loadStateDict`, 'null');
      rejects(() => fx.layer.loadStateDict(5 as unknown as Record<string, Tensor>), 'E_ARGUMENT', 'number');
    });
    it('is all-or-nothing: valid entries before an invalid one are not written', () => {
      const sd = fx.layer.stateDict();
      const ns = names();
      const changed: Record<string, Tensor> = {};
      for (const n of ns) changed[n] = tensor(sd[n]!.data.map((v) => v + 0.25), sd[n]!.shape);
      // The last entry is bad in each of three ways; everything before it is valid.
      const last = ns[ns.length - 1]!;
      rejects(() => fx.layer.loadStateDict({ ...changed, [last]: zeros([1]) }), 'E_PARAM_SIZE', last);
      rejects(() => fx.layer.loadStateDict({ ...changed, [last]: { data: new Float64Array(numel(sd[last]!.shape)), shape: sd[last]!.shape } as unknown as Tensor }), 'E_DTYPE', last);
      rejects(() => fx.layer.loadStateDict({ ...changed, zzz_unknown: zeros([1]) }), 'E_PARAM_NAME', 'zzz_unknown');
    });
    it('stateDict returns copies: mutating them does not change the layer', () => {
      const sd = fx.layer.stateDict();
      for (const t of Object.values(sd)) t.data.fill(123);
      expectIntact(fx);
    });
    it('loading a tensor and then mutating it does not change the layer', () => {
      const sd = fx.layer.stateDict();
      const copy: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(sd)) copy[k] = cloneTensor(v);
      fx.layer.loadStateDict(copy);
      for (const t of Object.values(copy)) t.data.fill(-7);
      expectIntact(fx);
    });
  });

  describe('use after dispose', () => {
    it('every method throws E_DISPOSED; dispose twice is a no-op', () => {
      const layer = build(spec);
      const sd = layer.stateDict();
      fwd(layer, fx.x, forwardArgs(fx, true)); // pending activations must not matter
      layer.dispose();
      expect(layer.alive).toBe(false);
      const msg = `${cls} was disposed`;
      expectError(() => fwd(layer, fx.x, forwardArgs(fx, false)), 'E_DISPOSED', msg);
      expectError(() => fwd(layer, fx.x, forwardArgs(fx, true)), 'E_DISPOSED', msg);
      expectError(() => fwd(layer, null), 'E_DISPOSED', msg); // disposal is checked before arguments
      expectError(() => bwd(layer, backwardArgs(fx)), 'E_DISPOSED', msg);
      expectError(() => bwd(layer), 'E_DISPOSED', msg);
      expectError(() => layer.stateDict(), 'E_DISPOSED', msg);
      expectError(() => layer.loadStateDict(sd), 'E_DISPOSED', msg);
      expectError(() => layer.loadStateDict({ bogus: zeros([1]) }), 'E_DISPOSED', msg);
      expect(() => layer.dispose()).not.toThrow();
      expect(() => layer[Symbol.dispose]()).not.toThrow();
      expectError(() => layer.stateDict(), 'E_DISPOSED', msg);
      // The other instances are unaffected.
      expectIntact(fx);
    });
  });

  describe('an inference forward between a training forward and its backward', () => {
    // Regression (fixed in c249794, "network: keep the training input apart from inference"):
    // an inference forward used to overwrite the layer-0 input saved for backward, so
    //   - same shape: backward() silently returned the wrong weight_ih_l0 gradient;
    //   - smaller batch: backward() trapped (E_INTERNAL) and poisoned the instance (every later
    //     call failed with "recursive use of an object detected…", dispose() threw a plain Error).
    // Either refusing (E_NO_TRAINING_FORWARD) or returning the training forward's gradients is
    // acceptable. Each case uses a fresh layer, since the old failure poisoned it.
    it('same shape: backward throws E_NO_TRAINING_FORWARD or returns the training forward\'s gradients', () => {
      const layer = build(spec);
      try {
        const other = new Rng(5).tensor(fx.xShape);
        const f = fwd(layer, fx.x, forwardArgs(fx, true));
        fwd(layer, other, forwardArgs(fx, false));
        let g: Grads;
        try {
          g = bwd(layer, backwardArgs(fx));
        } catch (e) {
          expect((e as WasmRnnError).code).toBe('E_NO_TRAINING_FORWARD');
          return;
        }
        expect(snapshotOf({ ...fx, layer }, f, g)).toEqual(fx.ref);
      } finally {
        layer.dispose();
      }
    });
    it('smaller batch: no trap, and the layer stays usable', () => {
      const layer = build(spec);
      try {
        const f = fwd(layer, fx.x, forwardArgs(fx, true));
        fwd(layer, zeros(spec.batchFirst ? [1, 2, spec.inputSize] : [2, 1, spec.inputSize]));
        try {
          const g = bwd(layer, backwardArgs(fx));
          expect(snapshotOf({ ...fx, layer }, f, g)).toEqual(fx.ref);
        } catch (e) {
          expect((e as WasmRnnError).code).toBe('E_NO_TRAINING_FORWARD');
        }
        expect(snapshot({ ...fx, layer })).toEqual(fx.ref);
      } finally {
        layer.dispose();
      }
    });
  });
});

describe('invalid configurations (E_CONFIG)', () => {
  const base = { inputSize: 3, hiddenSize: 4 };
  const classes = [
    ['RNN', (o: object) => new RNN(o as never)],
    ['LSTM', (o: object) => new LSTM(o as never)],
    ['GRU', (o: object) => new GRU(o as never)],
  ] as const;

  describe.each(classes)('%s', (name, make) => {
    it.each([
      ['hiddenSize', 0],
      ['hiddenSize', -3],
      ['hiddenSize', 2.5],
      ['hiddenSize', Number.NaN],
      ['hiddenSize', Number.POSITIVE_INFINITY],
      ['hiddenSize', '4'],
      ['inputSize', 0],
      ['inputSize', 1.25],
      ['numLayers', 0],
      ['numLayers', 1.5],
      ['seed', -1],
      ['seed', 0.5],
    ])('%s = %s', (key, value) => {
      expectError(() => make({ ...base, [key]: value }), 'E_CONFIG', `${name}:`, key, 'integer');
    });
    it.each([['bidirectional'], ['bias'], ['batchFirst']])('%s not a boolean', (key) => {
      expectError(() => make({ ...base, [key]: 1 }), 'E_CONFIG', key, 'boolean', 'number');
    });
    it('missing sizes', () => {
      expectError(() => make({ hiddenSize: 4 }), 'E_CONFIG', 'inputSize', 'undefined');
      expectError(() => make({ inputSize: 4 }), 'E_CONFIG', 'hiddenSize', 'undefined');
    });
    it('options that are not an object', () => {
      expectError(() => make(undefined as unknown as object), 'E_CONFIG', name, 'options', 'undefined');
      expectError(() => make(null as unknown as object), 'E_CONFIG', name, 'options', 'null');
    });
    it('sizes a wasm32 instance cannot hold (E_TOO_LARGE)', () => {
      expectError(() => make({ inputSize: 100_000, hiddenSize: 100_000 }), 'E_TOO_LARGE', name, 'bytes');
    });
    if (name !== 'LSTM') {
      // BUG (ts/layers/rnn.ts, ts/layers/gru.ts): the constructors pass a hard-coded projSize 0,
      // so { projSize: 2 } from JavaScript is silently ignored instead of E_CONFIG ("projSize is
      // only supported by LSTM", which the Rust config validation implements).
      it('projSize is rejected', () => {
        expectError(() => make({ ...base, projSize: 2 }), 'E_CONFIG', 'projSize', 'LSTM');
      });
    }
  });

  it('LSTM projSize ≥ hiddenSize', () => {
    expectError(() => new LSTM({ ...base, projSize: 4 }), 'E_CONFIG', 'projSize (4)', 'hiddenSize (4)');
    expectError(() => new LSTM({ ...base, projSize: 9 }), 'E_CONFIG', 'projSize (9)', 'smaller than hiddenSize');
  });
  it('LSTM projSize negative or non-integer', () => {
    expectError(() => new LSTM({ ...base, projSize: -1 }), 'E_CONFIG', 'projSize', 'integer');
    expectError(() => new LSTM({ ...base, projSize: 1.5 }), 'E_CONFIG', 'projSize', 'integer');
  });
  it("RNN nonlinearity 'sigmoid'", () => {
    expectError(() => new RNN({ ...base, nonlinearity: 'sigmoid' as 'tanh' }), 'E_CONFIG', 'nonlinearity', "'tanh' or 'relu'", '"sigmoid"');
  });
  it('a rejected configuration leaves nothing behind: valid layers still work', () => {
    const layer = new GRU({ ...base, seed: 3 });
    try {
      const x = new Rng(1).tensor([2, 1, 3]);
      const a = layer.forward(x);
      expect(() => new LSTM({ ...base, projSize: 4 })).toThrow(WasmRnnError);
      expect(() => new RNN({ ...base, hiddenSize: 0 })).toThrow(WasmRnnError);
      expect(bits(layer.forward(x).output)).toEqual(bits(a.output));
    } finally {
      layer.dispose();
    }
  });
});

describe('tensor() / zeros()', () => {
  it('rejects non-Float32Array data with E_DTYPE', () => {
    expectError(() => tensor(new Float64Array(4) as unknown as Float32Array, [4]), 'E_DTYPE', 'tensor()', 'Float32Array', 'Float64Array');
    expectError(() => tensor([1, 2, 3, 4] as unknown as Float32Array, [4]), 'E_DTYPE', 'tensor()', 'Array');
    expectError(() => tensor(new Uint8Array(4) as unknown as Float32Array, [4]), 'E_DTYPE', 'Uint8Array');
    expectError(() => tensor(null as unknown as Float32Array, [4]), 'E_DTYPE', 'null');
  });
  it('accepts Int32Array data (ids, class targets), which layers reject with E_DTYPE', () => {
    const ids = tensor(new Int32Array([1, 2, 3, 4]), [2, 2]);
    expect(ids.shape).toEqual([2, 2]);
    const rnn = new RNN({ inputSize: 1, hiddenSize: 2 });
    expectError(() => rnn.forward(tensor(new Int32Array(2), [2, 1, 1]) as unknown as Tensor), 'E_DTYPE', 'Float32Array', 'Int32Array');
    rnn.dispose();
  });
  it('rejects shapes that do not fit the data with E_SHAPE', () => {
    expectError(() => tensor(new Float32Array(4), [2, 3]), 'E_SHAPE', 'tensor()', '[2, 3]', '6 elements', 'data has 4');
    expectError(() => tensor(new Float32Array(4), [-1, -4]), 'E_SHAPE', 'non-negative integers', '[-1,-4]');
    expectError(() => tensor(new Float32Array(4), [2, 2.0001]), 'E_SHAPE', 'non-negative integers');
    expectError(() => tensor(new Float32Array(4), '4' as unknown as number[]), 'E_SHAPE', 'non-negative integers');
  });
  it('copies the shape', () => {
    const shape = [2, 2];
    const t = tensor(new Float32Array(4), shape);
    shape[0] = 7;
    expect(t.shape).toEqual([2, 2]);
  });
  // BUG (ts/tensor.ts, zeros): the Float32Array is allocated before the shape is validated,
  // so zeros([-1, 2]) throws a plain RangeError ("Invalid typed array length: -2") instead of
  // a WasmRnnError E_SHAPE.
  it('zeros() with a negative dimension throws E_SHAPE', () => {
    expectError(() => zeros([-1, 2]), 'E_SHAPE', 'non-negative integers');
  });
});
