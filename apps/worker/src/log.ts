/** One JSON object per line on stdout: easy to read in a terminal, easy to ship to a log store. */
export type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export const jsonLog =
  (component: string): Log =>
  (level, msg, fields = {}) => {
    const line = JSON.stringify({ t: new Date().toISOString(), level, component, msg, ...fields });
    if (level === 'error') console.error(line);
    else console.log(line);
  };
