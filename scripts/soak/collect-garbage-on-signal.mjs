// Preloaded into the server by the soak only (with --expose-gc), never by npm start.
// Under load V8 lets old-space garbage pile up until its next major collection (the heap grows by up
// to 4x the live size first), so a single RSS reading lands anywhere on a 30-40 s sawtooth. The soak
// sends SIGUSR2 before each reading: both readings then follow a full collection and differ only by
// what the server still holds, which is what a leak is.
process.on('SIGUSR2', () => {
  globalThis.gc();
});
