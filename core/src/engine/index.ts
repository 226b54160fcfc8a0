// Filled in by the engine area.
export {};
