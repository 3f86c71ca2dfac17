// Ctrl-C and SIGTERM as a request to stop cleanly. `npm run <script>` then Ctrl-C delivers SIGINT
// twice: once from the terminal to every process in the foreground group, once more forwarded by
// npm. Node's default for a SIGINT with no listener kills the process (npm then reports 130), so
// the listeners stay until the command has finished stopping, and the later signals join the first.

/** Calls stop once, on the first SIGINT or SIGTERM; the function returned removes the listeners. */
export function onStopSignal(stop: (signal: NodeJS.Signals) => void): () => void {
  let stopping = false;
  const listener = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stop(signal);
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}
