/** The dashboard's style sheet, served at /assets/style.css (embedded: nothing read from disk). */
export const STYLE_CSS = `
:root { --fg:#1b1f24; --muted:#5b6470; --line:#d5dae0; --bg:#f6f7f9; --card:#fff; --accent:#0b5cad; --ok:#12703a; --bad:#b3261e; --warn:#8a5a00; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
header.top { display:flex; gap:1rem; align-items:baseline; padding:.6rem 1.2rem; background:#16324f; color:#fff; }
header.top a { color:#fff; }
header.top .brand { font-weight:700; font-size:1.1rem; text-decoration:none; }
main { max-width:1100px; margin:0 auto; padding:1rem 1.2rem 3rem; }
h1 { font-size:1.4rem; margin:.6rem 0; }
h2 { font-size:1.1rem; margin:0 0 .6rem; }
h3 { font-size:1rem; margin:.8rem 0 .4rem; }
section.box { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:.9rem 1rem; margin:1rem 0; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:.3rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-weight:600; color:var(--muted); font-size:.9rem; }
code, .mono, pre { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size:.88rem; }
dl.facts { display:grid; grid-template-columns: max-content 1fr; gap:.25rem 1rem; margin:0; }
dl.facts dt { color:var(--muted); }
dl.facts dd { margin:0; word-break:break-all; }
.muted { color:var(--muted); }
.badge { display:inline-block; padding:0 .45rem; border-radius:9px; font-size:.82rem; border:1px solid var(--line); background:#eef1f4; }
.badge.present { background:#e3f4e8; border-color:#9fd3b0; color:var(--ok); }
.badge.absent { color:var(--muted); }
.badge.locked { background:#fdeceb; border-color:#f0b8b3; color:var(--bad); }
.badge.sim { background:#eef0fd; border-color:#b9c0f0; }
ul.readers { list-style:none; padding:0; margin:0; }
ul.readers li { display:flex; gap:.8rem; align-items:baseline; flex-wrap:wrap; padding:.55rem 0; border-bottom:1px solid var(--line); }
ul.readers li:last-child { border-bottom:0; }
button, .button { font:inherit; padding:.3rem .8rem; border-radius:4px; border:1px solid #9aa5b1; background:#fff; cursor:pointer; color:var(--fg); }
button.primary { background:var(--accent); border-color:var(--accent); color:#fff; }
button.danger { border-color:var(--bad); color:var(--bad); }
button:disabled { opacity:.5; cursor:not-allowed; }
button:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible { outline:3px solid #f2b705; outline-offset:1px; }
label { display:block; font-weight:600; margin:.4rem 0 .15rem; }
input[type=text], input[type=password], select { font:inherit; padding:.3rem .4rem; border:1px solid #9aa5b1; border-radius:4px; min-width:16rem; }
input.mono { font-family: ui-monospace, monospace; }
.row { display:flex; gap:1rem; flex-wrap:wrap; align-items:flex-end; }
.drop { border:2px dashed #9aa5b1; border-radius:6px; padding:1rem; text-align:center; color:var(--muted); }
.drop.over { border-color:var(--accent); background:#eef5fc; }
progress { width:100%; height:1.2rem; }
.result { margin:.6rem 0 0; padding:.4rem .6rem; border-radius:4px; }
.result:empty { display:none; }
.result.ok { background:#e3f4e8; color:var(--ok); }
.result.pending { background:#eef1f4; color:var(--muted); }
.result.error { background:#fdeceb; color:var(--bad); }
.banner { padding:.5rem .8rem; border-radius:4px; background:#fff4d6; color:var(--warn); border:1px solid #e8cf8a; margin:.6rem 0; }
.banner[hidden] { display:none; }
pre.trace { background:#0f1720; color:#d7e1ea; padding:.6rem; border-radius:4px; max-height:22rem; overflow:auto; margin:0; white-space:pre-wrap; word-break:break-all; }
.card-content { border:3px solid #c77700; border-radius:6px; }
.card-content .label { background:#c77700; color:#fff; padding:.3rem .6rem; font-weight:600; }
.card-content iframe { width:100%; height:24rem; border:0; background:#fff; display:block; }
dialog { border:1px solid var(--line); border-radius:6px; max-width:34rem; }
dialog::backdrop { background:rgba(0,0,0,.35); }
.actions { display:flex; gap:.4rem; flex-wrap:wrap; }
.sr-only { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap; }
details summary { cursor:pointer; }
label.inline { display:inline; font-weight:400; }
`;
