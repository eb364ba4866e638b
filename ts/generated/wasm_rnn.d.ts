/* tslint:disable */
/* eslint-disable */

/**
 * dst += src (e.g. gradients of worker replicas). Both must have the same length.
 */
export function add_assign(dst: Float32Array, src: Float32Array | number[]): void;

/**
 * ln(mel power + logOffset), floored topDb below the maximum, (frames, nMels) row-major
 * (`options`: as `mel_options` reads them).
 */
export function audio_log_mel(samples: Float32Array | number[], options: Float64Array | number[]): Float32Array;

/**
 * The first `n_mfcc` orthonormal DCT-II coefficients of each log-mel frame, (frames, nMfcc)
 * row-major.
 */
export function audio_mfcc(samples: Float32Array | number[], options: Float64Array | number[], n_mfcc: number): Float32Array;

/**
 * `samples` at `from` Hz resampled to `to` Hz (torchaudio's default windowed sinc).
 */
export function audio_resample(samples: Float32Array | number[], from: number, to: number): Float32Array;

/**
 * Bytes of live allocations in this instance (what the budget is checked against).
 */
export function bytes_in_use(): number;

/**
 * Diagnostics for the test suite: traps (as a bug would) inside a call on the network, with
 * `stack_bytes` of stack in use, to check that the layer is lost cleanly and nothing else is.
 */
export function debug_trap_in(handle: number, stack_bytes: number): void;

/**
 * Which lane implementation this binary was built with: "wasm32-relaxed-simd", "wasm32-simd128" or "scalar".
 */
export function lane_impl(): string;

/**
 * The instance's budget for live allocations, in bytes.
 */
export function memory_budget_bytes(): number;

/**
 * Bytes of linear memory this instance currently has (it only grows).
 */
export function memory_bytes(): number;

/**
 * Data parallelism, on the main model: combines the replicas' gradient arenas (concatenated)
 * weighted by their loss terms, clips and applies one update.
 */
export function model_apply_gradients(handle: number, shards: Float32Array | number[], weights: Float64Array | number[], loss: number): void;

/**
 * `loss`: [code (0 mse, 1 l1, 2 huber, 3 crossEntropy), delta, ignoreIndex, labelSmoothing], or
 * [4 (ctc), blank, zeroInfinity, 0];
 * `optimizer`: code 0 SGD [lr, momentum, dampening, nesterov, wd], 1 Adam [lr, β1, β2, eps, wd,
 * amsgrad, decoupled], 2 RMSprop [lr, α, eps, momentum, centered, wd]; NaN clips mean none.
 */
export function model_compile(handle: number, loss: Float64Array | number[], optimizer_code: number, optimizer: Float64Array | number[], clip_grad_norm: number, clip_grad_value: number): void;

/**
 * Data parallelism, on a replica: forward, loss and backward of one shard without an update.
 * Returns [loss, weight]; the gradients are read with `model_grads`.
 */
export function model_compute_gradients(handle: number, x: Float32Array | number[], ids: Int32Array | number[], seq: number, batch: number, y: Float32Array | number[], classes: Int32Array | number[], states: Float32Array | number[] | null | undefined, lengths: Int32Array | number[]): Float64Array;

/**
 * Builds a model from `SLOTS` numbers per layer; returns its handle.
 */
export function model_create(architecture: Float64Array | number[], seed: number): number;

export function model_drop(handle: number): void;

/**
 * [loss, accuracy (NaN unless cross-entropy)] of an inference forward from `states` (zeros when
 * absent); its final states are read with `model_final_states` (stateful evaluation of a stream).
 */
export function model_evaluate(handle: number, x: Float32Array | number[], ids: Int32Array | number[], seq: number, batch: number, y: Float32Array | number[], classes: Int32Array | number[], states: Float32Array | number[] | null | undefined, lengths: Int32Array | number[]): Float64Array;

export function model_final_states(handle: number): Float32Array;

