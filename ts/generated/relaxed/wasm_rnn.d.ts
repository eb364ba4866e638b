/* tslint:disable */
/* eslint-disable */

/**
 * A stack of recurrent layers with its parameters, gradients and saved activations.
 */
export class RecurrentNet {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Backpropagates through the last training forward; results via `backward_results()`.
     */
    backward(d_output?: Float32Array | number[] | null, d_h_n?: Float32Array | number[] | null, d_c_n?: Float32Array | number[] | null): void;
    /**
     * The last backward's gradients in one array: input, h0, c0 (LSTM; empty otherwise), then
     * every parameter's gradient in index order.
     */
    backward_results(): Float32Array;
    /**
     * Runs the sequence; results are read with `output()`, `h_n()`, `c_n()`.
     */
    forward(x: Float32Array | number[], seq_len: number, batch: number, batch_first: boolean, h0: Float32Array | number[] | null | undefined, c0: Float32Array | number[] | null | undefined, training: boolean): void;
    /**
     * The last forward's results in one array: output, h_n, then c_n (LSTM; empty otherwise).
     * One array, so one copy and one JS allocation per call: a streaming step's results cost
     * less to fetch than to compute otherwise.
     */
    forward_results(): Float32Array;
    get_param(index: number): Float32Array;
    has_grads(): boolean;
    /**
     * `cell`: "rnn_tanh" | "rnn_relu" | "lstm" | "gru".
     */
    constructor(cell: string, input_size: number, hidden_size: number, num_layers: number, bidirectional: boolean, bias: boolean, proj_size: number, seed: number);
    param_count(): number;
    param_name(index: number): string;
    param_shape(index: number): Uint32Array;
    ready_for_backward(): boolean;
    set_param(index: number, data: Float32Array | number[]): void;
}

/**
 * dst += src (e.g. gradients of worker replicas). Both must have the same length.
 */
export function add_assign(dst: Float32Array, src: Float32Array | number[]): void;

/**
 * Which lane implementation this binary was built with: "wasm32-relaxed-simd", "wasm32-simd128" or "scalar".
 */
export function lane_impl(): string;

/**
 * Bytes of linear memory this instance currently has (for leak tests and diagnostics).
 */
export function memory_bytes(): number;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_recurrentnet_free: (a: number, b: number) => void;
    readonly add_assign: (a: number, b: number, c: any, d: number, e: number) => [number, number];
    readonly lane_impl: () => [number, number];
    readonly memory_bytes: () => number;
    readonly recurrentnet_backward: (a: number, b: number, c: number, d: number, e: number, f: number, g: number) => [number, number];
    readonly recurrentnet_backward_results: (a: number) => [number, number, number, number];
    readonly recurrentnet_forward: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number) => [number, number];
    readonly recurrentnet_forward_results: (a: number) => [number, number];
    readonly recurrentnet_get_param: (a: number, b: number) => [number, number, number, number];
    readonly recurrentnet_has_grads: (a: number) => number;
    readonly recurrentnet_new: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number) => [number, number, number];
    readonly recurrentnet_param_count: (a: number) => number;
    readonly recurrentnet_param_name: (a: number, b: number) => [number, number, number, number];
    readonly recurrentnet_param_shape: (a: number, b: number) => [number, number, number, number];
    readonly recurrentnet_ready_for_backward: (a: number) => number;
    readonly recurrentnet_set_param: (a: number, b: number, c: number, d: number) => [number, number];
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
