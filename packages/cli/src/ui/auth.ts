import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { UsageError } from '../errors.js';
import type { UiEnv } from './env.js';

export const TOKEN_COOKIE = 'streampro_ui_token';

/** Whether a bind address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * The interface can trigger and clear runs: beyond loopback anyone on the network could, so it refuses to
 * start there without an access token.
 */
export function assertBindAllowed(host: string, token: string | undefined): void {
  if (isLoopback(host) || (token !== undefined && token !== '')) return;
  throw new UsageError(
    `refusing to serve on ${host} without an access token: anyone who can reach it could trigger and clear runs; ` +
      'pass --token <secret> or set STREAMPRO_UI_TOKEN (or bind --host 127.0.0.1)',
  );
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * With a token, every request must carry it: `Authorization: Bearer <token>`, or the cookie set when a URL
 * with `?token=<token>` is opened (then redirected to the same URL without it, so it leaves the address bar).
 */
export function requireToken(token: string | undefined): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    if (token === undefined || token === '') return next();
    const url = new URL(c.req.url);
    const given = url.searchParams.get('token');
    if (given !== null && sameSecret(given, token)) {
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const cookie = getCookie(c, TOKEN_COOKIE);
    if ((bearer && sameSecret(bearer, token)) || (cookie && sameSecret(cookie, token))) return next();
    return c.text(
      'access token required: open the URL dag ui printed (it ends with ?token=...), or send Authorization: Bearer <token>\n',
      401,
    );
  };
}

/**
 * On loopback, requests must name a loopback host: a page on another site cannot reach this server through
 * a DNS name it points at 127.0.0.1 (DNS rebinding).
 */
export function requireLoopbackHost(enabled: boolean): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    if (!enabled) return next();
    const host = c.req.header('host') ?? '';
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
    if (isLoopback(name)) return next();
    return c.text(`host ${host} is not this machine's loopback address\n`, 421);
  };
}
