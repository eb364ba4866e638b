/**
 * Hostile and malformed ONNX files: targeted mutations (huge dimensions, unknown operators,
 * cycles, wrong element types, bad attributes, missing tensors) each give the WasmRnnError
 * code naming the problem, and a fast-check property over random byte-level and structural
 * mutations of valid files shows loadOnnx + run never fail otherwise: no other error, no hang,
 * no large allocation.
 */
import { readFileSync } from 'node:fs';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WasmRnnError, tensor, wasmMemoryBytes } from '../ts/index';
import { type OnnxFeed, loadOnnx } from '../ts/interop/onnx/index';
import { AttributeProto_AttributeType, AttributeProtoSchema, type ModelProto, ModelProtoSchema } from '../ts/interop/onnx/proto/onnx_pb';

const DIR = new URL('./golden/onnx/', import.meta.url);
const SEEDS = ['helper_lstm_bidirectional_layout1_peepholes', 'helper_gru_reverse_layout0_linear_before_reset', 'helper_rnn_forward_layout0_initial_lens', 'torch_lstm_2layer_bidirectional', 'torch_embedding_gru_linear_logsoftmax', 'backend_lstm_with_peepholes'];

interface Stored {
  dtype: string;
  shape: number[];
  data: number[];
}
function load(name: string): { bytes: Uint8Array; feeds: Record<string, OnnxFeed> } {
  const c = JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as { inputs: Record<string, Stored> };
  const feeds = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, v.dtype === 'float32' ? tensor(Float32Array.from(v.data), v.shape) : tensor(Int32Array.from(v.data), v.shape)]));
  return { bytes: new Uint8Array(readFileSync(new URL(`${name}.onnx`, DIR))), feeds };
}
const FILES = SEEDS.map(load);

const LOAD_CODES = ['E_FORMAT', 'E_UNSUPPORTED'];
// A mutated graph may also declare other input shapes or types than the original feeds have,
// or pile up more intermediate values than one run may create (refused before allocating).
const RUN_CODES = [...LOAD_CODES, 'E_SHAPE', 'E_DTYPE', 'E_ARGUMENT', 'E_TOO_LARGE'];

/** Loads and runs; returns the error code, or 'ok'. Any other error fails the test. */
async function attempt(bytes: Uint8Array, feeds: Record<string, OnnxFeed>): Promise<string> {
  let m;
  try {
    m = await loadOnnx(bytes);
  } catch (e) {
    if (!(e instanceof WasmRnnError) || !LOAD_CODES.includes(e.code)) throw e;
    return e.code;
  }
  try {
    await m.run(feeds);
    return 'ok';
  } catch (e) {
    if (!(e instanceof WasmRnnError) || !RUN_CODES.includes(e.code)) throw e;
    return e.code;
  }
}

function mutate(bytes: Uint8Array, f: (m: ModelProto) => void): Uint8Array {
  const m = fromBinary(ModelProtoSchema, bytes);
  f(m);
  return toBinary(ModelProtoSchema, m);
}

