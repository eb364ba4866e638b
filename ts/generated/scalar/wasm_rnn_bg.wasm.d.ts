/* tslint:disable */
/* eslint-disable */
export const memory: WebAssembly.Memory;
export const __wbg_recurrentnet_free: (a: number, b: number) => void;
export const add_assign: (a: number, b: number, c: any, d: number, e: number) => [number, number];
export const lane_impl: () => [number, number];
export const memory_bytes: () => number;
export const recurrentnet_backward: (a: number, b: number, c: number, d: number, e: number, f: number, g: number) => [number, number];
export const recurrentnet_backward_results: (a: number) => [number, number, number, number];
export const recurrentnet_forward: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number) => [number, number];
export const recurrentnet_forward_results: (a: number) => [number, number];
export const recurrentnet_get_param: (a: number, b: number) => [number, number, number, number];
export const recurrentnet_has_grads: (a: number) => number;
export const recurrentnet_new: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number) => [number, number, number];
export const recurrentnet_param_count: (a: number) => number;
export const recurrentnet_param_name: (a: number, b: number) => [number, number, number, number];
export const recurrentnet_param_shape: (a: number, b: number) => [number, number, number, number];
export const recurrentnet_ready_for_backward: (a: number) => number;
export const recurrentnet_set_param: (a: number, b: number, c: number, d: number) => [number, number];
export const __wbindgen_externrefs: WebAssembly.Table;
export const __wbindgen_malloc: (a: number, b: number) => number;
export const __wbindgen_free: (a: number, b: number, c: number) => void;
export const __externref_table_dealloc: (a: number) => void;
export const __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
export const __wbindgen_start: () => void;
