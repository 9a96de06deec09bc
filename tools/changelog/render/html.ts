/**
 * HTML building blocks for the site: escaping (every piece of text from git goes through
 * escapeHtml) and the page frame. The pages need no JavaScript and forbid it: their Content
 * Security Policy allows only the site's own stylesheet, so even a missed escape could not run code.
 */
import { escapeMarkup } from './text.js';

/** Text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return escapeMarkup(text, '&#39;');
}

/** A tag's content is already-escaped HTML: callers build it from escapeHtml and these helpers. */
export type Html = string;

export function link(href: string, content: Html, className?: string): Html {
  return `<a href="${escapeHtml(href)}"${className ? ` class="${className}"` : ''}>${content}</a>`;
}

export function time(dateTime: string | undefined, text: string): Html {
  return dateTime === undefined
    ? escapeHtml(text)
    : `<time datetime="${escapeHtml(dateTime)}">${escapeHtml(text)}</time>`;
}

export const contentSecurityPolicy =
  "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'";

export interface PageOptions {
  title: string;
  /** '' for pages at the site's root, '../' for pages in a folder. */
  root: string;
  description: string;
  feeds: { href: string; title: string }[];
  header: Html;
  main: Html;
  footer: Html;
}

export function page(options: PageOptions): string {
  const feeds = options.feeds
    .map(
      (feed) =>
        `<link rel="alternate" type="application/atom+xml" title="${escapeHtml(feed.title)}" href="${escapeHtml(feed.href)}">`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<meta name="description" content="${escapeHtml(options.description)}">
<title>${escapeHtml(options.title)}</title>
<link rel="icon" type="image/svg+xml" href="${options.root}favicon.svg">
<link rel="stylesheet" href="${options.root}style.css">
${feeds}
</head>
<body>
<header class="site">
${options.header}
</header>
<main>
${options.main}
</main>
<footer class="site">
${options.footer}
</footer>
</body>
</html>
`;
}
