import { createHmac, randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { sameSecret } from './auth.js';
import type { UiEnv } from './env.js';

export const CSRF_COOKIE = 'streampro_ui_csrf';
export const CSRF_FIELD = '_csrf';

/**
 * CSRF protection of the actions: each browser gets a random nonce in a cookie, and forms embed
 * HMAC(server secret, nonce). A POST must carry both, and the token must match the nonce. Another site can
 * make the browser send the cookie but can neither read it nor compute the HMAC; the secret is random per
 * server, so a restart invalidates old forms.
 */
export class CsrfGuard {
  readonly #secret = randomBytes(32);

  tokenFor(nonce: string): string {
    return createHmac('sha256', this.#secret).update(nonce).digest('base64url');
  }

  valid(nonce: string | undefined, token: string | undefined): boolean {
    return (
      nonce !== undefined && token !== undefined && nonce !== '' && sameSecret(this.tokenFor(nonce), token)
    );
  }

  /** Sets the nonce cookie when missing and exposes the form token as `c.get('csrf')`; checks POSTs. */
  middleware(): MiddlewareHandler<UiEnv> {
    return async (c, next) => {
      let nonce = getCookie(c, CSRF_COOKIE);
      if (c.req.method === 'POST') {
        const origin = c.req.header('origin');
        if (origin && new URL(origin).host !== c.req.header('host')) {
          return c.text('cross-origin request refused\n', 403);
        }
        const form = await c.req.parseBody();
        const token = typeof form[CSRF_FIELD] === 'string' ? form[CSRF_FIELD] : c.req.header('x-csrf-token');
        if (!this.valid(nonce, token)) {
          return c.text('missing or stale CSRF token: reload the page and try again\n', 403);
        }
      }
      if (!nonce) {
        nonce = randomBytes(18).toString('base64url');
        setCookie(c, CSRF_COOKIE, nonce, { httpOnly: true, sameSite: 'Strict', path: '/' });
      }
      c.set('csrf', this.tokenFor(nonce));
      return next();
    };
  }
}