/**
 * Runs the model (states: the recurrent layers' initial states, or zeros when absent).
 */
export function model_forward(handle: number, x: Float32Array | number[], ids: Int32Array | number[], seq: number, batch: number, states: Float32Array | number[] | null | undefined, training: boolean, lengths: Int32Array | number[]): void;

/**
 * The whole parameter arena, in name order.
 */
export function model_get_params(handle: number): Float32Array;

/**
 * The gradient arena of the last `model_compute_gradients` (or step).
 */
export function model_grads(handle: number): Float32Array;

export function model_last_grad_norm(handle: number): number;

export function model_output(handle: number): Float32Array;

/**
 * Parameter names ("<index>.<name>"), one per line.
 */
export function model_param_names(handle: number): string;

/**
 * Parameter shapes, each as its rank then its dimensions.
 */
export function model_param_shapes(handle: number): Uint32Array;

export function model_set_lr(handle: number, lr: number): void;

export function model_set_params(handle: number, all: Float32Array | number[]): void;

/**
 * Forward, loss, BPTT, clipping and one update; returns the loss before the update.
 * `lengths`: one per sequence (packed sequences), or empty.
 */
export function model_train_step(handle: number, x: Float32Array | number[], ids: Int32Array | number[], seq: number, batch: number, y: Float32Array | number[], classes: Int32Array | number[], states: Float32Array | number[] | null | undefined, lengths: Int32Array | number[]): number;

/**
 * Backpropagates through the pending training forward; results via `net_backward_results`.
 */
export function net_backward(handle: number, d_output?: Float32Array | number[] | null, d_h_n?: Float32Array | number[] | null, d_c_n?: Float32Array | number[] | null): void;

/**
 * The shapes of `net_backward_results`' parts (as `net_forward_result_shapes`).
 */
export function net_backward_result_shapes(handle: number): Uint32Array;

/**
 * The last backward's gradients in one array: input, h0, c0 (LSTM; empty otherwise), then
 * every parameter's gradient in index order.
 */
export function net_backward_results(handle: number): Float32Array;

/**
 * As [`net_check_forward`], for a backward with the given upstream gradients.
 */
export function net_check_backward(handle: number, has_d_output: boolean, has_d_h_n: boolean, has_d_c_n: boolean): void;

/**
 * Refuses (E_TOO_LARGE) a forward whose inputs, buffers and results would not fit in the
 * instance's budget. Called before the inputs are copied into wasm memory.
 */
export function net_check_forward(handle: number, seq: number, batch: number, training: boolean, has_h0: boolean, has_c0: boolean): void;

/**
 * Builds a network; returns its handle. `cell`: "rnn_tanh" | "rnn_relu" | "lstm" | "gru".
 */
export function net_create(cell: string, input_size: number, hidden_size: number, num_layers: number, bidirectional: boolean, bias: boolean, proj_size: number, seed: number): number;

/**
 * Frees a network. Also after a trap inside one of its calls: its buffers are intact
 * allocations, so dropping them returns the memory.
 */
export function net_drop(handle: number): void;

/**
 * Runs the sequence; the results are read with `net_forward_results`.
 */
export function net_forward(handle: number, x: Float32Array | number[], seq: number, batch: number, batch_first: boolean, h0: Float32Array | number[] | null | undefined, c0: Float32Array | number[] | null | undefined, training: boolean): void;

/**
 * The shapes of `net_forward_results`' parts, each as its rank followed by its dimensions.
 */
export function net_forward_result_shapes(handle: number): Uint32Array;

/**
 * The last forward's results in one array (one copy, one JS allocation per call): output,
 * h_n, then c_n (LSTM), with the shapes `net_forward_result_shapes` gives.
 */
export function net_forward_results(handle: number): Float32Array;

export function net_get_param(handle: number, index: number): Float32Array;

/**
 * Parameter names in PyTorch's order, one per line.
 */
