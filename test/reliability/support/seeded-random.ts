/** The seeded PRNG of the sandboxes, re-exported for the campaign scripts (scripts/ resolves no workspace package). */
export { mulberry32 } from '@ferry/core';
