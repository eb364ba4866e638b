import type { Tensor } from '../tensor';
import { type BackwardOptions, type ForwardOptions, type ForwardResult, type Gradients, RecurrentLayer, type RecurrentOptions } from './recurrent';

export type GRUOptions = RecurrentOptions;

/**
 * GRU with PyTorch's `nn.GRU` parameters (gates r, z, n), shapes and numerics:
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}.
 */
export class GRU extends RecurrentLayer {
  constructor(options: GRUOptions) {
    super('gru', options, 0);
  }

  /** Runs the whole sequence `x` ([T, B, inputSize], or [B, T, inputSize] with batchFirst). */
  forward(x: Tensor, options: ForwardOptions = {}): ForwardResult {
    return this.runForward(x, options);
  }

  /** Backpropagates through the last training forward. */
  backward(grads: BackwardOptions = {}): Gradients {
    return this.runBackward(grads);
  }
}
