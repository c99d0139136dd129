/**
 * The public development link key signs nothing anyone else can reach. parseConfig already
 * refuses it when PUBLIC_BASE_URL is not a local address (the links it would sign go to
 * customers); the edge must also refuse it when it listens beyond loopback (compose sets
 * HTTP_HOST=0.0.0.0 with a localhost PUBLIC_BASE_URL), since anyone who can reach it could
 * forge a link for any account with the published key.
 */
import { isIP } from 'node:net';
import { ConfigError, type Config } from './config.js';

function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Throws a ConfigError naming BILLING_LINK_SECRET when the edge would serve the public key. */
export function assertEdgeLinkSecret(config: Config): void {
  if (!config.links.secretIsDevDefault || isLoopbackHost(config.edge.host)) return;
  throw new ConfigError(
    'invalid environment:\n  BILLING_LINK_SECRET: required when HTTP_HOST is not a loopback ' +
      `address (got HTTP_HOST '${config.edge.host}'): the development key is public, so anyone ` +
      'reaching the edge could forge a billing link for any account',
  );
}
