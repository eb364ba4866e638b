// PLACEHOLDER: the benchmarks are not written yet.
console.log('bench: no benchmarks yet');
