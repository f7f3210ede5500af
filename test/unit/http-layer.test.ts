import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from '../../functions/core/zod.js';
import { ConnectorError } from '../../functions/core/errors.js';
import { ApiProblem, toProblem } from '../../functions/core/http/problem.js';
import { header, parseBody, parseQuery, requesterOf } from '../../functions/core/http/request.js';

function event(partial: Partial<APIGatewayProxyEventV2>): APIGatewayProxyEventV2 {
  return { headers: {}, requestContext: {}, ...partial } as APIGatewayProxyEventV2;
}

function problemOf(action: () => unknown) {
  try {
    action();
  } catch (error) {
    return toProblem(error);
  }
  assert.fail('expected a problem');
}

describe('problem documents', () => {
  it('keeps the status and code of an ApiProblem', () => {
    const problem = toProblem(new ApiProblem(404, 'ORG_NOT_FOUND', 'no org o1'), { instance: '/orgs/o1' });
    assert.deepEqual(problem, {
      type: 'urn:atlassian-access-connector:problem:org_not_found',
      title: 'Not Found',
      status: 404,
      code: 'ORG_NOT_FOUND',
      detail: 'no org o1',
      instance: '/orgs/o1',
    });
  });

  it('maps known connector error codes and exposes Retry-After for rate limits', () => {
    const rateLimited = Object.assign(new ConnectorError('RATE_LIMITED', 'slow down'), { retryAfterMs: 1500 });
    assert.equal(toProblem(new ConnectorError('SCIM_MANAGED', 'use your IdP')).status, 409);
    assert.deepEqual(
      [toProblem(rateLimited).status, toProblem(rateLimited).retryAfterSeconds],
      [429, 2],
    );
  });

  it('hides unexpected errors behind a generic 500 with the correlation id', () => {
    const problem = toProblem(new Error('secret internals at db.ts:42'), { correlationId: 'c-1' });
    assert.equal(problem.status, 500);
    assert.equal(problem.code, 'INTERNAL_ERROR');
    assert.equal(problem.correlationId, 'c-1');
    assert.doesNotMatch(JSON.stringify(problem), /internals/);
  });
});

describe('request parsing', () => {
  const Body = z.strictObject({ apiKey: z.string().check(z.minLength(1)), keyExpiresAt: z.optional(z.iso.datetime()) });

  it('names the field that failed validation', () => {
    const problem = problemOf(() => parseBody(event({ body: '{"apiKey": 42}' }), Body));
    assert.equal(problem.status, 400);
    assert.equal(problem.code, 'VALIDATION_FAILED');
    assert.deepEqual((problem.errors as Array<{ field: string }>).map((e) => e.field), ['body.apiKey']);
    assert.match(problem.detail, /body\.apiKey/);
  });

  it('rejects a body that is not JSON', () => {
    const problem = problemOf(() => parseBody(event({ body: '{nope' }), Body));
    assert.match(problem.detail, /body: is not valid JSON/);
  });

  it('decodes base64 bodies', () => {
    const body = Buffer.from(JSON.stringify({ apiKey: 'k' })).toString('base64');
    assert.deepEqual(parseBody(event({ body, isBase64Encoded: true }), Body), { apiKey: 'k' });
  });

  it('rejects unknown query parameters with strict schemas', () => {
    const Query = z.strictObject({ limit: z.optional(z.coerce.number().check(z.int(), z.lte(1000))) });
    const problem = problemOf(() => parseQuery(event({ queryStringParameters: { colour: 'red' } }), Query));
    assert.match(problem.detail, /query: Unrecognized key/);
  });

  it('reads headers case-insensitively and the IAM principal from the context', () => {
    const e = event({
      headers: { 'Idempotency-Key': 'abc' },
      requestContext: { authorizer: { iam: { userArn: 'arn:aws:iam::1:user/alice' } } } as never,
    });
    assert.equal(header(e, 'idempotency-key'), 'abc');
    assert.equal(requesterOf(e), 'arn:aws:iam::1:user/alice');
    assert.equal(requesterOf(event({})), 'local');
  });
});
