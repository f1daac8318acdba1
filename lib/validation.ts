/**
 * valibot building blocks shared by request schemas: names, descriptions, references, flags.
 * Every message names the rule; lib/http/input.ts prefixes the field path.
 */
import * as v from 'valibot';

/** A required display name of 1..128 characters (trimmed). */
export const NameSchema = v.pipe(
  v.string('must be a string'),
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(128, 'must be at most 128 characters'),
);

export const DescriptionSchema = v.pipe(v.string('must be a string'), v.maxLength(4096, 'must be at most 4096 characters'));

export const BoolSchema = v.boolean('must be true or false');

/** A whole number ≥ 0. */
export const CountSchema = v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(0, 'must be at least 0'), v.maxValue(Number.MAX_SAFE_INTEGER, 'is too large'));

/** `{ id?, name? }` reference as clients send it. */
export const RefSchema = v.looseObject({
  id: v.optional(v.pipe(v.string('must be a string'), v.maxLength(256, 'must be at most 256 characters'))),
  name: v.optional(v.pipe(v.string('must be a string'), v.maxLength(256, 'must be at most 256 characters'))),
});

/** The `?force=true` / `?recursive=true` flags of deletes. */
export const ForceQuerySchema = v.looseObject({
  force: v.optional(v.picklist(['true', 'false'], 'must be true or false')),
  recursive: v.optional(v.picklist(['true', 'false'], 'must be true or false')),
});
