/**
 * The daily key-expiry check as a Lambda handler: scheduled event in, summary out.
 * All the work is `checkApiKeys`; this file wires Powertools and the Lambda deadline.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { checkApiKeys, summarizeKeyChecks, type KeyCheckResult, type KeyCheckSummary } from '../core/key-expiry/check-keys.js';
import { logger as sharedLogger, metrics as sharedMetrics } from '../core/observability.js';
import type { ConnectorDependencies } from '../core/runtime/dependencies.js';

export interface KeyExpiryRunSummary extends KeyCheckSummary {
  checkedAt: string;
  orgs: Pick<KeyCheckResult, 'orgId' | 'severity' | 'daysLeft' | 'probe'>[];
}

/** @param observability the Powertools Logger and Metrics to use (@default the shared ones) */
export function createKeyExpiryHandler(
  deps: ConnectorDependencies,
  observability: { logger: Logger; metrics: Metrics } = { logger: sharedLogger, metrics: sharedMetrics },
) {
  const { logger, metrics } = observability;
  return middy(async function checkKeyExpiry(_event: ScheduledEvent, context: Context): Promise<KeyExpiryRunSummary> {
    const checkedAt = deps.clock();
    // Wall-clock time, like the Atlassian client's own clock: the Lambda's remaining time is real time.
    const deadline = Date.now() + context.getRemainingTimeInMillis() - deps.config.deadlineSafetyMs;
    const results = await checkApiKeys(deps, { metrics, logger, deadline });
    return {
      checkedAt: checkedAt.toISOString(),
      ...summarizeKeyChecks(results),
      orgs: results.map(({ orgId, severity, daysLeft, probe }) => ({ orgId, severity, daysLeft, probe })),
    };
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: false }));
}
