// Filled in by the webhook area.
export {};
