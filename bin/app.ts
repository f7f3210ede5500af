/**
 * CDK app: the whole connector as one environment-agnostic stack.
 * Settings come from context (`-c key=value`); see lib/settings.ts and the README's deploy section.
 */
import { App } from 'aws-cdk-lib';
import { addComplianceChecks } from '../lib/compliance.js';
import { ConnectorStack } from '../lib/connector-stack.js';

const app = new App();
new ConnectorStack(app, 'AtlassianAccessConnector', {
  description: 'Atlassian Access Connector: syncs Atlassian Cloud org users to DynamoDB, watches API-key expiry, deprovisions with an audit trail',
});
addComplianceChecks(app);
