// The CommonJS side of the package (require condition: dist/index.d.cts); type-checked, never run.
import wasmRnn = require('wasm-rnn');

export async function main(): Promise<number> {
  await wasmRnn.init({ variant: 'scalar' });
  const gru = new wasmRnn.GRU({ inputSize: 2, hiddenSize: 3 });
  const { output } = gru.forward(wasmRnn.tensor(new Float32Array(4), [2, 1, 2]));
  gru.dispose();
  return output.shape.length + (wasmRnn.ParallelLayer === undefined ? 0 : 1);
}
