/**
 * Exporters that live in other entries register here when loaded, so that a model method can
 * use them without the main bundle importing them (statically or lazily: a lazy import of the
 * package's own entry makes bundlers report a circular chunk dependency).
 */
import type { Sequential } from './sequential';

export type OnnxExporter = (model: Sequential, options: { name?: string }) => Uint8Array;

let onnx: OnnxExporter | undefined;

/** @internal Called by the `wasm-rnn/onnx` entry when it loads. */
export function registerOnnxExporter(exporter: OnnxExporter): void {
  onnx = exporter;
}

/** The registered ONNX exporter, if the entry was loaded. */
export function onnxExporter(): OnnxExporter | undefined {
  return onnx;
}
