/** The part of jsfive (a pure JavaScript HDF5 reader, no types of its own) that we use. */
declare module 'jsfive' {
  export class File {
    constructor(buffer: ArrayBuffer, filename?: string);
    get(path: string): unknown;
  }
}
