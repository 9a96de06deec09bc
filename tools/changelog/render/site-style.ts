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
ul.lines, ol.entries, ol.recent { list-style: none; margin: 0; padding: 0; }
ul.lines > li, ol.entries > li { border: 1px solid var(--rule); border-radius: 8px; background: var(--panel); padding: 0.75rem 1rem; margin: 0.75rem 0; }
ul.lines h3 { margin: 0 0 0.25rem; }
ol.recent > li { padding: 0.35rem 0; border-bottom: 1px solid var(--rule); }
ol.entries h2 { margin: 0 0 0.25rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; margin: 0.5rem 0; }
dl.facts > div { display: contents; }
dt { color: var(--muted); }
dd { margin: 0; }
.notes p.subject { font-weight: 600; }
.notes p, .notes ul, .notes ol { margin: 0.4rem 0; }
details { margin: 0.25rem 0; }
summary { cursor: pointer; }
ul.packages { columns: 2 18rem; padding-left: 1.25rem; }
.kind { font-size: 0.85rem; font-weight: normal; color: var(--muted); }
@media (max-width: 36rem) {
  h1 { font-size: 1.4rem; }
  dl.facts { grid-template-columns: 1fr; }
  dd { margin-bottom: 0.35rem; }
  ul.lines > li, ol.entries > li { padding: 0.6rem 0.75rem; }
}
`;
