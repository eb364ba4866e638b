// onnxruntime-web, wasm backend (SIMD build), one thread, no proxy worker.
import * as ort from 'onnxruntime-web';
import { onnxPeer } from './onnx-common.mjs';
import { pkgVersion } from '../lib/versions.mjs';

export async function create() {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  const version = pkgVersion('onnxruntime-web');
  return onnxPeer(
    ort,
    { executionProviders: ['wasm'], graphOptimizationLevel: 'all', executionMode: 'sequential' },
    { package: `onnxruntime-web@${version}`, backend: 'wasm', numThreads: 1 },
  );
}
