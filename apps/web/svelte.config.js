import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build' }),
    // The API (Hono) is served by the same process under /api; SvelteKit never owns that prefix.
    paths: { relative: false },
    // Content-Security-Policy of every page (the other security headers: apps/api/src/security-headers.ts).
    // Scripts: our own files and SvelteKit's inline boot script by its hash, nothing else inline.
    // 'unsafe-eval': ajv compiles each form's validator to a function in the browser (forms and
    // the designer validate as the server does; test/browser/security-headers.test.ts sees the
    // violations without it); it lets no injected <script> or on* handler run.
    // Styles inline: Svelte's style: directives and the flow editor set style attributes.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self', 'unsafe-eval'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:', 'blob:'],
        'font-src': ['self', 'data:'],
        'connect-src': ['self'],
        'worker-src': ['self', 'blob:'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
      },
    },
  },
};
