import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, loadLocalModeConfig } from '../../functions/core/config.js';

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.atlassianBaseUrl, 'https://api.atlassian.com/admin');
    assert.deepEqual(config.keyExpiry, { warningDays: 30, criticalDays: 7 });
    assert.equal(config.suspiciousRemovalShare, 0.5);
    assert.equal(config.changeTtlDays, 400);
    assert.equal(config.secretPrefix, 'atlassian-access-connector/');
  });

  it('treats empty variables as unset and trims a trailing slash from the base URL', () => {
    const config = loadConfig({ TABLE_NAME: '', ATLASSIAN_BASE_URL: 'http://127.0.0.1:9999/admin/' });
    assert.equal(config.tableName, 'atlassian-access-connector');
    assert.equal(config.atlassianBaseUrl, 'http://127.0.0.1:9999/admin');
  });

  it('names every invalid variable', () => {
    assert.throws(() => loadConfig({ SECRET_RECOVERY_DAYS: '3', ATLASSIAN_BASE_URL: 'not a url', SECRET_PREFIX: 'no-slash' }), {
      name: 'ConfigError',
      message: /SECRET_RECOVERY_DAYS.*ATLASSIAN_BASE_URL.*SECRET_PREFIX|SECRET_PREFIX.*SECRET_RECOVERY_DAYS/s,
    });
  });

  it('refuses a critical threshold above the warning threshold', () => {
    assert.throws(() => loadConfig({ KEY_EXPIRY_WARNING_DAYS: '5', KEY_EXPIRY_CRITICAL_DAYS: '10' }), /must not exceed/);
  });

  it('reads local mode settings with demo data on by default', () => {
    assert.deepEqual(loadLocalModeConfig({ PORT: '0' }), {
      port: 0,
      dataDir: undefined,
      demo: true,
      atlassianBaseUrl: undefined,
      syncIntervalMs: 300_000,
      keyCheckIntervalMs: 3_600_000,
    });
    assert.equal(loadLocalModeConfig({ DEMO: 'false', ATLASSIAN_BASE_URL: 'https://api.atlassian.com/admin/' }).atlassianBaseUrl, 'https://api.atlassian.com/admin');
    assert.throws(() => loadLocalModeConfig({ PORT: 'eighty' }), /PORT/);
  });
});
