// Filled in by the config area.
export {};
