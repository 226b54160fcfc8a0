export {
  SANDBOX_FAULT_HEADER,
  SANDBOX_FAULT_RESET,
  SANDBOX_FAULT_TIMEOUT,
  socketFaultResponse,
  type SocketFault,
} from './fault.js';
export {
  createFaultInjector,
  faultResponse,
  validateFaultRates,
  type FaultInjector,
  type FaultKind,
  type FaultResponseOptions,
} from './fault-injector.js';
export { mulberry32, type Random } from './prng.js';
export {
  createSandboxRateWindow,
  type RateDecision,
  type SandboxRateWindow,
  type SandboxRateWindowOptions,
} from './rate-window.js';
export { serveHandlers, type LoopbackServer, type ServeHandlersOptions } from './serve-handlers.js';
export { serveSandbox, type ServeSandboxOptions, type ServedSandbox } from './serve-sandbox.js';
