// Filled in by the http area.
export {};
