/**
 * Test helpers: synthesize the connector stack without bundling (fast) and read its
 * IAM policies as plain "action on resource" facts.
 */
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { ConnectorStack } from '../../lib/connector-stack.js';

export interface Synthesized {
  app: App;
  stack: ConnectorStack;
  template: Template;
}

/** Synthesizes the stack as `bin/app.ts` does, with the given context and bundling skipped. */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new ConnectorStack(app, 'Connector');
  return { app, stack, template: Template.fromStack(stack) };
}

export function logicalId(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

type Json = unknown;

/**
 * Every IAM permission of a role as sorted `action on resource` strings. Resources are
 * named by the `names` map (logical id → readable name); ARNs built with `Fn::Join` are
 * rendered with `${Partition}`-style placeholders.
 */
export function permissionsOf(template: Template, roleLogicalId: string, names: Record<string, string>): string[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const facts: string[] = [];
  for (const policy of Object.values(policies)) {
    const roles = (policy.Properties.Roles as Json[]).map((role) => (role as { Ref: string }).Ref);
    if (!roles.includes(roleLogicalId)) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement as Array<Record<string, Json>>) {
      if (statement.Effect !== 'Allow') throw new Error(`unexpected ${String(statement.Effect)} statement in ${roleLogicalId}`);
      for (const action of asArray(statement.Action)) {
        for (const resource of asArray(statement.Resource)) facts.push(`${String(action)} on ${renderResource(resource, names)}`);
      }
    }
  }
  return [...new Set(facts)].sort();
}

export function renderResource(resource: Json, names: Record<string, string>): string {
  if (typeof resource === 'string') return resource;
  const value = resource as Record<string, Json>;
  if ('Fn::GetAtt' in value) {
    const [id, attribute] = value['Fn::GetAtt'] as [string, string];
    return `${names[id] ?? id}.${attribute}`;
  }
  if ('Ref' in value) return `\${${(names[value.Ref as string] ?? value.Ref) as string}}`;
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, Json[]];
    return parts.map((part) => renderResource(part, names)).join(separator);
  }
  return JSON.stringify(resource);
}

function asArray(value: Json): Json[] {
  return Array.isArray(value) ? value : [value];
}
