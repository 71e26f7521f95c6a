import pino, { type Logger } from 'pino';

/** pino with the redactions every perfpay process uses: no token or cookie is ever written. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.token', 'token'], censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
