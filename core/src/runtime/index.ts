// Filled in by the runtime area.
export {};
