/** A JSON Schema document (draft 2020-12 subset that ajv understands). Kept loose on purpose: schemas are data. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** A record as it flows through a pipeline: plain JSON. */
export type JsonRecord = Record<string, unknown>;
