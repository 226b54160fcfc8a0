// Filled in by the store area.
export {};
