/** cdk-nag checks of the connector, shared by the CDK app and its tests. */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Runs the AWS Solutions rule pack on every synth (cdk-nag 3 is a CDK Validations plugin,
 * not an Aspect). Unacknowledged findings fail `cdk synth` and `cdk deploy`.
 */
export function addComplianceChecks(app: IConstruct): AwsSolutionsChecks {
  const checks = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(checks);
  return checks;
}
