/**
 * Fault injection: rate limits, 5xx, socket resets and malformed pages, each
 * optionally limited to request paths containing a string.
 */
import type { SimFaults } from './types.js';

/** What the server must do instead of answering normally. */
export type FaultAction =
  | { kind: 'reset' }
  | { kind: 'rateLimit'; retryAfter: string }
  | { kind: 'serverError'; status: number; nonJson: boolean };

type Rule =
  | { kind: 'rateLimit'; everyNth?: number; burst: number; retryAfter: string; match?: string; seen: number; burstLeft: number }
  | { kind: 'serverError'; status: number; nonJson: boolean; left: number; match?: string }
  | { kind: 'reset'; left: number; match?: string }
  | { kind: 'malformed'; shape: 'invalid-json' | 'bad-schema'; left: number; match?: string };

const matches = (rule: { match?: string }, path: string): boolean => rule.match === undefined || path.includes(rule.match);

/** Holds the active faults and decides, request by request, which one fires. */
export class FaultInjector implements SimFaults {
  private rules: Rule[] = [];

  rateLimit(opts: { everyNth?: number; burst?: number; retryAfter?: string; match?: string }): void {
    if (opts.everyNth === undefined && opts.burst === undefined) throw new Error('simulator: rateLimit needs everyNth or burst');
    const rule: Rule = { kind: 'rateLimit', burst: opts.burst ?? 1, retryAfter: opts.retryAfter ?? '1', seen: 0, burstLeft: 0 };
    if (opts.everyNth !== undefined) rule.everyNth = opts.everyNth;
    else rule.burstLeft = rule.burst;
    if (opts.match !== undefined) rule.match = opts.match;
    this.rules.push(rule);
  }

  serverError(opts: { status?: 500 | 502 | 503 | 504; times: number; nonJson?: boolean; match?: string }): void {
    const rule: Rule = { kind: 'serverError', status: opts.status ?? 500, nonJson: opts.nonJson ?? false, left: opts.times };
    if (opts.match !== undefined) rule.match = opts.match;
    this.rules.push(rule);
  }

  malformedPage(opts: { times?: number; kind: 'invalid-json' | 'bad-schema'; match?: string }): void {
    const rule: Rule = { kind: 'malformed', shape: opts.kind, left: opts.times ?? 1 };
    if (opts.match !== undefined) rule.match = opts.match;
    this.rules.push(rule);
  }

  networkReset(opts: { times: number; match?: string }): void {
    const rule: Rule = { kind: 'reset', left: opts.times };
    if (opts.match !== undefined) rule.match = opts.match;
    this.rules.push(rule);
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault that replaces this request's answer, if any (consumes it). */
  beforeRoute(path: string): FaultAction | undefined {
    for (const rule of this.rules) {
      if (!matches(rule, path)) continue;
      if (rule.kind === 'reset' && rule.left > 0) {
        rule.left--;
        return { kind: 'reset' };
      }
      if (rule.kind === 'serverError' && rule.left > 0) {
        rule.left--;
        return { kind: 'serverError', status: rule.status, nonJson: rule.nonJson };
      }
      if (rule.kind === 'rateLimit' && this.rateLimited(rule)) return { kind: 'rateLimit', retryAfter: rule.retryAfter };
    }
    return undefined;
  }

  /** The malformation to apply to a successful listing page, if any (consumes it). */
  forPage(path: string): 'invalid-json' | 'bad-schema' | undefined {
    for (const rule of this.rules) {
      if (rule.kind === 'malformed' && rule.left > 0 && matches(rule, path)) {
        rule.left--;
        return rule.shape;
      }
    }
    return undefined;
  }

  private rateLimited(rule: Extract<Rule, { kind: 'rateLimit' }>): boolean {
    if (rule.burstLeft > 0) {
      rule.burstLeft--;
      return true;
    }
    if (rule.everyNth === undefined) return false;
    rule.seen++;
    if (rule.seen % rule.everyNth !== 0) return false;
    rule.burstLeft = rule.burst - 1;
    return true;
  }
}
