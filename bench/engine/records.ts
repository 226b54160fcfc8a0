import type { JsonRecord } from '@ferry/core';

/**
 * The benchmark's data and its transformation, in two forms: as a pipeline declares it (`where` + `map` in YAML,
 * run by the engine) and written by hand in plain JavaScript (run by the baseline). Both must give the same rows.
 */

/** A CRM contact as a source would yield it (about 330 bytes of JSON). */
export interface BenchContact extends JsonRecord {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  phone: string;
  company: string;
  address: { street: string; city: string; country: string };
  status: string;
  tags: string[];
  score: number;
  updated_at: string;
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Radia', 'Dennis', 'Frances', 'John'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Ritchie', 'Allen', 'Backus'];
const CITIES = ['Lyon', 'Austin', 'Leeds', 'Porto', 'Osaka', 'Tartu', 'Quito', 'Perth', 'Graz', 'Turku', 'Cork'];
/** One status in ten is `archived`: the filter skips those. */
const STATUSES = ['archived', 'lead', 'customer', 'lead', 'customer', 'lead', 'prospect', 'customer', 'lead', 'customer'];
const TAGS = ['newsletter', 'vip', 'webinar', 'trial', 'partner', 'event'];
const EPOCH = Date.UTC(2024, 0, 1);

/** Source ids sort in read order, like the ids of most APIs. */
export function contactId(index: number): string {
  return `c${String(index).padStart(8, '0')}`;
}

/** The contact at `index` (0-based): deterministic, so every run and every variant sees the same data. */
export function contactAt(index: number): BenchContact {
  const first = FIRST[index % FIRST.length] ?? 'Ada';
  const last = LAST[(index >>> 2) % LAST.length] ?? 'Lovelace';
  return {
    id: contactId(index),
    first_name: index % 7 === 0 ? `  ${first} ` : first,
    last_name: last,
    email: `${first}.${last}.${index}@Example.COM`,
    phone: `+1555${String(index % 10_000_000).padStart(7, '0')}`,
    company: `${last} & Co`,
    address: { street: `${(index % 900) + 1} Main Street`, city: CITIES[index % CITIES.length] ?? 'Lyon', country: 'US' },
    status: STATUSES[index % STATUSES.length] ?? 'lead',
    tags: [TAGS[index % TAGS.length] ?? 'vip', TAGS[(index >>> 3) % TAGS.length] ?? 'trial'],
    score: (index % 1000) / 10,
    updated_at: new Date(EPOCH + index * 1000).toISOString(),
  };
}

/** Contacts `from` (inclusive) to `to` (exclusive), made one at a time: never an array of them all. */
export function* contacts(from: number, to: number): Generator<BenchContact> {
  for (let index = from; index < to; index++) yield contactAt(index);
}

// ---- as a pipeline declares it ----------------------------------------------------------------------------------

export const PIPELINE_NAME = 'bench-contacts-to-warehouse';
export const SOURCE_STREAM = 'contacts';
export const TARGET_TABLE = 'contacts';

/** The pipeline file: the engine's side of the work. Target fields are listed in alphabetical order. */
export function pipelineYaml(batchSize: number, concurrency: number): string {
  return `name: ${PIPELINE_NAME}
from: { connection: source, stream: ${SOURCE_STREAM}, sync: incremental }
where: "status != 'archived'"
to: { connection: warehouse, action: upsert, with: { table: ${TARGET_TABLE}, primaryKey: id } }
map:
  city: address.city
  company: company
  email: { from: email, convert: lowercase }
  first_name: { from: first_name, convert: trim }
  id: id
  last_name: last_name
  phone: phone
  score: score
  source: { const: bench }
  status: status
  tags: tags
  updated_at: updated_at
batchSize: ${batchSize}
concurrency: ${concurrency}
`;
}

// ---- the same, written by hand -----------------------------------------------------------------------------------

/** The mapped row: the same fields as the pipeline's map, in the same (alphabetical) order. */
export interface BenchRow {
  city: string;
  company: string;
  email: string;
  first_name: string;
  id: string;
  last_name: string;
  phone: string;
  score: number;
  source: string;
  status: string;
  tags: string[];
  updated_at: string;
}

/** `where: "status != 'archived'"`, by hand. */
export function passesFilter(contact: BenchContact): boolean {
  return contact.status !== 'archived';
}

/** The pipeline's `map`, by hand. */
export function mapContact(contact: BenchContact): BenchRow {
  return {
    city: contact.address.city,
    company: contact.company,
    email: contact.email.toLowerCase(),
    first_name: contact.first_name.trim(),
    id: contact.id,
    last_name: contact.last_name,
    phone: contact.phone,
    score: contact.score,
    source: 'bench',
    status: contact.status,
    tags: contact.tags,
    updated_at: contact.updated_at,
  };
}
