/** The interface's stylesheet, served at /static/ui.css (a string here: no asset copying in the build). */
export const UI_CSS = `
:root { color-scheme: light; --fg: #1a1a1a; --muted: #555; --line: #d0d0d0; --bg: #fff; --panel: #f6f7f9;
  --link: #0b57a4; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 15px; }
body { margin: 0; color: var(--fg); background: var(--bg); }
a { color: var(--link); }
header.top { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; background: #14213d; color: #fff; }
header.top a { color: #fff; text-decoration: none; }
header.top .brand { font-weight: 700; }
header.top nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
header.top nav a[aria-current="page"] { text-decoration: underline; }
main { padding: 1rem 1.2rem 3rem; }
h1 { font-size: 1.4rem; margin: .2rem 0 .8rem; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
.crumbs { margin: 0 0 .4rem; color: var(--muted); }
.crumbs a { color: var(--link); }
table { border-collapse: collapse; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; }
.muted { color: var(--muted); }
.banner { border: 2px solid #b3261e; background: #fdecea; padding: .6rem .9rem; margin: 0 0 1rem; border-radius: 4px; }
.banner h2 { margin: 0 0 .3rem; font-size: 1rem; }
.notice { border: 1px solid #1558b0; background: #e8f0fb; padding: .5rem .8rem; margin: 0 0 1rem; border-radius: 4px; }
.error-box { border: 1px solid #b3261e; background: #fdecea; padding: .5rem .8rem; border-radius: 4px; }
pre { background: var(--panel); padding: .6rem; overflow: auto; border-radius: 4px; font-size: 13px; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
form.inline { display: inline-flex; gap: .4rem; align-items: center; margin: 0; }
button, .button { font: inherit; padding: .25rem .7rem; border: 1px solid #3a4a6b; background: #fff; color: #14213d;
  border-radius: 4px; cursor: pointer; text-decoration: none; display: inline-block; }
button.primary { background: #14213d; color: #fff; }
input, select, textarea { font: inherit; padding: .2rem .4rem; }
.sq, .cell { display: inline-flex; align-items: center; justify-content: center; width: 1.35rem; height: 1.35rem;
  border-radius: 3px; font-size: 12px; line-height: 1; text-decoration: none; border: 1px solid transparent; }
.squares { display: flex; gap: 3px; }
.s-success { background: #1b7a34; color: #fff; }
.s-failed { background: #b3261e; color: #fff; }
.s-running { background: #1558b0; color: #fff; }
.s-queued { background: #555; color: #fff; }
.s-scheduled { background: #6d4c41; color: #fff; }
.s-up_for_retry { background: #a84300; color: #fff; }
.s-upstream_failed { background: #8a5300; color: #fff; }
.s-skipped { background: #a3125a; color: #fff; }
.s-none { background: #fff; color: #444; border-color: #8a8a8a; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: 3px; font-size: 13px; }
.grid-wrap { overflow: auto; max-width: 100%; }
table.grid th, table.grid td { border-bottom: none; padding: 1px 2px; }
table.grid th.task { text-align: left; padding-right: .6rem; white-space: nowrap; font-weight: 500; }
table.grid th.task.in-group { padding-left: 1.2rem; }
table.grid tr.group th { font-weight: 700; }
table.grid th.date { writing-mode: vertical-rl; transform: rotate(180deg); font-weight: 400; font-size: 12px; height: 5.5rem; }
table.grid td.bar { vertical-align: bottom; height: 2.2rem; }
.dbar { display: block; width: 1.1rem; margin: 0 auto; border-radius: 2px 2px 0 0; }
table.grid a.cell.selected { outline: 3px solid #f2b705; outline-offset: 1px; }
table.grid a.cell.dim { opacity: .25; }
.layout { display: flex; gap: 1.5rem; align-items: flex-start; flex-wrap: wrap; }
aside.details { flex: 1 1 22rem; max-width: 40rem; border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem; }
.toolbar { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin: .4rem 0 .8rem; }
table.log { width: 100%; font-size: 13px; }
table.log td { border-bottom: 1px solid #eee; padding: .1rem .4rem; }
table.log td.n { color: var(--muted); text-align: right; }
table.log td:nth-child(-n+3), table.log th:nth-child(-n+3) { width: 1%; white-space: nowrap; }
table.log td.msg { white-space: pre-wrap; word-break: break-word; }
table.log.nowrap td.msg { white-space: pre; }
table.log .lvl-error { color: #b3261e; font-weight: 600; }
table.log .lvl-warn { color: #8a5300; font-weight: 600; }
table.log .lvl-debug { color: #555; }
table.log .fields { color: #3a3a3a; }
table.log mark { background: #ffe27a; }
.svg-wrap { overflow: auto; border: 1px solid var(--line); border-radius: 6px; padding: .4rem; }
.kv th { width: 9rem; }
.copy { display: flex; gap: .4rem; align-items: center; margin: .2rem 0; }
.copy code { background: var(--panel); padding: .2rem .4rem; border-radius: 3px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;
