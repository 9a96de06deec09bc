/**
 * The site's icon (favicon.svg): three stacked layers, for images built in layers from a recipe.
 * An SVG file of the site itself, so the Content Security Policy (img-src 'self') allows it and
 * browsers stop asking for a missing /favicon.ico.
 */
export const favicon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#0550ae"/>
<path d="M16 6 27 11 16 16 5 11Z" fill="#ffffff"/>
<path d="M5 15.5 16 20.5 27 15.5" fill="none" stroke="#ffffff" stroke-width="2.2" stroke-linejoin="round"/>
<path d="M5 20.5 16 25.5 27 20.5" fill="none" stroke="#9ecbff" stroke-width="2.2" stroke-linejoin="round"/>
</svg>
`;
