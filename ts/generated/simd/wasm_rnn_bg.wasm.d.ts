/* tslint:disable */
/* eslint-disable */
export const memory: WebAssembly.Memory;
export const __wbg_recurrentnet_free: (a: number, b: number) => void;
export const lane_impl: () => [number, number];
export const memory_bytes: () => number;
export const recurrentnet_backward: (a: number, b: number, c: number, d: number, e: number, f: number, g: number) => [number, number];
export const recurrentnet_c_n: (a: number) => [number, number];
export const recurrentnet_d_c0: (a: number) => [number, number];
export const recurrentnet_d_h0: (a: number) => [number, number];
export const recurrentnet_d_input: (a: number) => [number, number];
export const recurrentnet_forward: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number) => [number, number];
export const recurrentnet_get_grad: (a: number, b: number) => [number, number, number, number];
export const recurrentnet_get_param: (a: number, b: number) => [number, number, number, number];
export const recurrentnet_h_n: (a: number) => [number, number];
export const recurrentnet_has_grads: (a: number) => number;
export const recurrentnet_new: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number) => [number, number, number];
export const recurrentnet_output: (a: number) => [number, number];
export const recurrentnet_param_count: (a: number) => number;
export const recurrentnet_param_name: (a: number, b: number) => [number, number, number, number];
export const recurrentnet_param_shape: (a: number, b: number) => [number, number, number, number];
export const recurrentnet_ready_for_backward: (a: number) => number;
export const recurrentnet_set_param: (a: number, b: number, c: number, d: number) => [number, number];
export const __wbindgen_externrefs: WebAssembly.Table;
export const __wbindgen_free: (a: number, b: number, c: number) => void;
export const __wbindgen_malloc: (a: number, b: number) => number;
export const __externref_table_dealloc: (a: number) => void;
export const __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
export const __wbindgen_start: () => void;
