import type { JsonRecord } from '@ferry/core';

/** What a benchmark asks the sandbox process. */
export type ParentMessage = { readonly type: 'stats'; readonly id: number } | { readonly type: 'close' };

/** What the sandbox process answers. */
export type ServerMessage =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'stats'; readonly id: number; readonly stats: JsonRecord };
