// Filled in by the fieldmap area.
export {};
