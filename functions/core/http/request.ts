/**
 * Parsing and validating HTTP input (API Gateway HTTP API payload v2) with zod.
 * Bad input becomes a 400 `VALIDATION_FAILED` problem naming each offending field.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from '../zod.js';
import { ApiProblem } from './problem.js';

export interface FieldProblem {
  /** Where the problem is: `body.apiKey`, `query.limit`, `path.orgId`, `header.idempotency-key`. */
  field: string;
  message: string;
}

/** Throws a 400 naming the fields; `detail` repeats them so humans reading only `detail` see them too. */
export function validationFailed(problems: FieldProblem[]): never {
  const summary = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  throw new ApiProblem(400, 'VALIDATION_FAILED', `Invalid request: ${summary}`, { errors: problems });
}

function parseWith<S extends z.ZodMiniType>(schema: S, value: unknown, location: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  validationFailed(
    result.error.issues.map((issue) => ({
      field: [location, ...issue.path.map(String)].join('.'),
      message: issue.message,
    })),
  );
}

/** Parses and validates the JSON body. An absent body is validated as `{}`. */
export function parseBody<S extends z.ZodMiniType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> {
  let raw = event.body ?? '';
  if (event.isBase64Encoded && raw) raw = Buffer.from(raw, 'base64').toString('utf8');
  let value: unknown = {};
  if (raw.trim() !== '') {
    try {
      value = JSON.parse(raw);
    } catch {
      validationFailed([{ field: 'body', message: 'is not valid JSON' }]);
    }
  }
  return parseWith(schema, value, 'body');
}

/** Validates query string parameters; schemas should be `.strict()` so unknown filters are rejected. */
export function parseQuery<S extends z.ZodMiniType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> {
  return parseWith(schema, event.queryStringParameters ?? {}, 'query');
}

/** Validates path parameters. */
export function parsePath<S extends z.ZodMiniType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> {
  return parseWith(schema, event.pathParameters ?? {}, 'path');
}

/** Case-insensitive header lookup (API Gateway lower-cases them; local callers may not). */
export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** The caller's identity: the IAM principal from the request context, else `local`. */
export function requesterOf(event: APIGatewayProxyEventV2): string {
  const context = event.requestContext as APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { iam?: { userArn?: string; callerId?: string } };
  };
  return context.authorizer?.iam?.userArn ?? context.authorizer?.iam?.callerId ?? 'local';
}
