// Preloaded into the app by the soak benchmark only (node --expose-gc --import bench/lib/heap-probe.mjs):
// on SIGUSR2, collect garbage and print the heap still in use, so the benchmark can see a leak
// without a debugger. Never part of the product.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
  process.stderr.write(`HEAP_AFTER_GC ${process.memoryUsage().heapUsed}\n`);
});
