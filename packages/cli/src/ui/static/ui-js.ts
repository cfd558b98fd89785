/**
 * The interface's only script besides htmx, served at /static/ui.js: live refresh of the grid and log
 * follow over server-sent events, copy buttons. Pages work without it (plain links and forms).
 */
export const UI_JS = `(() => {
  const open = new Set();
  function closeAll() { for (const s of open) s.close(); open.clear(); }
  function live(root) {
    for (const el of root.querySelectorAll('[data-live]')) {
      const source = new EventSource(el.getAttribute('data-live'));
      open.add(source);
      const reload = () => {
        const target = document.getElementById(el.id);
        if (!target) return;
        htmx.ajax('GET', location.pathname + location.search, { target: '#' + el.id, select: '#' + el.id, swap: 'outerHTML' });
      };
      source.addEventListener('changed', () => { source.close(); open.delete(source); reload(); });
      source.addEventListener('done', () => { source.close(); open.delete(source); });
    }
    for (const el of root.querySelectorAll('[data-follow]')) {
      const status = document.getElementById('follow-status');
      const source = new EventSource(el.getAttribute('data-follow'));
      open.add(source);
      source.addEventListener('lines', (e) => {
        el.insertAdjacentHTML('beforeend', e.data);
        if (document.getElementById('follow-scroll')?.checked !== false) el.lastElementChild?.scrollIntoView({ block: 'nearest' });
      });
      source.addEventListener('done', (e) => {
        source.close(); open.delete(source);
        if (status) status.textContent = e.data;
      });
      if (status) status.textContent = 'following the running try';
    }
  }
  document.addEventListener('click', (e) => {
    const button = e.target instanceof Element ? e.target.closest('[data-copy]') : null;
    if (!button) return;
    navigator.clipboard?.writeText(button.getAttribute('data-copy') || '').then(
      () => { button.textContent = 'Copied'; },
      () => { button.textContent = 'Select and copy'; },
    );
  });
  document.addEventListener('htmx:beforeSwap', (e) => {
    const target = e.detail && e.detail.target;
    if (target === document.body || (target && target.querySelector && target.querySelector('[data-live],[data-follow]')) || (target && target.matches && target.matches('[data-live],[data-follow]'))) closeAll();
  });
  document.addEventListener('htmx:afterSettle', (e) => live(e.detail && e.detail.elt ? (e.detail.elt.parentElement || document) : document));
  window.addEventListener('pagehide', closeAll);
  live(document);
})();
`;
