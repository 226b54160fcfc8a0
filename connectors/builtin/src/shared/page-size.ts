/** Records per page when a connection does not set `pageSize`: large enough to amortise I/O, small enough to hold. */
export const DEFAULT_PAGE_SIZE = 1000;

export const MAX_PAGE_SIZE = 100_000;

export const pageSizeSetting = {
  type: 'integer',
  minimum: 1,
  maximum: MAX_PAGE_SIZE,
  default: DEFAULT_PAGE_SIZE,
  description: 'Records per page; each page is checkpointed once all its records are written.',
} as const;
