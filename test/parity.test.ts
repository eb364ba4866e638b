/**
 * PyTorch parity: every golden case in test/golden/data (see
 * test/golden/generate.py) is run through the public API of the variant under
 * test (WASM_RNN_VARIANT, initialised by the setup file) and compared with the
 * float64 PyTorch reference.
 *
 * Errors are scaled by max(1, max|reference|) of each tensor:
 *   forward  (output, hN, cN)                     <= 1e-5
 *   gradients (input, h0, c0, every parameter)    <= 1e-4
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRU, LSTM, RNN, tensor } from '../ts/index';
import {
  GOLDEN_DIR,
  listCases,
  loadCase,
  scaledMaxError,
  toF32,
  type GoldenCase,
} from './helpers/golden';

const FORWARD_TOL = 1e-5;
const GRAD_TOL = 1e-4;
const VARIANT = process.env.WASM_RNN_VARIANT ?? 'default';

/** Tensor as produced by the library's `tensor()` (inputs we pass in). */
type InTensor = ReturnType<typeof tensor>;
/** Structural view of tensors the library returns. */
type Tensor = { readonly data: Float32Array; readonly shape: readonly number[] };

interface ForwardResult {
  output: Tensor;
  hN: Tensor;
  cN?: Tensor | undefined;
}

interface BackwardResult {
  input: Tensor;
  h0: Tensor;
  c0?: Tensor | undefined;
  params: Record<string, Tensor>;
}

/** Uniform view over RNN / LSTM / GRU so the test body is cell-agnostic. */
interface Runner {
  loadStateDict(sd: Record<string, InTensor>): void;
  forward(x: InTensor, h0: InTensor, c0: InTensor | undefined, training: boolean): ForwardResult;
  backward(dOutput: InTensor, dhN: InTensor, dcN: InTensor | undefined): BackwardResult;
  dispose(): void;
}

function makeRunner(gc: GoldenCase): Runner {
  const { inputSize, hiddenSize, numLayers, bidirectional, bias, batchFirst, projSize } =
    gc.config;
  const common = { inputSize, hiddenSize, numLayers, bidirectional, bias, batchFirst, seed: 1 };
  switch (gc.cell) {
    case 'lstm': {
      const m = new LSTM({ ...common, projSize });
      return {
        loadStateDict: (sd) => m.loadStateDict(sd),
        forward: (x, h0, c0, training) => {
          const r = c0 ? m.forward(x, { h0, c0, training }) : m.forward(x, { h0, training });
          return { output: r.output, hN: r.hN, cN: r.cN };
        },
        backward: (dOutput, dhN, dcN) => {
          const g = dcN
            ? m.backward({ output: dOutput, hN: dhN, cN: dcN })
            : m.backward({ output: dOutput, hN: dhN });
          return { input: g.input, h0: g.h0, c0: g.c0, params: g.params };
        },
        dispose: () => m.dispose(),
      };
    }
    case 'gru':
    case 'rnn_tanh':
    case 'rnn_relu': {
      // GRU and RNN have one state: the same adapter.
      const m = gc.cell === 'gru' ? new GRU(common) : new RNN({ ...common, nonlinearity: gc.cell === 'rnn_tanh' ? 'tanh' : 'relu' });
      return {
        loadStateDict: (sd) => m.loadStateDict(sd),
        forward: (x, h0, _c0, training) => {
          const r = m.forward(x, { h0, training });
          return { output: r.output, hN: r.hN };
        },
        backward: (dOutput, dhN) => {
          const g = m.backward({ output: dOutput, hN: dhN });
          return { input: g.input, h0: g.h0, params: g.params };
        },
        dispose: () => m.dispose(),
      };
    }
    default:
      throw new Error(`unknown cell ${String(gc.cell)}`);
  }
}

/** Fresh float32 Tensor (copy) of a golden tensor. */
function f32Tensor(gc: GoldenCase, name: string): InTensor {
  const t = gc.get(name);
  return tensor(toF32(t.data), t.shape.slice());
}

interface CaseResult {
  case: string;
  outputError: number;
  gradError: number;
  torchF32OutputError: number;
  torchF32GradError: number;
  /** Max |inference output - training output|, scaled. */
  inferenceVsTraining: number;
  errors: Record<string, number>;
}

const results: CaseResult[] = [];

function maxOf(rec: Record<string, number>, grad: boolean): number {
  let m = 0;
  for (const [k, v] of Object.entries(rec)) {
    if (k.startsWith('grad.') === grad) m = Math.max(m, v);
  }
  return m;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : String(x);
}

const caseNames = listCases();

