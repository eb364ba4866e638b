/** The operators the interpreter runs, by ONNX op_type. */
import { binary, gemm, layerNormalization, matMul, softmax } from './arithmetic';
import type { Operator } from './context';
import { clip, reduce, unary } from './elementwise';
import { cast, concat, constant, constantOfShape, expand, flatten, gather, identity, reshape, shape, slice, squeeze, transpose, unsqueeze } from './movement';
import { recurrent } from './recurrent';

export const OPERATORS: ReadonlyMap<string, Operator> = new Map<string, Operator>([
  ['LSTM', recurrent],
  ['GRU', recurrent],
  ['RNN', recurrent],
  ['MatMul', matMul],
  ['Gemm', gemm],
  ['Add', binary],
  ['Sub', binary],
  ['Mul', binary],
  ['Div', binary],
  ['Softmax', softmax],
  ['LogSoftmax', softmax],
  ['LayerNormalization', layerNormalization],
  ...(['Relu', 'Tanh', 'Sigmoid', 'LeakyRelu', 'Elu', 'Selu', 'HardSigmoid', 'Softplus', 'Softsign'] as const).map((op): [string, Operator] => [op, unary]),
  ['Clip', clip],
  ...(['ReduceSum', 'ReduceMean', 'ReduceProd', 'ReduceMax', 'ReduceMin'] as const).map((op): [string, Operator] => [op, reduce]),
  ['Identity', identity],
  ['Constant', constant],
  ['Shape', shape],
  ['Gather', gather],
  ['Unsqueeze', unsqueeze],
  ['Squeeze', squeeze],
  ['Concat', concat],
  ['Slice', slice],
  ['Reshape', reshape],
  ['Transpose', transpose],
  ['ConstantOfShape', constantOfShape],
  ['Expand', expand],
  ['Cast', cast],
  ['Flatten', flatten],
  // Inference: dropout is the identity (its optional mask output is not produced).
  ['Dropout', identity],
]);

export const SUPPORTED_OPS: ReadonlySet<string> = new Set(OPERATORS.keys());
