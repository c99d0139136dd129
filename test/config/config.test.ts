import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../config/config.js';

describe('parseConfig', () => {
  it('defaults to the local stack: dev server, embedded PostgreSQL, Mailpit', () => {
    const config = parseConfig({});
    expect(config.temporal).toMatchObject({
      address: '127.0.0.1:7233',
      namespace: 'default',
      taskQueue: 'billing',
      uiUrl: 'http://localhost:8233',
    });
    expect(config.postgres.embedded).toBe(true);
    expect(config.postgres.url).toBe('postgres://postgres@127.0.0.1:54329/billing');
    expect(config.smtp.url).toBe('smtp://127.0.0.1:1025');
    expect(config.smtp.inboxUrl).toBe('http://localhost:8025');
    expect(config.worker.stickyQueueTimeoutMs).toBe(10_000);
    expect(config.worker.workflowBundlePath).toBeNull();
    expect(config.logLevel).toBe('INFO');
  });

  it('derives addresses from moved ports, and an explicit address wins', () => {
    const moved = parseConfig({
      TEMPORAL_PORT: '7300',
      SMTP_PORT: '2525',
      EMBEDDED_POSTGRES_PORT: '6000',
    });
    expect(moved.temporal.address).toBe('127.0.0.1:7300');
    expect(moved.smtp.url).toBe('smtp://127.0.0.1:2525');
    expect(moved.postgres.url).toBe('postgres://postgres@127.0.0.1:6000/billing');
    const explicit = parseConfig({ TEMPORAL_PORT: '7300', TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(explicit.temporal.address).toBe('temporal:7233');
  });

  it('uses DATABASE_URL when set and then runs no embedded server', () => {
    const config = parseConfig({ DATABASE_URL: 'postgres://app@db.internal:5432/billing' });
    expect(config.postgres).toMatchObject({
      url: 'postgres://app@db.internal:5432/billing',
      embedded: false,
    });
  });

  it('treats empty values as unset, as docker-compose passes them', () => {
    expect(parseConfig({ DATABASE_URL: '', TASK_QUEUE: '  ' }).postgres.embedded).toBe(true);
    expect(parseConfig({ TASK_QUEUE: '' }).temporal.taskQueue).toBe('billing');
  });

  it('coerces numbers and accepts the log level in any case', () => {
    const config = parseConfig({ STICKY_QUEUE_TIMEOUT_MS: '1500', LOG_LEVEL: 'debug' });
    expect(config.worker.stickyQueueTimeoutMs).toBe(1500);
    expect(config.logLevel).toBe('DEBUG');
  });

  it.each([
    ['TEMPORAL_PORT', 'seventy'],
    ['TEMPORAL_PORT', '70000'],
    ['TEMPORAL_ADDRESS', 'http://localhost:7233'],
    ['LOG_LEVEL', 'verbose'],
    ['STICKY_QUEUE_TIMEOUT_MS', '1.5'],
  ])('rejects %s=%s with an error naming the variable and the value', (name, value) => {
    const parse = () => parseConfig({ [name]: value });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(new RegExp(`${name}: .*\\(got '${value.replace(/[.]/g, '\\.')}'\\)`));
  });

  // URLs that may carry a password are secrets: named, their value hidden (secret-masking.test.ts).
  it.each([
    ['DATABASE_URL', 'mysql://root@localhost/billing'],
    ['SMTP_URL', 'http://localhost:1025'],
  ])('rejects %s=%s with an error naming the variable, its value hidden', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(
      new RegExp(`${name}: .*\\(value hidden\\)`),
    );
  });

  it('knows it runs under CI when CI is set to anything but false or 0', () => {
    expect(parseConfig({}).ci).toBe(false);
    expect(parseConfig({ CI: 'true' }).ci).toBe(true);
    expect(parseConfig({ CI: '1' }).ci).toBe(true);
    expect(parseConfig({ CI: 'false' }).ci).toBe(false);
    expect(parseConfig({ CI: '0' }).ci).toBe(false);
    expect(parseConfig({ CI: '' }).ci).toBe(false);
  });

  it('names every bad variable at once', () => {
    expect(() => parseConfig({ SMTP_PORT: 'x', MAILPIT_UI_PORT: '0' })).toThrow(
      /SMTP_PORT[\s\S]*MAILPIT_UI_PORT/,
    );
  });

  it('is frozen all the way down', () => {
    const config = parseConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.temporal)).toBe(true);
    expect(() => {
      (config.temporal as { taskQueue: string }).taskQueue = 'other';
    }).toThrow(TypeError);
  });
  it('takes the Message-ID domain from the sender unless given', () => {
    expect(parseConfig({}).smtp.messageIdDomain).toBe('localhost');
    expect(
      parseConfig({ MAIL_FROM: 'Billing <billing@voice.example.com>' }).smtp.messageIdDomain,
    ).toBe('voice.example.com');
    expect(
      parseConfig({ MAIL_FROM: 'billing@a.example', MAIL_MESSAGE_ID_DOMAIN: 'ids.example' }).smtp
        .messageIdDomain,
    ).toBe('ids.example');
  });

  it('signs links with the given key, and marks the local default as such', () => {
    const local = parseConfig({});
    expect(local.links.secretIsDevDefault).toBe(true);
    expect(local.links.publicBaseUrl).toBe('http://localhost:3000');
    expect(local.links.ttlSeconds).toBe(14 * 86_400);
    const prod = parseConfig({
      BILLING_LINK_SECRET: 'k'.repeat(40),
      PUBLIC_BASE_URL: 'https://billing.example.com/',
      BILLING_LINK_TTL_SECONDS: '3600',
    });
    expect(prod.links).toMatchObject({
      secret: 'k'.repeat(40),
      secretIsDevDefault: false,
      publicBaseUrl: 'https://billing.example.com',
      ttlSeconds: 3600,
    });
    expect(() => parseConfig({ BILLING_LINK_SECRET: 'short' })).toThrow(
      /BILLING_LINK_SECRET: use at least 32 characters/,
    );
    expect(() => parseConfig({ PUBLIC_BASE_URL: 'billing.example.com' })).toThrow(
      /PUBLIC_BASE_URL/,
    );
    // The public local key never signs links for a real host.
    expect(() => parseConfig({ PUBLIC_BASE_URL: 'https://billing.example.com' })).toThrow(
      /BILLING_LINK_SECRET: required when PUBLIC_BASE_URL is not a local address/,
    );
    // Nor when it is given explicitly.
    expect(() =>
      parseConfig({
        PUBLIC_BASE_URL: 'https://billing.example.com',
        BILLING_LINK_SECRET: 'local-development-only-billing-link-secret',
      }),
    ).toThrow(/BILLING_LINK_SECRET: required/);
  });

  it('serves worker metrics on 127.0.0.1:9464 unless moved, opened to all, or turned off', () => {
    expect(parseConfig({}).worker.metricsBindAddress).toBe('127.0.0.1:9464');
    expect(parseConfig({ WORKER_METRICS_PORT: '' }).worker.metricsBindAddress).toBe(
      '127.0.0.1:9464',
    );
    const open = parseConfig({ WORKER_METRICS_HOST: '0.0.0.0', WORKER_METRICS_PORT: '9100' });
    expect(open.worker.metricsBindAddress).toBe('0.0.0.0:9100');
    expect(parseConfig({ WORKER_METRICS_HOST: '::' }).worker.metricsBindAddress).toBe('[::]:9464');
    expect(parseConfig({ WORKER_METRICS_PORT: '0' }).worker.metricsBindAddress).toBeNull();
    expect(() => parseConfig({ WORKER_METRICS_HOST: 'localhost' })).toThrow(
      /WORKER_METRICS_HOST: expected an IP address/,
    );
    expect(() => parseConfig({ WORKER_METRICS_PORT: '65536' })).toThrow(/WORKER_METRICS_PORT/);
  });

  it('configures the HTTP edge: local defaults, and limits inside what Temporal takes', () => {
    expect(parseConfig({}).edge).toEqual({
      host: '127.0.0.1',
      port: 3000,
      bodyLimitBytes: 1_048_576,
      updateTimeoutMs: 10_000,
      updatesInFlightPerAccount: 4,
      queuedPerAccount: 20,
      queuedTotal: 200,
      rateLimitPerIpPerMinute: 6_000,
      rateLimitPerKeyPerMinute: 6_000,
      unknownKeyPrefixes: 10_000,
      metrics: { host: '127.0.0.1', port: 9465 },
    });
    expect(
      parseConfig({
        EDGE_RATE_LIMIT_PER_IP_PER_MINUTE: '100',
        EDGE_RATE_LIMIT_PER_KEY_PER_MINUTE: '50',
        EDGE_UNKNOWN_KEY_PREFIXES: '0',
        EDGE_METRICS_HOST: '0.0.0.0',
        EDGE_METRICS_PORT: '0',
      }).edge,
    ).toMatchObject({
      rateLimitPerIpPerMinute: 100,
      rateLimitPerKeyPerMinute: 50,
      unknownKeyPrefixes: 0,
      metrics: { host: '0.0.0.0', port: 0 },
    });
    expect(() => parseConfig({ EDGE_METRICS_HOST: 'localhost' })).toThrow(/EDGE_METRICS_HOST/);
    const set = parseConfig({
      HTTP_HOST: '0.0.0.0',
      HTTP_PORT: '8080',
      EDGE_UPDATE_TIMEOUT_MS: '2500',
      EDGE_UPDATES_IN_FLIGHT: '10',
      EDGE_QUEUE_TOTAL: '50',
    }).edge;
    expect(set).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      updateTimeoutMs: 2500,
      updatesInFlightPerAccount: 10,
      queuedTotal: 50,
    });
    // Temporal takes at most 10 updates in flight per workflow and 2 MB per payload.
    expect(() => parseConfig({ EDGE_UPDATES_IN_FLIGHT: '11' })).toThrow(/EDGE_UPDATES_IN_FLIGHT/);
    expect(() => parseConfig({ EDGE_BODY_LIMIT_BYTES: '2097152' })).toThrow(
      /EDGE_BODY_LIMIT_BYTES/,
    );
  });
});
