import type { ConnectorContext } from '@ferry/core';
import { salesmsgApi } from '../client/salesmsg-api.js';
import type { ContactRecord } from '../records/contact.js';
import { toE164 } from '../phone.js';

export type MatchField = 'number' | 'email';

export interface ContactKeys {
  /** E.164. */
  readonly number: string | undefined;
  /** Lower-cased. */
  readonly email: string | undefined;
}

/** Pipeline `match:` names → the fields looked up, in order; default number, then email. */
export function matchOrder(match: readonly string[] | undefined): MatchField[] {
  if (match === undefined || match.length === 0) return ['number', 'email'];
  const order: MatchField[] = [];
  for (const name of match) {
    const field: MatchField | undefined = /^(number|phone|phone_number)$/i.test(name) ? 'number' : /^e-?mail$/i.test(name) ? 'email' : undefined;
    if (field !== undefined && !order.includes(field)) order.push(field);
  }
  return order.length === 0 ? ['number', 'email'] : order;
}

function lowestId(matches: readonly ContactRecord[]): ContactRecord | undefined {
  return [...matches].sort((a, b) => a.id - b.id)[0];
}

/**
 * The existing contact with this number (compared in E.164) or this email (compared lower-cased), looked up with
 * GET /contacts/search in `order`. The search is free text, so its results are filtered to exact matches; of
 * several, the oldest (lowest id) wins, every time.
 */
export async function findContactByKeys(ctx: ConnectorContext, keys: ContactKeys, order: readonly MatchField[], country: string): Promise<ContactRecord | undefined> {
  const api = salesmsgApi(ctx.http);
  for (const field of order) {
    if (field === 'number' && keys.number !== undefined) {
      const found = await api.searchContacts(keys.number, 50, ctx.signal);
      const match = lowestId(found.filter((c) => c.number !== null && (c.number === keys.number || toE164(c.number, country) === keys.number)));
      if (match !== undefined) return match;
    }
    if (field === 'email' && keys.email !== undefined) {
      const email = keys.email;
      const found = await api.searchContacts(email, 50, ctx.signal);
      const match = lowestId(found.filter((c) => c.email !== null && c.email.trim().toLowerCase() === email));
      if (match !== undefined) return match;
    }
  }
  return undefined;
}
