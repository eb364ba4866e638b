// What the Keras and PyTorch interop fixtures share: their tensors, and the one-step gradient check.
import { type Sequential, SGD, tensor } from '../../ts/index';

export interface FixtureTensor {
  dtype: 'float32' | 'int32' | 'float64';
  shape: number[];
  data: number[];
}

/** A fixture's input or target as a tensor (token ids stay int32). */
export function fixtureInput(t: FixtureTensor) {
  return t.dtype === 'int32' ? tensor(Int32Array.from(t.data), t.shape) : tensor(Float32Array.from(t.data), t.shape);
}

/**
 * One MSE trainStep with SGD at lr 1, so each parameter's change is its gradient (exact up to
 * the float32 weights' ulp): the loss and every parameter's gradient, by state-dict name.
 */
export function sgdStepGradients(model: Sequential, x: FixtureTensor, y: FixtureTensor): { loss: number; gradients: Record<string, number[]> } {
  model.compile({ loss: 'mse', optimizer: new SGD({ lr: 1 }) });
  const before = model.stateDict();
  const loss = model.trainStep(fixtureInput(x), fixtureInput(y));
  const gradients: Record<string, number[]> = {};
  for (const [name, w1] of Object.entries(model.stateDict())) {
    const w0 = before[name]!.data;
    gradients[name] = Array.from(w0, (v, i) => v - w1.data[i]!);
  }
  return { loss, gradients };
}
