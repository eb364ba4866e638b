// What every bundler fixture app runs in the browser, and what test/bundlers/run.mjs runs in
// Node with the same variant to compare: plain JavaScript, the library passed in, so that the
// bundled page and Node execute the very same code. Every result is returned as float32 values
// (exact in JSON), for a bit-for-bit comparison.

/** Deterministic inputs (an LCG), so the page and Node see the same numbers. */
function series(n, seed) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

/**
 * @param lib the wasm-rnn namespace (the bundled browser build, or dist/index.js in Node)
 * @param initOptions passed to init(): {} in the page (the automatic choice), { variant } in Node
 */
export async function scenario(lib, initOptions = {}) {
  const { variant } = await lib.init(initOptions);
  const [T, B, F, H] = [5, 4, 3, 6];
  const x = lib.tensor(series(T * B * F, 1), [T, B, F]);

  // A forward of a standalone layer.
  const lstm = new lib.LSTM({ inputSize: F, hiddenSize: H, numLayers: 2, seed: 7 });
  const forward = Array.from(lstm.forward(x).output.data);
  lstm.dispose();

  // One training step of a model (loss, then the updated weights).
  const model = new lib.Sequential([new lib.GRU({ inputSize: F, hiddenSize: H }), new lib.Dense({ inputSize: H, outputSize: 2 })], { seed: 3 });
  model.compile({ loss: 'mse', optimizer: new lib.Adam({ lr: 0.01 }) });
  const y = lib.tensor(series(T * B * 2, 2), [T, B, 2]);
  const loss = model.trainStep(x, y);
  const weights = Array.from(model.getWeights());
  model.dispose();

  // A WorkerPool call: a layer replicated on 2 workers, the batch split across them.
  const pool = await lib.WorkerPool.create({ workers: 2 });
  let poolForward;
  try {
    const replica = await pool.lstm({ inputSize: F, hiddenSize: H, seed: 9 });
    poolForward = Array.from((await replica.forward(x)).output.data);
    if (!(replica instanceof lib.ParallelLayer)) throw new Error('pool.lstm() did not return a ParallelLayer');
  } finally {
    await pool.terminate();
  }
  return { variant, forward, loss: Math.fround(loss), weights, poolForward };
}
