/**
 * Synthesizes the real CDK app (`bin/app.ts`, cdk-nag included) WITH bundling, the way
 * `cdk synth` runs it, offline and with every AWS_* variable removed; then measures each
 * function's bundle. Used by the infra test and by anything that reports bundle sizes.
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STACK_NAME = 'AtlassianAccessConnector';

export interface FunctionBundle {
  /** Construct id of the function, e.g. `SyncWorkerFunction`. */
  name: string;
  /** Path of the minified ESM entry (`index.mjs`) inside the cloud assembly. */
  file: string;
  bytes: number;
  sourceMapBytes: number;
}

export async function synthesizeWithBundling(outdir: string): Promise<FunctionBundle[]> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...env, CDK_OUTDIR: outdir },
    maxBuffer: 16 * 1024 * 1024,
  });
  const template = JSON.parse(await readFile(join(outdir, `${STACK_NAME}.template.json`), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: { Code: { S3Key: string } } }>;
  };
  const bundles: FunctionBundle[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const assetDir = join(outdir, `asset.${resource.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    const file = join(assetDir, 'index.mjs');
    bundles.push({
      name: logicalId.replace(/[0-9A-F]{8}$/, ''),
      file,
      bytes: (await stat(file)).size,
      sourceMapBytes: (await stat(`${file}.map`)).size,
    });
  }
  return bundles.sort((a, b) => a.name.localeCompare(b.name));
}
