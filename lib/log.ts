/**
 * JSON logging through pino. Secrets are redacted by path as a second line of defence: nothing
 * logs bodies or credentials on purpose.
 */
import pino, { type Logger } from 'pino';

export type Log = Logger;

/** Creates the process logger (JSON lines on stdout). */
export function createLog(level = 'info', destination?: pino.DestinationStream): Log {
  return pino(
    {
      level,
      base: { service: 'ssvirt' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
