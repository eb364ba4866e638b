import { WasmRnnError } from '../errors';
import type { Tensor } from '../tensor';
import { type BackwardOptions, type ForwardOptions, type ForwardResult, type Gradients, RecurrentLayer, type RecurrentOptions } from './recurrent';

export interface GRUOptions extends RecurrentOptions {
  /**
   * Where the reset gate acts. `true` (PyTorch's nn.GRU, Keras' default, ONNX
   * `linear_before_reset=1`): n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)). `false` (Keras'
   * `reset_after=False`, ONNX's default `linear_before_reset=0`):
   * n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn). Same parameters either way.
   * @defaultValue true
   */
  resetAfter?: boolean;
}

/**
 * GRU with PyTorch's `nn.GRU` parameters (gates r, z, n), shapes and numerics:
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 * (or the reset gate before the product: see {@link GRUOptions.resetAfter}).
 */
export class GRU extends RecurrentLayer {
  /** See {@link GRUOptions.resetAfter}. */
  readonly resetAfter: boolean;

  constructor(options: GRUOptions) {
    const resetAfter = options?.resetAfter ?? true;
    if (typeof resetAfter !== 'boolean') throw new WasmRnnError('E_CONFIG', `GRU: resetAfter must be a boolean, got ${JSON.stringify(resetAfter)}`);
    super(resetAfter ? 'gru' : 'gru_reset_before', options, 0);
    this.resetAfter = resetAfter;
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
