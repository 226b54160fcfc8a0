// Regenerates samples/contacts.csv (the demo's data): node --import tsx test/support/write-sample-contacts.ts
import { writeFileSync } from 'node:fs';
import { contactsCsv, fakeContacts } from './fake-contacts.js';

const target = new URL('../../samples/contacts.csv', import.meta.url);
writeFileSync(target, contactsCsv(fakeContacts(400)));
process.stdout.write(`wrote ${target.pathname}\n`);
