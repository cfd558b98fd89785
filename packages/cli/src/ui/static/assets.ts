import fs from 'node:fs';
import { createRequire } from 'node:module';
import { UI_CSS } from './ui-css.js';
import { UI_JS } from './ui-js.js';

/** A file the interface serves under /static/. */
export interface StaticAsset {
  readonly type: string;
  readonly body: string;
}

/**
 * htmx comes from its npm package's dist file (read once, never from a CDN: nothing is downloaded at run
 * time); the stylesheet and the small client script are strings of this package.
 */
export function loadAssets(): ReadonlyMap<string, StaticAsset> {
  const require = createRequire(import.meta.url);
  const htmx = fs.readFileSync(require.resolve('htmx.org/dist/htmx.min.js'), 'utf8');
  return new Map([
    ['htmx.min.js', { type: 'text/javascript; charset=utf-8', body: htmx }],
    ['ui.js', { type: 'text/javascript; charset=utf-8', body: UI_JS }],
    ['ui.css', { type: 'text/css; charset=utf-8', body: UI_CSS }],
  ]);
}
