import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
