import { connect } from 'node:net';

/**
 * Whether something accepts TCP connections at ip:port within `timeoutMs`. A refusal or an unreachable host is
 * false; the socket is closed as soon as the handshake completes (nothing is sent).
 */
export function tcpProbe(ip: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    const done = (open: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(open);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
