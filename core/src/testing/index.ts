// Filled in by the testing area.
export {};