describe(`PyTorch parity (${VARIANT})`, () => {
  it('has golden cases', () => {
    expect(caseNames.length).toBeGreaterThan(0);
  });

  for (const name of caseNames) {
    const gc = loadCase(name);
    const c = gc.config;
    const title =
      `${name} [${gc.cell} I=${c.inputSize} H=${c.hiddenSize} L=${c.numLayers}` +
      `${c.bidirectional ? ' bi' : ''}${c.bias ? '' : ' nobias'}${c.batchFirst ? ' batchFirst' : ''}` +
      `${c.projSize ? ` proj=${c.projSize}` : ''} T=${gc.seqLen} B=${gc.batch}]`;

    it(title, () => {
      const isLstm = gc.cell === 'lstm';
      const failures: string[] = [];
      const errors: Record<string, number> = {};

      const check = (tname: string, actual: Tensor | undefined, tol: number): number => {
        const ref = gc.get(tname);
        if (!actual) {
          failures.push(`${name} ${tname}: missing from result`);
          errors[tname] = Infinity;
          return Infinity;
        }
        if (actual.shape.join(',') !== ref.shape.join(',')) {
          failures.push(
            `${name} ${tname}: shape [${actual.shape.join(',')}] != reference [${ref.shape.join(',')}]`,
          );
          errors[tname] = Infinity;
          return Infinity;
        }
        const err = scaledMaxError(actual.data, ref.data);
        errors[tname] = err;
        if (!(err <= tol)) {
          failures.push(
            `${name} ${tname}: scaled max error ${fmt(err)} > ${tol}` +
              ` (float32 PyTorch: ${fmt(gc.float32TorchError[tname] ?? NaN)})`,
          );
        }
        return err;
      };

      const runner = makeRunner(gc);
      try {
        const sd: Record<string, InTensor> = {};
        for (const p of gc.paramNames) sd[p] = f32Tensor(gc, `param.${p}`);
        runner.loadStateDict(sd);

        const x = f32Tensor(gc, 'input');
        const h0 = f32Tensor(gc, 'h0');
        const c0 = isLstm ? f32Tensor(gc, 'c0') : undefined;

        // Inference forward first (so the training forward below is the one
        // backward() refers to).
        const inf = runner.forward(x, h0, c0, false);
        const infOutput = Float32Array.from(inf.output.data);

        const fwd = runner.forward(x, h0, c0, true);
        check('output', fwd.output, FORWARD_TOL);
        check('hN', fwd.hN, FORWARD_TOL);
        if (isLstm) check('cN', fwd.cN, FORWARD_TOL);

        // training: false must give the same output as training: true.
        let infVsTrain = Infinity;
        if (inf.output.shape.join(',') === fwd.output.shape.join(',')) {
          infVsTrain = scaledMaxError(infOutput, Float64Array.from(fwd.output.data));
        }
        if (!(infVsTrain <= FORWARD_TOL)) {
          failures.push(
            `${name} output(training:false) vs output(training:true): scaled max diff ${fmt(infVsTrain)}`,
          );
        }
        const infErr = scaledMaxError(infOutput, gc.get('output').data);
        if (!(infErr <= FORWARD_TOL)) {
          failures.push(`${name} output(training:false): scaled max error ${fmt(infErr)} > ${FORWARD_TOL}`);
        }

        const g = runner.backward(
          f32Tensor(gc, 'dOutput'),
          f32Tensor(gc, 'dhN'),
          isLstm ? f32Tensor(gc, 'dcN') : undefined,
        );
        check('grad.input', g.input, GRAD_TOL);
        check('grad.h0', g.h0, GRAD_TOL);
        if (isLstm) check('grad.c0', g.c0, GRAD_TOL);
        for (const p of gc.paramNames) check(`grad.param.${p}`, g.params[p], GRAD_TOL);
        const extra = Object.keys(g.params).filter((p) => !gc.paramNames.includes(p));
        if (extra.length > 0) failures.push(`${name}: unexpected grad params ${extra.join(', ')}`);

        results.push({
          case: name,
          outputError: maxOf(errors, false),
          gradError: maxOf(errors, true),
          torchF32OutputError: maxOf(gc.float32TorchError, false),
          torchF32GradError: maxOf(gc.float32TorchError, true),
          inferenceVsTraining: infVsTrain,
          errors,
        });
      } finally {
        runner.dispose();
      }

      expect(failures, failures.join('\n')).toEqual([]);
    });
  }

  afterAll(() => {
    if (results.length === 0) return;
    const pad = Math.max(...results.map((r) => r.case.length), 4);
    const lines = [
      `PyTorch parity (${VARIANT}): scaled max errors, ours vs float32 PyTorch`,
      `${'case'.padEnd(pad)}  ${'out'.padStart(8)}  ${'grad'.padStart(8)}  ${'pt32 out'.padStart(8)}  ${'pt32 grad'.padStart(9)}`,
    ];
    for (const r of results) {
      lines.push(
        `${r.case.padEnd(pad)}  ${fmt(r.outputError).padStart(8)}  ${fmt(r.gradError).padStart(8)}` +
          `  ${fmt(r.torchF32OutputError).padStart(8)}  ${fmt(r.torchF32GradError).padStart(9)}`,
      );
    }
    const worst = (f: (r: CaseResult) => number) => Math.max(...results.map(f));
    lines.push(
      `${'MAX'.padEnd(pad)}  ${fmt(worst((r) => r.outputError)).padStart(8)}  ${fmt(worst((r) => r.gradError)).padStart(8)}` +
        `  ${fmt(worst((r) => r.torchF32OutputError)).padStart(8)}  ${fmt(worst((r) => r.torchF32GradError)).padStart(9)}`,
    );
    console.log(lines.join('\n'));
    const summary = {
      variant: VARIANT,
      forwardTolerance: FORWARD_TOL,
      gradTolerance: GRAD_TOL,
      maxOutputError: worst((r) => r.outputError),
      maxGradError: worst((r) => r.gradError),
      maxTorchF32OutputError: worst((r) => r.torchF32OutputError),
      maxTorchF32GradError: worst((r) => r.torchF32GradError),
      cases: results,
    };
    // Infinity is not JSON; encode it as a string.
    const json = JSON.stringify(
      summary,
      (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v),
      1,
    );
    writeFileSync(join(GOLDEN_DIR, `results-${VARIANT}.json`), json + '\n');
  });
});
