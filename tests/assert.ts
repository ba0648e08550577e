/**
 * Assertion helpers over `node:assert/strict`, named like the @std/assert ones.
 * @module
 */
import * as a from "node:assert/strict";

/** Asserts a truthy value. */
export function assert(value: unknown, message?: string): asserts value {
  a.ok(value, message);
}

/** Asserts deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  a.deepStrictEqual(actual, expected, message);
}

/** Asserts that a string matches a pattern. */
export function assertMatch(actual: string, re: RegExp, message?: string): void {
  a.match(actual, re, message);
}

/** Asserts that a string contains another. */
export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  a.ok(
    actual.includes(expected),
    message ?? `expected ${JSON.stringify(actual)} to include ${JSON.stringify(expected)}`,
  );
}
