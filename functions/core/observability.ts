/**
 * Powertools Logger and Metrics, created once per process and shared by every module.
 *
 * Metrics are CloudWatch Embedded Metric Format lines on stdout: in Lambda, CloudWatch
 * turns them into metrics without any PutMetricData call; locally they are just log lines.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const SERVICE_NAME = 'atlassian-access-connector';
export const METRICS_NAMESPACE = 'AtlassianAccessConnector';

export const logger = new Logger({ serviceName: SERVICE_NAME });

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
