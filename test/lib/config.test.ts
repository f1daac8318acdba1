import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, delimiter } from 'node:path';
import { ConfigError, loadConfig, usableKubeconfigEnv } from '#lib/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'ssvirt-config-'));
const KUBE = join(dir, 'kubeconfig');
writeFileSync(KUBE, 'apiVersion: v1\nkind: Config\n');

describe('lib/config', () => {
  it('has defaults that work locally', () => {
    expect(loadConfig({})).toEqual({
      port: 8080, metricsPort: 9464, metricsToken: undefined, maxInFlight: 256, maxLagMs: 60, host: '0.0.0.0', dbPath: './data/ssvirt.db', adminUsername: 'admin', adminPassword: undefined,
      kubeconfig: undefined, templateNamespaces: ['openshift'], templateSelector: '', vdcNetworkIsolation: true,
      cpuMhzPerCore: 1000, sessionIdleMinutes: 30, sessionMaxHours: 24, corsOrigins: [], siteName: 'SSVirt',
      logLevel: 'info', taskTimeoutSeconds: 600, reconcileIntervalSeconds: 60, kubeTimeoutSeconds: 10, loginDelayMs: 500, commit: undefined,
      backupIntervalMinutes: 0, backupDir: 'data/backups', backupKeep: 7, listCacheMb: 8,
      trustedProxies: [], loginMaxParallelPerUser: 2, passwordHashConcurrency: 2, passwordHashQueue: 32,
      lockout: { enabled: false, invalidLoginsBeforeLockout: 5, lockoutIntervalMinutes: 10 },
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      SSVIRT_PORT: '9000', SSVIRT_MAX_IN_FLIGHT: '32', SSVIRT_MAX_LAG_MS: '0', SSVIRT_METRICS_PORT: '9100', SSVIRT_METRICS_TOKEN: 'a-metrics-token-123', SSVIRT_HOST: '127.0.0.1', SSVIRT_DB_PATH: '/var/lib/ssvirt/db.sqlite', SSVIRT_ADMIN_USERNAME: 'root',
      SSVIRT_ADMIN_PASSWORD: 'long-enough', SSVIRT_KUBECONFIG: KUBE, SSVIRT_TEMPLATE_NAMESPACES: ' openshift , templates ,',
      SSVIRT_TEMPLATE_SELECTOR: 'app=vm', SSVIRT_VDC_NETWORK_ISOLATION: 'FALSE', SSVIRT_CPU_MHZ_PER_CORE: '2000',
      SSVIRT_SESSION_IDLE_MINUTES: '5', SSVIRT_SESSION_MAX_HOURS: '8', SSVIRT_CORS_ORIGINS: 'https://a.example,https://b.example',
      SSVIRT_SITE_NAME: 'Lab', SSVIRT_LOG_LEVEL: 'warn', SSVIRT_TASK_TIMEOUT_SECONDS: '30', SSVIRT_RECONCILE_INTERVAL_SECONDS: '15', SSVIRT_KUBE_TIMEOUT_SECONDS: '5',
      SSVIRT_LOGIN_DELAY_MS: '0', SSVIRT_COMMIT: 'abc123',
      SSVIRT_BACKUP_INTERVAL_MINUTES: '60', SSVIRT_BACKUP_DIR: '/backups', SSVIRT_BACKUP_KEEP: '3', SSVIRT_LIST_CACHE_MB: '0',
      SSVIRT_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.1', SSVIRT_LOGIN_MAX_PARALLEL_PER_USER: '1', SSVIRT_PASSWORD_HASH_CONCURRENCY: '4',
      SSVIRT_PASSWORD_HASH_QUEUE: '8', SSVIRT_LOCKOUT_ENABLED: 'true', SSVIRT_LOCKOUT_INVALID_LOGINS: '3', SSVIRT_LOCKOUT_INTERVAL_MINUTES: '15',
    });
    expect(c).toEqual({
      port: 9000, maxInFlight: 32, maxLagMs: 0, metricsPort: 9100, metricsToken: 'a-metrics-token-123', host: '127.0.0.1', dbPath: '/var/lib/ssvirt/db.sqlite', adminUsername: 'root', adminPassword: 'long-enough',
      kubeconfig: KUBE, templateNamespaces: ['openshift', 'templates'], templateSelector: 'app=vm', vdcNetworkIsolation: false,
      cpuMhzPerCore: 2000, sessionIdleMinutes: 5, sessionMaxHours: 8, corsOrigins: ['https://a.example', 'https://b.example'],
      siteName: 'Lab', logLevel: 'warn', taskTimeoutSeconds: 30, reconcileIntervalSeconds: 15, kubeTimeoutSeconds: 5, loginDelayMs: 0, commit: 'abc123',
      backupIntervalMinutes: 60, backupDir: '/backups', backupKeep: 3, listCacheMb: 0,
      trustedProxies: ['10.0.0.0/8', '192.0.2.1'], loginMaxParallelPerUser: 1, passwordHashConcurrency: 4, passwordHashQueue: 8,
      lockout: { enabled: true, invalidLoginsBeforeLockout: 3, lockoutIntervalMinutes: 15 },
    });
  });

  it('refuses a trusted proxy that is not an address or CIDR range', () => {
    expect(() => loadConfig({ SSVIRT_TRUSTED_PROXIES: '10.0.0.0/8,router' })).toThrow(/SSVIRT_TRUSTED_PROXIES: must be a comma list of IP addresses or CIDR ranges/);
  });

  it.each([['1', true], ['yes', true], [' True ', true], ['0', false], ['no', false]])('reads the boolean %j', (raw, value) => {
    expect(loadConfig({ SSVIRT_VDC_NETWORK_ISOLATION: raw }).vdcNetworkIsolation).toBe(value);
  });

  it('falls back to openshift when the template namespace list is blank', () => {
    expect(loadConfig({ SSVIRT_TEMPLATE_NAMESPACES: ' , ' }).templateNamespaces).toEqual(['openshift']);
  });

  it.each([
    ['SSVIRT_PORT', 'eighty', 'must be a whole number'],
    ['SSVIRT_PORT', '70000', 'must be at most 65535'],
    ['SSVIRT_PORT', '-1', 'must be a whole number'],
    ['SSVIRT_METRICS_PORT', '65536', 'must be at most 65535'],
    ['SSVIRT_METRICS_TOKEN', 'short', 'must be at least 16 characters'],
    ['SSVIRT_DB_PATH', '  ', 'must not be empty'],
    ['SSVIRT_ADMIN_USERNAME', 'bad name', 'must be 1..128 letters'],
    ['SSVIRT_ADMIN_PASSWORD', 'short', 'must be at least 8 characters'],
    ['SSVIRT_KUBECONFIG', ' ', 'must not be empty'],
    ['SSVIRT_VDC_NETWORK_ISOLATION', 'maybe', 'must be true or false'],
    ['SSVIRT_CPU_MHZ_PER_CORE', '0', 'must be at least 1'],
    ['SSVIRT_SESSION_IDLE_MINUTES', '1.5', 'must be a whole number'],
    ['SSVIRT_SESSION_MAX_HOURS', '0', 'must be at least 1'],
    ['SSVIRT_LOG_LEVEL', 'verbose', 'must be one of'],
    ['SSVIRT_TASK_TIMEOUT_SECONDS', '100000', 'must be at most 86400'],
    ['SSVIRT_RECONCILE_INTERVAL_SECONDS', '', 'must be a whole number'],
    ['SSVIRT_KUBE_TIMEOUT_SECONDS', '0', 'must be'],
    ['SSVIRT_LOGIN_DELAY_MS', '60001', 'must be at most 60000'],
    ['SSVIRT_BACKUP_INTERVAL_MINUTES', 'hourly', 'must be a whole number'],
    ['SSVIRT_BACKUP_KEEP', '0', 'must be at least 1'],
  ])('rejects %s=%j naming the variable', (name, value, rule) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(`${name}: ${rule}`);
  });

  it('names every bad variable at once and never echoes the admin password', () => {
    try {
      loadConfig({ SSVIRT_PORT: 'x', SSVIRT_LOG_LEVEL: 'loud', SSVIRT_ADMIN_PASSWORD: 'secret1' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const m = (e as Error).message;
      expect(m).toMatch(/^invalid configuration: /);
      expect(m).toContain('SSVIRT_PORT');
      expect(m).toContain('SSVIRT_LOG_LEVEL');
      expect(m).toContain('SSVIRT_ADMIN_PASSWORD');
      expect(m).not.toContain('secret1');
    }
  });

  it('ignores unrelated environment variables', () => {
    expect(loadConfig({ PATH: '/bin', SSVIRT_UNKNOWN: 'x' }).port).toBe(8080);
  });

  describe('kubeconfig files', () => {
    it('stops with one line naming an SSVIRT_KUBECONFIG that cannot be read', () => {
      const missing = join(dir, 'nope', 'config');
      expect(() => loadConfig({ SSVIRT_KUBECONFIG: missing })).toThrow(ConfigError);
      expect(() => loadConfig({ SSVIRT_KUBECONFIG: missing })).toThrow(`SSVIRT_KUBECONFIG: cannot read ${missing}: no such file`);
      const sub = join(dir, 'a-folder');
      mkdirSync(sub, { recursive: true });
      expect(() => loadConfig({ SSVIRT_KUBECONFIG: sub })).toThrow(/not a regular file/);
    });

    it('drops the unreadable entries of an inherited KUBECONFIG with a warning, as kubectl skips them', () => {
      const warnings: string[] = [];
      const missing = join(dir, 'gone');
      const env = usableKubeconfigEnv({ KUBECONFIG: [missing, KUBE].join(delimiter), OTHER: '1' }, (m) => warnings.push(m));
      expect(env).toEqual({ KUBECONFIG: KUBE, OTHER: '1' });
      expect(warnings).toEqual([`KUBECONFIG: ignoring ${missing}: no such file`]);
    });

    it('drops KUBECONFIG entirely (degraded mode) when none of its files exists', () => {
      const warnings: string[] = [];
      const env = usableKubeconfigEnv({ KUBECONFIG: join(dir, 'gone') }, (m) => warnings.push(m));
      expect(env).not.toHaveProperty('KUBECONFIG');
      expect(warnings).toHaveLength(1);
      expect(usableKubeconfigEnv({ PATH: '/bin' }, () => {})).toEqual({ PATH: '/bin' });
    });
  });
});
