import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { TABLE_DEFINITION } from '../../functions/core/store/table-definition.js';
import { type Synthesized, synthesize } from './synth.js';

interface Acknowledgment {
  path: string;
  id: string;
  reason: string;
}

/** Every cdk-nag acknowledgment in the tree, with the construct it is attached to. */
function acknowledgments(root: IConstruct): Acknowledgment[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** The AWS Solutions rules as they would report with no acknowledgment at all. */
class UnacknowledgedChecks extends AwsSolutionsChecks {}
Object.defineProperty(UnacknowledgedChecks.prototype, 'isAcknowledged', { value: () => false });

function findings(checks: AwsSolutionsChecks, root: IConstruct): Array<{ rule: string; severity: string; paths: string[] }> {
  return checks.validateScope(root).violations.map((violation) => ({
    rule: violation.ruleName,
    severity: violation.severity ?? 'error',
    paths: violation.violatingResources.map((resource) => resource.constructPath ?? ''),
  }));
}

describe('cdk-nag AWS Solutions checks', () => {
  const variants: Record<string, Record<string, unknown>> = {
    'default settings': {},
    'tracing, custom prefix and e-mail subscription': { tracing: 'true', secretPrefix: 'acme/atlassian/', alarmEmail: 'ops@example.com' },
  };
  const synthesized: Record<string, Synthesized> = {};

  before(() => {
    for (const [name, context] of Object.entries(variants)) synthesized[name] = synthesize(context);
  });

  for (const name of Object.keys(variants)) {
    it(`reports no unacknowledged error or warning with ${name}`, () => {
      const { app } = synthesized[name]!;
      assert.deepEqual(findings(new AwsSolutionsChecks(app), app), []);
    });

    it(`acknowledges only findings the rules really raise, each on the construct that raises it, with ${name}`, () => {
      const { app } = synthesized[name]!;
      const raw = findings(new UnacknowledgedChecks(app), app);
      for (const ack of acknowledgments(app)) {
        const finding = raw.find((candidate) => candidate.rule === ack.id && candidate.paths.some((path) => path.startsWith(`${ack.path}/`)));
        assert.ok(finding, `${ack.id} acknowledged on ${ack.path} but not raised there`);
      }
    });
  }

  it('gives every acknowledgment a written reason and attaches none to the stack or app as a whole', () => {
    const { app, stack } = synthesized['default settings']!;
    const acks = acknowledgments(app);
    assert.ok(acks.length > 0);
    for (const ack of acks) {
      assert.ok(ack.reason.length >= 40, `reason for ${ack.id} on ${ack.path} is too short to explain anything`);
      assert.notEqual(ack.path, stack.node.path);
      assert.notEqual(ack.path, app.node.path);
    }
  });

  it('acknowledges exactly the pinned runtime and the secret-prefix and index wildcards', () => {
    const { app } = synthesized['default settings']!;
    const kinds = [...new Set(acknowledgments(app).map((ack) => ack.id.replace(/<[A-Za-z0-9]+\.Arn>/, '<Table.Arn>')))].sort();
    const indexed = TABLE_DEFINITION.globalSecondaryIndexes.length > 0;
    assert.deepEqual(kinds, [
      ...(indexed ? ['AwsSolutions-IAM5[Resource::<Table.Arn>/index/*]'] : []),
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:atlassian-access-connector/*]',
      'AwsSolutions-L1',
    ]);
  });
});
