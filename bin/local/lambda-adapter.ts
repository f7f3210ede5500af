/**
 * Local mode's stand-in for API Gateway, EventBridge, SQS and the Lambda runtime: the events
 * the deployed functions receive (API Gateway HTTP API payload v2, scheduled events, SQS
 * batches) and a Lambda-like context. Tests invoke handlers with the same builders.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2, Context, ScheduledEvent, SQSEvent } from 'aws-lambda';

/** Minutes a local invocation may run, like a Lambda function's timeout. */
const LOCAL_TIMEOUT_MS = 15 * 60 * 1000;

export function lambdaContext(functionName: string, timeoutMs = LOCAL_TIMEOUT_MS): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface MatchedRoute {
  routeKey: string;
  pathParameters: Record<string, string>;
}

/** Builds the API Gateway v2 event for a request, as API Gateway would for this route. */
export function apiGatewayEvent(request: IncomingMessage, body: string, url: URL, matched: MatchedRoute): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const method = request.method ?? 'GET';
  const now = new Date();
  return {
    version: '2.0',
    routeKey: matched.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(matched.pathParameters).length > 0 ? { pathParameters: matched.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: matched.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body ? { body } : {}),
    isBase64Encoded: false,
  };
}

/** The event an EventBridge schedule rule named `ruleName` delivers. */
export function scheduledEvent(ruleName: string, time: Date = new Date()): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: time.toISOString(),
    region: 'local',
    resources: [`arn:aws:events:local:000000000000:rule/${ruleName}`],
    detail: {},
  };
}

/** An SQS batch as the Lambda event source mapping delivers it, one record per message. */
export function sqsEvent(messages: ReadonlyArray<{ id: string; body: string }>): SQSEvent {
  const sent = String(Date.now());
  return {
    Records: messages.map(({ id, body }) => ({
      messageId: id,
      receiptHandle: `receipt-${id}`,
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: sent, SenderId: 'local', ApproximateFirstReceiveTimestamp: sent },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:sync',
      awsRegion: 'local',
    })),
  };
}
