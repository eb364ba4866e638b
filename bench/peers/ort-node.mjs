// onnxruntime-node: the native CPU execution provider, intraOpNumThreads 1.
import * as ort from 'onnxruntime-node';
import { onnxPeer } from './onnx-common.mjs';
import { pkgVersion } from '../lib/versions.mjs';

export async function create() {
  const version = pkgVersion('onnxruntime-node');
  return onnxPeer(
    ort,
    { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' },
    { package: `onnxruntime-node@${version}`, backend: 'cpu (native)', intraOpNumThreads: 1 },
  );
}
