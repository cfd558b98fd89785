import { type Html, h, type Part } from './html.js';

export interface PageOptions {
  readonly title: string;
  /** Which top-level section the page belongs to (marked in the navigation). */
  readonly section?: 'dags' | 'datasets';
  readonly crumbs?: readonly { readonly href?: string; readonly label: string }[];
  readonly body: Part;
}

/** The shell of every page: one `main` landmark, a labelled navigation, htmx boosting links and forms. */
export function page(o: PageOptions): Html {
  const current = (s: PageOptions['section']) => (o.section === s ? h` aria-current="page"` : '');
  const crumbs = o.crumbs?.length
    ? h`<nav aria-label="Breadcrumb" class="crumbs">${o.crumbs.map((c, i) => h`${i > 0 ? ' / ' : ''}${c.href ? h`<a href="${c.href}">${c.label}</a>` : c.label}`)}</nav>`
    : '';
  return h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · StreamPro</title>
<link rel="stylesheet" href="/static/ui.css">
<script src="/static/htmx.min.js" defer></script>
<script src="/static/ui.js" defer></script>
</head>
<body hx-boost="true">
<header class="top">
<a class="brand" href="/">StreamPro</a>
<nav aria-label="Main"><ul>
<li><a href="/"${current('dags')}>DAGs</a></li>
<li><a href="/datasets"${current('datasets')}>Datasets</a></li>
</ul></nav>
</header>
<main>
${crumbs}
${o.body}
</main>
</body>
</html>`;
}

/** A form that POSTs an action with the page's CSRF token. */
export function actionForm(action: string, csrf: string, inner: Part, label: string): Html {
  return h`<form class="inline" method="post" action="${action}" aria-label="${label}">
<input type="hidden" name="_csrf" value="${csrf}">${inner}</form>`;
}