async function expectCode(bytes: Uint8Array, feeds: Record<string, OnnxFeed>, code: string, text: RegExp): Promise<void> {
  let err: unknown;
  try {
    const m = await loadOnnx(bytes);
    await m.run(feeds);
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${code}`).toBeInstanceOf(WasmRnnError);
  expect((err as WasmRnnError).code, (err as Error).message).toBe(code);
  expect((err as Error).message).toMatch(text);
}

describe('malformed ONNX files', () => {
  const { bytes, feeds } = FILES[0]!;

  it('refuses what is not an ONNX model', async () => {
    await expectCode(new Uint8Array(0), feeds, 'E_FORMAT', /empty/);
    await expectCode(bytes.subarray(0, bytes.length - 7), feeds, 'E_FORMAT', /protobuf|graph|reads|initializer/);
    await expectCode(new TextEncoder().encode('PK\x03\x04 not a protobuf'), feeds, 'E_FORMAT', /./);
    await expect(loadOnnx('model.onnx' as never)).rejects.toMatchObject({ code: 'E_ARGUMENT' });
  });

  it('refuses huge declared dimensions without allocating them', async () => {
    const before = wasmMemoryBytes();
    for (const dim of [2n ** 40n, 2n ** 62n, -5n]) {
      const huge = mutate(bytes, (m) => {
        m.graph!.initializer[0]!.dims[1] = dim;
      });
      await expectCode(huge, feeds, 'E_FORMAT', /dimension|elements|raw data/);
    }
    // Consistent but enormous: a ConstantOfShape asked for 2^40 floats.
    const shapeBomb = mutate(bytes, (m) => {
      const g = m.graph!;
      g.node.unshift({ ...g.node[0]!, opType: 'ConstantOfShape', input: ['bomb_shape'], output: ['bomb'], attribute: [] } as never);
      g.initializer.push({ ...g.initializer[0]!, name: 'bomb_shape', dims: [2n], dataType: 7, rawData: new Uint8Array(new BigInt64Array([2n ** 20n, 2n ** 20n]).buffer), floatData: [] } as never);
      g.output.push({ ...g.output[0]!, name: 'bomb' } as never);
    });
    await expectCode(shapeBomb, feeds, 'E_FORMAT', /elements/);
    expect(wasmMemoryBytes() - before).toBeLessThan(64 << 20);
  });

  it('names unknown operators and domains', async () => {
    await expectCode(mutate(bytes, (m) => void (m.graph!.node[0]!.opType = 'FancyAttention')), feeds, 'E_UNSUPPORTED', /FancyAttention/);
    await expectCode(mutate(bytes, (m) => void (m.graph!.node[0]!.domain = 'com.microsoft')), feeds, 'E_UNSUPPORTED', /com\.microsoft/);
    await expectCode(mutate(bytes, (m) => void (m.opsetImport[0]!.version = 3n)), feeds, 'E_UNSUPPORTED', /opset 3/);
  });

  it('refuses cycles and undefined names', async () => {
    await expectCode(
      mutate(bytes, (m) => {
        const n = m.graph!.node[0]!;
        n.input[0] = n.output[0]!;
      }),
      feeds,
      'E_FORMAT',
      /cycle/,
    );
    await expectCode(mutate(bytes, (m) => void m.graph!.initializer.splice(0, 1)), feeds, 'E_FORMAT', /nothing defines/);
    await expectCode(mutate(bytes, (m) => void (m.graph!.output[0]!.name = 'nowhere')), feeds, 'E_FORMAT', /never computed/);
  });

  it('refuses wrong element types and inconsistent tensors', async () => {
    await expectCode(mutate(bytes, (m) => void (m.graph!.initializer[0]!.dataType = 11)), feeds, 'E_UNSUPPORTED', /element type 11/);
    await expectCode(mutate(bytes, (m) => void (m.graph!.initializer[0]!.dataType = 6)), feeds, 'E_FORMAT', /float32|needs/);
    const shorten = (m: ModelProto) => {
      const t = m.graph!.initializer[0]!;
      if (t.rawData.length > 0) t.rawData = t.rawData.subarray(4);
      else t.floatData.pop();
    };
    await expectCode(mutate(bytes, shorten), feeds, 'E_FORMAT', /raw data|needs \d+ values/);
  });

  it('refuses bad attributes of the recurrent node', async () => {
    const attr = (name: string, patch: Record<string, unknown>) => (m: ModelProto) => {
      const n = m.graph!.node[0]!;
      n.attribute = n.attribute.filter((a) => a.name !== name);
      n.attribute.push(create(AttributeProtoSchema, { name, ...patch }));
    };
    const str = (s: string) => ({ type: AttributeProto_AttributeType.STRING, s: new TextEncoder().encode(s) });
    await expectCode(mutate(bytes, attr('direction', str('sideways'))), feeds, 'E_FORMAT', /direction/);
    await expectCode(mutate(bytes, attr('layout', { type: AttributeProto_AttributeType.INT, i: 7n })), feeds, 'E_FORMAT', /layout/);
    await expectCode(mutate(bytes, attr('hidden_size', { type: AttributeProto_AttributeType.INT, i: 6n })), feeds, 'E_FORMAT', /W must have shape|R must have shape/);
    await expectCode(mutate(bytes, attr('activations', { type: AttributeProto_AttributeType.STRINGS, strings: ['Swish', 'Tanh', 'Tanh'].map((s) => new TextEncoder().encode(s)) })), feeds, 'E_UNSUPPORTED', /Swish/);
    await expectCode(mutate(bytes, attr('hidden_size', str('five'))), feeds, 'E_FORMAT', /hidden_size/);
  });
});

describe('fuzzing valid ONNX files', () => {
  const byteLevel = fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ kind: fc.constant('flip' as const), flips: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }) }),
  );
  const structural = fc.record({
    kind: fc.constant('structure' as const),
    node: fc.nat(),
    what: fc.constantFrom('op', 'input', 'dims', 'dtype', 'attr', 'drop'),
    value: fc.integer({ min: -3, max: 2 ** 31 }),
  });

  it('gives E_FORMAT / E_UNSUPPORTED (or runs), never another error, hang or huge allocation', async () => {
    const before = wasmMemoryBytes();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: FILES.length - 1 }), fc.oneof(byteLevel, structural), async (fileIndex, mutation) => {
        const { bytes, feeds } = FILES[fileIndex]!;
        let mutated: Uint8Array;
        if (mutation.kind === 'truncate') mutated = bytes.subarray(0, Math.floor(mutation.at * bytes.length));
        else if (mutation.kind === 'flip') {
          mutated = bytes.slice();
          for (const [at, x] of mutation.flips) mutated[Math.floor(at * (mutated.length - 1))]! ^= x;
        } else {
          mutated = mutate(bytes, (m) => {
            const g = m.graph!;
            const n = g.node[mutation.node % g.node.length]!;
            const t = g.initializer[mutation.node % Math.max(1, g.initializer.length)];
            switch (mutation.what) {
              case 'op':
                n.opType = ['LSTM', 'GRU', 'RNN', 'Gemm', 'Slice', 'Reshape', 'Concat', 'Mystery'][mutation.value & 7]!;
                break;
              case 'input':
                n.input[0] = g.node[Math.abs(mutation.value) % g.node.length]!.output[0] ?? '';
                break;
              case 'dims':
                if (t) t.dims[0] = BigInt(mutation.value);
                break;
              case 'dtype':
                if (t) t.dataType = mutation.value & 15;
                break;
              case 'attr':
                for (const a of n.attribute) a.i = BigInt(mutation.value);
                break;
              case 'drop':
                n.input.splice(Math.abs(mutation.value) % Math.max(1, n.input.length), 1);
                break;
            }
          });
        }
        const started = Date.now();
        const outcome = await attempt(mutated, feeds);
        expect(Date.now() - started, outcome).toBeLessThan(5000);
      }),
      { numRuns: 400, seed: 20261203 },
    );
    expect(wasmMemoryBytes() - before).toBeLessThan(128 << 20);
  }, 120_000);
});
