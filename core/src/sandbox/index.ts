// Filled in by the sandbox area.
export {};