export function net_param_names(handle: number): string;

/**
 * Parameter shapes in the same order, each as its rank followed by its dimensions.
 */
export function net_param_shapes(handle: number): Uint32Array;

/**
 * [seq, batch, batchFirst] of the training forward a backward would consume, or empty.
 */
export function net_pending_training(handle: number): Uint32Array;

export function net_set_param(handle: number, index: number, data: Float32Array | number[]): void;

/**
 * Checks a configuration (sizes, projection, parameter budget) without building anything:
 * layers validate at construction and allocate on first use.
 */
export function net_validate(cell: string, input_size: number, hidden_size: number, num_layers: number, bidirectional: boolean, bias: boolean, proj_size: number): void;

/**
 * `Add`/`Sub`/`Mul`/`Div` (`op`) over `shape`, each operand read with its own element strides.
 */
export function onnx_binary(op: string, a: Float32Array | number[], b: Float32Array | number[], shape: Uint32Array | number[], a_strides: Uint32Array | number[], b_strides: Uint32Array | number[]): Float32Array;

/**
 * `Gemm`: α·op(A)·op(B) + β·C, C (c_rows × c_cols, each 1 or full) present when `has_c`.
 */
export function onnx_gemm(a: Float32Array | number[], b: Float32Array | number[], c: Float32Array | number[], has_c: boolean, c_rows: number, c_cols: number, m: number, k: number, n: number, trans_a: boolean, trans_b: boolean, alpha: number, beta: number): Float32Array;

/**
 * `LayerNormalization` over the trailing `width` elements of `rows` rows; `scale` and `bias`
 * hold `width` elements or one; `bias` is ignored without `has_bias`.
 */
export function onnx_layer_norm(x: Float32Array | number[], scale: Float32Array | number[], bias: Float32Array | number[], has_bias: boolean, rows: number, width: number, epsilon: number): Float32Array;

/**
 * `MatMul`: output matrix i (M×N) = A[a_index[i]] (M×K) · B[b_index[i]] (K×N).
 */
export function onnx_matmul(a: Float32Array | number[], b: Float32Array | number[], a_index: Uint32Array | number[], b_index: Uint32Array | number[], m: number, k: number, n: number): Float32Array;

/**
 * Runs an `RNN`, `GRU` or `LSTM` node (`op`). `activations` are the node's names joined by
 * ","; `clip` is NaN without the attribute; absent optional inputs are empty arrays with
 * their bit of `present` clear. Returns Y, Y_h and (LSTM) Y_c concatenated, in the node's layout.
 */
export function onnx_recurrent(op: string, direction: string, hidden: number, layout: number, activations: string, activation_alpha: Float32Array | number[], activation_beta: Float32Array | number[], clip: number, input_forget: boolean, linear_before_reset: boolean, seq: number, batch: number, input: number, present: number, x: Float32Array | number[], w: Float32Array | number[], r: Float32Array | number[], b: Float32Array | number[], sequence_lens: Int32Array | number[], initial_h: Float32Array | number[], initial_c: Float32Array | number[], p: Float32Array | number[]): Float32Array;

/**
 * `ReduceSum`/`ReduceMean`/`ReduceProd`/`ReduceMax`/`ReduceMin` (`op`) of x of `shape` over the
 * dimensions whose `reduced` flag is 1; the result keeps them as dimensions of size 1.
 */
export function onnx_reduce(op: string, x: Float32Array | number[], shape: Uint32Array | number[], reduced: Uint8Array | number[]): Float32Array;

/**
 * `Softmax` (or `LogSoftmax` with `log`) over the middle axis of x viewed as (outer, axis, inner).
 */
export function onnx_softmax(x: Float32Array | number[], outer: number, axis: number, inner: number, log: boolean): Float32Array;

