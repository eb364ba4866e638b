import type { Tensor } from '../tensor';
import { type BackwardOptions, type ForwardOptions, type ForwardResult, type Gradients, RecurrentLayer, type RecurrentOptions } from './recurrent';

export interface LSTMOptions extends RecurrentOptions {
  /** Projects h to this size with weight_hr (PyTorch's proj_size); 0 = no projection. @defaultValue 0 */
  projSize?: number;
}

export interface LSTMForwardOptions extends ForwardOptions {
  /** Initial cell state [numLayers·D, batch, hiddenSize]. @defaultValue zeros */
  c0?: Tensor;
}

export interface LSTMForwardResult extends ForwardResult {
  /** Final cell state [numLayers·D, B, hiddenSize]. */
  cN: Tensor;
}

export interface LSTMBackwardOptions extends BackwardOptions {
  /** Gradient w.r.t. the final cell state cN. @defaultValue zeros */
  cN?: Tensor;
}

export interface LSTMGradients extends Gradients {
  /** Gradient w.r.t. the initial cell state. */
  c0: Tensor;
}

/**
 * LSTM with PyTorch's `nn.LSTM` parameters (gates i, f, g, o; optional projection), shapes and
 * numerics: c_t = f ⊙ c_{t−1} + i ⊙ g, h_t = o ⊙ tanh(c_t).
 */
export class LSTM extends RecurrentLayer {
  constructor(options: LSTMOptions) {
    super('lstm', options, options?.projSize ?? 0);
  }

  /** Runs the whole sequence `x` ([T, B, inputSize], or [B, T, inputSize] with batchFirst). */
  forward(x: Tensor, options: LSTMForwardOptions = {}): LSTMForwardResult {
    const { output, hN, cN } = this.runForward(x, options);
    return { output, hN, cN: cN! };
  }

  /** Backpropagates through the last training forward. */
  backward(grads: LSTMBackwardOptions = {}): LSTMGradients {
    const { input, h0, c0, params } = this.runBackward(grads);
    return { input, h0, c0: c0!, params };
  }
}
