import { WasmRnnError } from '../errors';
import type { Tensor } from '../tensor';
import { type BackwardOptions, type ForwardOptions, type ForwardResult, type Gradients, RecurrentLayer, type RecurrentOptions } from './recurrent';

export interface RNNOptions extends RecurrentOptions {
  /** h_t = act(W_ih x + b_ih + W_hh h_{t−1} + b_hh). @defaultValue 'tanh' */
  nonlinearity?: 'tanh' | 'relu';
}

/** Elman RNN with PyTorch's `nn.RNN` parameters, shapes and numerics. */
export class RNN extends RecurrentLayer {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(options: RNNOptions) {
    const nonlinearity = options?.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
      throw new WasmRnnError('E_CONFIG', `RNN: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nonlinearity)}`);
    }
    super(nonlinearity === 'tanh' ? 'rnn_tanh' : 'rnn_relu', options, 0);
    this.nonlinearity = nonlinearity;
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
