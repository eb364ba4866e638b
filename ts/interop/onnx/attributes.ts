/** A node's attributes, read by name with the type the operator expects (E_FORMAT otherwise). */
import { WasmRnnError } from './core';
import { AttributeProto_AttributeType as T, type AttributeProto } from './proto/onnx_pb';
import { type Value, fromTensorProto, int64ToNumber } from './values';

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class Attributes {
  readonly #byName = new Map<string, AttributeProto>();

  constructor(
    attributes: readonly AttributeProto[],
    private readonly where: string,
  ) {
    for (const a of attributes) {
      if (this.#byName.has(a.name)) throw new WasmRnnError('E_FORMAT', `${where}: attribute "${a.name}" given twice`);
      if (a.refAttrName) throw new WasmRnnError('E_UNSUPPORTED', `${where}: attribute "${a.name}" refers to a function attribute; functions are not supported`);
      this.#byName.set(a.name, a);
    }
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  names(): string[] {
    return [...this.#byName.keys()];
  }

  #get(name: string, type: T, typeName: string): AttributeProto | undefined {
    const a = this.#byName.get(name);
    if (a === undefined) return undefined;
    // type 0 (UNDEFINED) comes from very old exporters: trust the field that is set.
    if (a.type !== type && a.type !== T.UNDEFINED) throw new WasmRnnError('E_FORMAT', `${this.where}: attribute "${name}" must be ${typeName}, the file has type ${T[a.type] ?? a.type}`);
    return a;
  }

  int(name: string, fallback: number): number;
  int(name: string): number | undefined;
  int(name: string, fallback?: number): number | undefined {
    const a = this.#get(name, T.INT, 'an integer');
    return a === undefined ? fallback : int64ToNumber(a.i);
  }

  float(name: string, fallback: number): number;
  float(name: string): number | undefined;
  float(name: string, fallback?: number): number | undefined {
    const a = this.#get(name, T.FLOAT, 'a float');
    return a === undefined ? fallback : a.f;
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const a = this.#get(name, T.STRING, 'a string');
    return a === undefined ? fallback : utf8.decode(a.s);
  }

  ints(name: string): number[] | undefined {
    return this.#get(name, T.INTS, 'a list of integers')?.ints.map(int64ToNumber);
  }

  floats(name: string): number[] | undefined {
    return this.#get(name, T.FLOATS, 'a list of floats')?.floats.slice();
  }

  strings(name: string): string[] | undefined {
    return this.#get(name, T.STRINGS, 'a list of strings')?.strings.map((s) => utf8.decode(s));
  }

  tensor(name: string): Value | undefined {
    const a = this.#get(name, T.TENSOR, 'a tensor');
    if (a === undefined) return undefined;
    if (a.t === undefined) throw new WasmRnnError('E_FORMAT', `${this.where}: attribute "${name}" holds no tensor`);
    return fromTensorProto(a.t, `${this.where} attribute "${name}"`);
  }
}
