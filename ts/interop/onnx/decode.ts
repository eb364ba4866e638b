/** Bytes → ModelProto through @bufbuild/protobuf; anything it cannot read is E_FORMAT. */
import { fromBinary } from '@bufbuild/protobuf';
import { WasmRnnError } from './core';
import { describe } from './core';
import { type ModelProto, ModelProtoSchema } from './proto/onnx_pb';

/** Nesting depth a file may use (graphs inside attributes inside nodes…); deeper is E_FORMAT, never a stack overflow. */
const RECURSION_LIMIT = 64;

export function decodeModel(bytes: unknown): ModelProto {
  let view: Uint8Array;
  if (bytes instanceof Uint8Array) view = bytes;
  else if (bytes instanceof ArrayBuffer) view = new Uint8Array(bytes);
  else if (ArrayBuffer.isView(bytes)) view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  else throw new WasmRnnError('E_ARGUMENT', `loadOnnx: expected the bytes of an .onnx file (Uint8Array or ArrayBuffer), got ${describe(bytes)}`);
  if (view.byteLength === 0) throw new WasmRnnError('E_FORMAT', 'loadOnnx: the file is empty');
  try {
    return fromBinary(ModelProtoSchema, view, { readUnknownFields: false, recursionLimit: RECURSION_LIMIT });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new WasmRnnError('E_FORMAT', `loadOnnx: not a readable ONNX model (protobuf: ${why})`);
  }
}
