import fc from 'fast-check';

/**
 * Deterministic, realistic fake contacts (fictional 555-01xx and Ofcom drama numbers, example.com-style domains):
 * the bundled sample and the end-to-end tests use them. Same seed, same people.
 */
export interface FakeContact {
  readonly id: string;
  readonly first_name: string;
  readonly last_name: string;
  readonly email: string;
  readonly phone: string;
  readonly company: string;
  readonly city: string;
  readonly state: string;
  readonly country: string;
  readonly tags: string;
  readonly status: 'lead' | 'customer' | 'unsubscribed';
  readonly signed_up: string;
  readonly lifetime_value: string;
}

const FIRST = ['Maria', 'James', 'Aisha', 'Wei', 'Sofia', 'Liam', 'Olivia', 'Noah', 'Priya', 'Mateo', 'Chloe', 'Kwame', 'Hana', 'Lucas', 'Amara', 'Ethan', 'Zoe', 'Diego', 'Fatima', 'Oscar', 'Ingrid', 'Rahul', 'Elena', 'Samuel', 'Yuki', 'Grace', 'Omar', 'Nina', 'Tomás', 'Leah'];
const LAST = ['Garcia', 'Smith', 'Okafor', 'Chen', 'Rossi', 'Murphy', 'Johnson', 'Williams', 'Patel', 'Hernández', 'Dubois', 'Mensah', 'Sato', 'Silva', 'Nwosu', 'Brown', "O'Neil", 'Lopez', 'Haddad', 'Larsen', 'Berg', 'Sharma', 'Popescu', 'Cohen', 'Tanaka', 'Kim', 'Farouk', 'Novak', 'Ruiz', 'Levi'];
const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com'];
const COMPANIES = ['Acme Dental', 'Blue Harbor Realty', 'Northwind Fitness', 'Cedar & Pine Law', 'Brightside Solar', 'Maple Street Bakery', 'Summit Roofing', 'Lakeside Vet Clinic', 'Orbit Coworking', 'Golden Gate Motors', ''];
const US_PLACES: readonly (readonly [string, string, string])[] = [
  ['San Francisco', 'CA', '415'],
  ['New York', 'NY', '212'],
  ['Chicago', 'IL', '312'],
  ['Boston', 'MA', '617'],
  ['Austin', 'TX', '512'],
  ['Seattle', 'WA', '206'],
  ['Denver', 'CO', '303'],
  ['Miami', 'FL', '305'],
];
const TAGS = ['newsletter', 'vip', 'webinar', 'referral', 'trial', 'wholesale', 'event-2024'];

/** One US number written the way people type them: six formats of the same fictional 555-01xx line. */
function usPhone(area: string, line: number, style: number): string {
  const last4 = String(100 + line).padStart(4, '0');
  switch (style) {
    case 0:
      return `(${area}) 555-${last4}`;
    case 1:
      return `${area}-555-${last4}`;
    case 2:
      return `${area}.555.${last4}`;
    case 3:
      return `+1 ${area} 555 ${last4}`;
    case 4:
      return `1 (${area}) 555-${last4}`;
    default:
      return `${area}555${last4}`;
  }
}

const contactShape = fc.record({
  first: fc.constantFrom(...FIRST),
  last: fc.constantFrom(...LAST),
  domain: fc.constantFrom(...DOMAINS),
  emailCase: fc.constantFrom('lower', 'title', 'upper', 'none'),
  padName: fc.integer({ min: 0, max: 9 }),
  place: fc.integer({ min: 0, max: US_PLACES.length - 1 }),
  uk: fc.integer({ min: 0, max: 9 }),
  phoneStyle: fc.integer({ min: 0, max: 6 }),
  line: fc.integer({ min: 0, max: 99 }),
  company: fc.constantFrom(...COMPANIES),
  tags: fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 3 }),
  status: fc.constantFrom<FakeContact['status']>('lead', 'lead', 'customer', 'customer', 'customer', 'unsubscribed'),
  signedUp: fc.integer({ min: Date.UTC(2022, 0, 1), max: Date.UTC(2025, 5, 30) }),
  value: fc.option(fc.integer({ min: 0, max: 2_500_000 }), { freq: 4 }),
});

function ascii(name: string): string {
  return name.normalize('NFD').replace(/[^A-Za-z]/g, '');
}

export function fakeContacts(count: number, seed = 20_240_501): FakeContact[] {
  // noBias: realistic spreads, not the edge values property tests want.
  const shapes = fc.sample(fc.noBias(contactShape), { seed, numRuns: count });
  return shapes.map((s, i) => {
    const local = `${ascii(s.first)}.${ascii(s.last)}${i % 7 === 0 ? String(i) : ''}`;
    const email =
      s.emailCase === 'none'
        ? ''
        : s.emailCase === 'lower'
          ? `${local}@${s.domain}`.toLowerCase()
          : s.emailCase === 'upper'
            ? `${local}@${s.domain}`.toUpperCase()
            : `${local}@${s.domain[0]?.toUpperCase() ?? ''}${s.domain.slice(1)}`;
    const [city, state, area] = s.uk === 0 ? ['London', '', '20'] : (US_PLACES[s.place] ?? ['Austin', 'TX', '512']);
    const phone =
      s.phoneStyle === 6
        ? ''
        : s.uk === 0
          ? `+44 20 7946 0${String(s.line).padStart(3, '0')}`
          : usPhone(area, s.line, s.phoneStyle);
    const local12 = new Date(s.signedUp).toISOString().slice(0, 19).replace('T', ' ');
    return {
      id: `c-${String(i + 1).padStart(6, '0')}`,
      first_name: s.padName === 0 ? ` ${s.first}` : s.first,
      last_name: s.padName === 1 ? `${s.last} ` : s.last,
      email,
      phone,
      company: s.company,
      city,
      state,
      country: s.uk === 0 ? 'GB' : 'US',
      tags: s.tags.join(';'),
      status: s.status,
      signed_up: local12,
      lifetime_value: s.value === null ? '' : (s.value / 100).toFixed(2),
    };
  });
}

const COLUMNS: readonly (keyof FakeContact)[] = ['id', 'first_name', 'last_name', 'email', 'phone', 'company', 'city', 'state', 'country', 'tags', 'status', 'signed_up', 'lifetime_value'];

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** RFC 4180 text with a header row; one record per line (no field holds a line break). */
export function contactsCsv(contacts: readonly FakeContact[]): string {
  const rows = contacts.map((c) => COLUMNS.map((column) => csvCell(c[column])).join(','));
  return `${COLUMNS.join(',')}\n${rows.join('\n')}\n`;
}
