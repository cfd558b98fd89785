import { type Html, h } from '../html.js';
import { page } from '../layout.js';

/** A page that says what went wrong and where to go next. */
export function errorPage(title: string, message: string): Html {
  return page({
    title,
    body: h`<h1>${title}</h1><div class="error-box" role="alert"><p>${message}</p></div><p><a href="/">Back to the DAGs</a></p>`,
  });
}
