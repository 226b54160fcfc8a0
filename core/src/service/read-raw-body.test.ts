import { describe, expect, it } from 'vitest';
import { isAcceptedMediaType, mediaTypeOf } from './read-raw-body.js';

describe('media types', () => {
  it('reads the type without parameters, lowercased', () => {
    expect(mediaTypeOf('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(mediaTypeOf(undefined)).toBeUndefined();
    expect(mediaTypeOf(' ; x=1')).toBeUndefined();
  });

  it('accepts listed types, and +json types when JSON is accepted', () => {
    expect(isAcceptedMediaType('application/json', ['application/json'])).toBe(true);
    expect(isAcceptedMediaType('application/cloudevents+json', ['application/json'])).toBe(true);
    expect(isAcceptedMediaType('text/plain', ['application/json'])).toBe(false);
    expect(isAcceptedMediaType(undefined, ['application/json'])).toBe(false);
    expect(isAcceptedMediaType('application/x-www-form-urlencoded', ['application/json', 'application/x-www-form-urlencoded'])).toBe(true);
    expect(isAcceptedMediaType('application/cloudevents+json', ['text/plain'])).toBe(false);
  });
});
