// onnxruntime-web, wasm backend (SIMD build), one thread, no proxy worker. Runs in Node and in a
// browser page (where 'onnxruntime-web' resolves to its browser bundle through an import map).
import * as ort from 'onnxruntime-web';
import { onnxPeer } from './onnx-common.mjs';

export async function create({ versions }) {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  const version = versions['onnxruntime-web'];
  return onnxPeer(
    ort,
    { executionProviders: ['wasm'], graphOptimizationLevel: 'all', executionMode: 'sequential' },
    { package: `onnxruntime-web@${version}`, backend: 'wasm', numThreads: 1 },
  );
}
