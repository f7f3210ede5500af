/**
 * Small deterministic building blocks: string hashing, a seeded PRNG, UUIDs and a
 * reversible 32-bit permutation used to embed a user's index in its account id.
 */

/** A seeded stream of pseudo-random numbers. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Integer in [min, max]. */
  between(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  hex(length: number): string;
}

/** FNV-1a hash of a string, 32 bits. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes two 32-bit values into one well-distributed 32-bit value (murmur3 finalizer). */
export function mix32(a: number, b: number): number {
  let h = (a ^ Math.imul(b >>> 0, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A mulberry32 stream seeded with `seed`. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      return items[int(items.length)] as T;
    },
    hex(length: number): string {
      let out = '';
      while (out.length < length) out += int(0x10000).toString(16).padStart(4, '0');
      return out.slice(0, length);
    },
  };
}

/** Formats 32 hex digits as a version-4 UUID. */
export function formatUuid(hex32: string): string {
  const variant = ((parseInt(hex32.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-4${hex32.slice(13, 16)}-${variant}${hex32.slice(17, 20)}-${hex32.slice(20, 32)}`;
}

/** A UUID that depends only on its parts. */
export function deterministicUuid(...parts: Array<string | number>): string {
  return formatUuid(createRandom(hashString(parts.join('|'))).hex(32));
}

const MULTIPLIER = 0x2c1b3c6d | 1;

function inverse32(a: number): number {
  let x = a;
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x >>> 0;
}

const MULTIPLIER_INVERSE = inverse32(MULTIPLIER);

/** A bijection on 32-bit integers, keyed by `salt`; {@link unscramble32} reverses it. */
export function scramble32(value: number, salt: number): number {
  let y = Math.imul((value ^ salt) >>> 0, MULTIPLIER) >>> 0;
  y ^= y >>> 16;
  return y >>> 0;
}

/** Inverse of {@link scramble32}. */
export function unscramble32(value: number, salt: number): number {
  let y = value >>> 0;
  y ^= y >>> 16;
  return (Math.imul(y, MULTIPLIER_INVERSE) ^ salt) >>> 0;
}