/**
 * An element-wise operator `op` (`Relu` … `Selu`) with its `alpha` and `beta`/`gamma` (NaN when
 * the node does not set them), or `Clip` with its bounds as `alpha` and `beta` (±∞ when absent).
 */
export function onnx_unary(op: string, x: Float32Array | number[], alpha: number, beta: number): Float32Array;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly add_assign: (a: number, b: number, c: any, d: number, e: number) => [number, number];
    readonly audio_log_mel: (a: number, b: number, c: number, d: number) => [number, number, number, number];
    readonly audio_mfcc: (a: number, b: number, c: number, d: number, e: number) => [number, number, number, number];
    readonly audio_resample: (a: number, b: number, c: number, d: number) => [number, number, number, number];
    readonly bytes_in_use: () => number;
    readonly debug_trap_in: (a: number, b: number) => [number, number];
    readonly lane_impl: () => [number, number];
    readonly memory_budget_bytes: () => number;
    readonly memory_bytes: () => number;
    readonly model_apply_gradients: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number];
    readonly model_compile: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number) => [number, number];
    readonly model_compute_gradients: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number, m: number, n: number, o: number) => [number, number, number, number];
    readonly model_create: (a: number, b: number, c: number) => [number, number, number];
    readonly model_drop: (a: number) => void;
    readonly model_evaluate: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number, m: number, n: number, o: number) => [number, number, number, number];
    readonly model_final_states: (a: number) => [number, number, number, number];
    readonly model_forward: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number) => [number, number];
    readonly model_get_params: (a: number) => [number, number, number, number];
    readonly model_grads: (a: number) => [number, number, number, number];
    readonly model_last_grad_norm: (a: number) => [number, number, number];
    readonly model_output: (a: number) => [number, number, number, number];
    readonly model_param_names: (a: number) => [number, number, number, number];
    readonly model_param_shapes: (a: number) => [number, number, number, number];
    readonly model_set_lr: (a: number, b: number) => [number, number];
    readonly model_set_params: (a: number, b: number, c: number) => [number, number];
    readonly model_train_step: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number, m: number, n: number, o: number) => [number, number, number];
    readonly net_backward: (a: number, b: number, c: number, d: number, e: number, f: number, g: number) => [number, number];
    readonly net_backward_result_shapes: (a: number) => [number, number, number, number];
    readonly net_backward_results: (a: number) => [number, number, number, number];
    readonly net_check_backward: (a: number, b: number, c: number, d: number) => [number, number];
    readonly net_check_forward: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number];
    readonly net_create: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number) => [number, number, number];
    readonly net_drop: (a: number) => void;
    readonly net_forward: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number) => [number, number];
    readonly net_forward_result_shapes: (a: number) => [number, number, number, number];
    readonly net_forward_results: (a: number) => [number, number, number, number];
    readonly net_get_param: (a: number, b: number) => [number, number, number, number];
    readonly net_param_names: (a: number) => [number, number, number, number];
    readonly net_param_shapes: (a: number) => [number, number, number, number];
    readonly net_pending_training: (a: number) => [number, number, number, number];
    readonly net_set_param: (a: number, b: number, c: number, d: number) => [number, number];
    readonly net_validate: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number) => [number, number];
    readonly onnx_binary: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number) => [number, number, number, number];
    readonly onnx_gemm: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number, m: number, n: number, o: number, p: number) => [number, number, number, number];
    readonly onnx_layer_norm: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number) => [number, number, number, number];
    readonly onnx_matmul: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number) => [number, number, number, number];
    readonly onnx_recurrent: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number, m: number, n: number, o: number, p: number, q: number, r: number, s: number, t: number, u: number, v: number, w: number, x: number, y: number, z: number, a1: number, b1: number, c1: number, d1: number, e1: number, f1: number, g1: number, h1: number, i1: number) => [number, number, number, number];
    readonly onnx_reduce: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number) => [number, number, number, number];
    readonly onnx_softmax: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number, number];
    readonly onnx_unary: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number, number];
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
