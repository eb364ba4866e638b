// Uses every kind of public export a browser app touches; type-checked, never run.
import { init, LSTM, ParallelLayer, Sequential, tensor, WasmRnnError, WorkerPool, type InitOptions, type Variant } from 'wasm-rnn';

const options: InitOptions = { variant: 'simd' };
const { variant }: { variant: Variant } = await init(options);
const lstm = new LSTM({ inputSize: 3, hiddenSize: 5 });
const { output } = lstm.forward(tensor(new Float32Array(2 * 1 * 3), [2, 1, 3]));
const model = new Sequential([new LSTM({ inputSize: 1, hiddenSize: 4 })]);
const pool = await WorkerPool.create({ workers: 2 });
const replica = await pool.lstm({ inputSize: 3, hiddenSize: 5 });
const isReplica: boolean = replica instanceof ParallelLayer;
const code: string | undefined = new Error() instanceof WasmRnnError ? 'E_ARGUMENT' : undefined;
lstm.dispose();
model.dispose();
await pool.terminate();
export { variant, output, isReplica, code };
