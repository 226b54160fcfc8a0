import { describe, expect, it } from 'vitest';
import { FerryError } from '../errors/ferry-error.js';
import { createConnectorRegistry } from './connector-registry.js';
import { chatConnector, crmConnector } from './test-connectors.js';

describe('createConnectorRegistry', () => {
  it('maps names to connectors and refuses two connectors with one name', () => {
    const registry = createConnectorRegistry([crmConnector, chatConnector]);
    expect([...registry.keys()]).toEqual(['crm', 'chat']);
    expect(registry.get('crm')).toBe(crmConnector);
    let error: unknown;
    try {
      createConnectorRegistry([crmConnector, chatConnector, crmConnector]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FerryError);
    expect((error as FerryError).code).toBe('CONNECTOR_DUPLICATE');
    expect((error as FerryError).message).toBe("two connectors are named 'crm'");
  });
});
