import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ESM_REQUIRE_BANNER } from '../../lib/connector-function.js';
import { type FunctionBundle, synthesizeWithBundling } from './bundles.js';

const MAX_BUNDLE_BYTES = 500 * 1024;

describe('cdk synth with bundling', () => {
  let outdir: string;
  let bundles: FunctionBundle[];

  before(async () => {
    outdir = await mkdtemp(join(tmpdir(), 'connector-synth-'));
    bundles = await synthesizeWithBundling(outdir);
  });
  after(async () => {
    await rm(outdir, { recursive: true, force: true });
  });

  it('synthesizes the real app without AWS credentials or account lookups and bundles all five functions', (t) => {
    assert.deepEqual(
      bundles.map((bundle) => bundle.name),
      ['ApiFunction', 'DeprovisionFunction', 'KeyExpiryFunction', 'SyncDispatcherFunction', 'SyncWorkerFunction'],
    );
    t.diagnostic(`bundle sizes (minified ESM, source map separate): ${bundles.map((b) => `${b.name} ${(b.bytes / 1024).toFixed(1)} KB`).join(', ')}`);
  });

  it('keeps every function bundle under 500 KB minified', () => {
    for (const bundle of bundles) assert.ok(bundle.bytes < MAX_BUNDLE_BYTES, `${bundle.name} is ${bundle.bytes} bytes`);
  });

  it('emits ESM that defines require for bundled CommonJS, with a source map and the AWS SDK left to the runtime', async () => {
    for (const bundle of bundles) {
      const code = await readFile(bundle.file, 'utf8');
      assert.ok(code.startsWith(ESM_REQUIRE_BANNER), `${bundle.name} lacks the createRequire banner`);
      assert.match(code, /\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      assert.ok(bundle.sourceMapBytes > 0);
      assert.doesNotMatch(code, /@smithy\/smithy-client|SignatureV4MultiRegion/, `${bundle.name} bundles the AWS SDK`);
    }
  });

  it('loads each bundle as an ES module that exports a handler, with only the AWS SDK from the runtime', async () => {
    // Inside the repository, so `@aws-sdk/*` resolves from node_modules as the Lambda runtime provides it.
    const checkDir = await mkdtemp(join(process.cwd(), 'node_modules', '.bundle-check-'));
    try {
      for (const bundle of bundles) {
        const copy = join(checkDir, bundle.name, 'index.mjs');
        await mkdir(dirname(copy), { recursive: true });
        await cp(bundle.file, copy);
        const loaded = spawnSync(
          process.execPath,
          ['--input-type=module', '-e', `const m = await import(${JSON.stringify(copy)}); console.log(typeof m.handler);`],
          { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
        );
        assert.equal(loaded.status, 0, `${bundle.name} failed to load: ${loaded.stderr}`);
        assert.equal(loaded.stdout.trim(), 'function', `${bundle.name} exports no handler`);
      }
    } finally {
      await rm(checkDir, { recursive: true, force: true });
    }
  });
});
