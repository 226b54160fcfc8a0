// Filled in by the auth area.
export {};
