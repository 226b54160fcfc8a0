/**
 * Faults a sandbox handler can ask the loopback server to act out. A handler cannot break a socket or stall
 * a response by itself (it only returns a Response), so it returns a response carrying this header and the
 * server does the rest.
 */
export const SANDBOX_FAULT_HEADER = 'x-sandbox-fault';
/** The server destroys the socket without answering: the client sees a connection reset. */
export const SANDBOX_FAULT_RESET = 'reset';
/** The server never answers: the client's own timeout has to fire. */
export const SANDBOX_FAULT_TIMEOUT = 'timeout';

export type SocketFault = typeof SANDBOX_FAULT_RESET | typeof SANDBOX_FAULT_TIMEOUT;

/** A response that makes the loopback server reset the connection or leave the request hanging. */
export function socketFaultResponse(fault: SocketFault): Response {
  return new Response(null, { status: 599, headers: { [SANDBOX_FAULT_HEADER]: fault } });
}
