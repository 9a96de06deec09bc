/**
 * The site's one stylesheet: readable on a phone (one column, nothing wider than the screen) and in
 * dark mode (prefers-color-scheme), with system fonts only, so the site fetches nothing else.
 */
export const siteStyle = `:root {
  color-scheme: light dark;
  --bg: #ffffff;
  --fg: #1f2328;
  --muted: #59636e;
  --rule: #d1d9e0;
  --panel: #f6f8fa;
  --link: #0550ae;
  --current: #116329;
  --deprecated: #7d4e00;
  --legacy: #59636e;
  --retired: #a40e26;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117;
    --fg: #e6edf3;
    --muted: #9198a1;
    --rule: #3d444d;
    --panel: #151b23;
    --link: #6cb6ff;
    --current: #57ab5a;
    --deprecated: #d4a72c;
    --legacy: #9198a1;
    --retired: #f47067;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--fg);
  font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  overflow-wrap: anywhere;
}
header.site, main, footer.site { max-width: 56rem; margin: 0 auto; padding: 0 1rem; }
header.site { padding-top: 1.25rem; border-bottom: 1px solid var(--rule); }
footer.site { margin-top: 2rem; padding: 1rem; border-top: 1px solid var(--rule); color: var(--muted); font-size: 0.875rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 0.5rem; }
h2 { font-size: 1.3rem; line-height: 1.3; margin: 1.75rem 0 0.5rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 0.25rem; }
a { color: var(--link); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
pre { background: var(--panel); border: 1px solid var(--rule); border-radius: 6px; padding: 0.75rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.muted, .meta { color: var(--muted); }
.arch { color: var(--muted); font-weight: normal; }
.badge { display: inline-block; padding: 0 0.5rem; border: 1px solid currentColor; border-radius: 1rem; font-size: 0.8rem; font-weight: 600; vertical-align: middle; }
.status-current { color: var(--current); }
.status-deprecated { color: var(--deprecated); }
.status-legacy { color: var(--legacy); }
.status-retired { color: var(--retired); }
ul.lines, ol.entries, ol.recent, ul.files { list-style: none; margin: 0; padding: 0; }
ul.lines > li, ol.entries > li { border: 1px solid var(--rule); border-radius: 8px; background: var(--panel); padding: 0.75rem 1rem; margin: 0.75rem 0; }
ul.lines h3 { margin: 0 0 0.25rem; }
ul.lines > li.has-box { border: 0; padding: 0; background: none; }
ol.recent > li { padding: 0.35rem 0; border-bottom: 1px solid var(--rule); }
ol.entries h3 { margin: 0 0 0.25rem; font-size: 1.15rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; margin: 0.5rem 0; }
dl.facts > div { display: contents; }
dt, .label { color: var(--muted); }
dd { margin: 0; }
.use-image { border: 2px solid var(--current); border-radius: 8px; background: var(--bg); padding: 0.6rem 0.9rem; margin: 0.75rem 0; }
.use-image h2 { margin: 0 0 0.25rem; font-size: 1.15rem; }
.use-image h3 { margin: 0 0 0.25rem; }
ul.files.compact { display: flex; flex-wrap: wrap; gap: 0.2rem 1.1rem; margin: 0.35rem 0; }
ul.files.compact > li { display: inline; border: 0; padding: 0; }
ul.files > li { padding: 0.3rem 0; border-top: 1px solid var(--rule); display: flex; flex-wrap: wrap; gap: 0 0.75rem; align-items: baseline; }
ul.files .file { flex: 1 1 auto; }
ul.files .size { color: var(--muted); white-space: nowrap; font-variant-numeric: tabular-nums; }
ul.files .about { flex-basis: 100%; font-size: 0.85rem; color: var(--muted); }
ul.files .sha256 { flex-basis: 100%; font-size: 0.8rem; color: var(--muted); }
ul.files .sha256 code { color: var(--fg); word-break: break-all; }
.file-links { margin: 0.4rem 0; }
.fetch-label { margin: 0.5rem 0 0.2rem; font-size: 0.9rem; color: var(--muted); }
pre.fetch { margin: 0; padding: 0.45rem 0.6rem; }
.table-wrap { overflow-x: auto; }
table.lines { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
table.lines th, table.lines td { text-align: left; padding: 0.3rem 0.6rem 0.3rem 0; border-bottom: 1px solid var(--rule); vertical-align: baseline; }
table.lines td, table.lines thead th { white-space: nowrap; overflow-wrap: normal; }
table.lines thead th { color: var(--muted); font-weight: normal; font-size: 0.85rem; }
table.lines tbody th { font-weight: normal; }
table.lines .num { text-align: right; padding-right: 0; }
.imported-note { border-left: 3px solid var(--legacy); padding-left: 0.75rem; }
.notes { border-top: 1px solid var(--rule); margin-top: 0.5rem; padding-top: 0.25rem; }
.notes p.subject { font-weight: 600; }
.notes p, .notes ul, .notes ol { margin: 0.4rem 0; }
details, .package-summary p, .recipe-summary { margin: 0.3rem 0; }
summary { cursor: pointer; }
details h4 { font-size: 0.95rem; margin: 0.5rem 0 0.2rem; }
ul.packages { columns: 2 18rem; padding-left: 1.25rem; margin: 0; }
.suite { font-size: 0.8rem; color: var(--muted); }
.suite.security { color: var(--deprecated); font-weight: 600; }
.manifest { margin: 0.3rem 0; }
.kind { font-size: 0.85rem; font-weight: normal; color: var(--muted); }
@media (max-width: 36rem) {
  h1 { font-size: 1.35rem; }
  h2 { font-size: 1.15rem; margin-top: 1.25rem; }
  header.site, main, footer.site { padding: 0 0.6rem; }
  dl.facts { gap: 0 0.75rem; }
  ul.lines > li, ol.entries > li { padding: 0.5rem 0.6rem; margin: 0.5rem 0; }
  .use-image { padding: 0.5rem 0.6rem; }
  table.lines { font-size: 0.875rem; }
  table.lines .built { display: none; }
  body { line-height: 1.45; }
}
`;
