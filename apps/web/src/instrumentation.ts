// Runs once when the Next server starts: refuse to serve with a broken environment.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('./instrumentation-node');
}
