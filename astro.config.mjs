// @ts-check
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import { satteri } from '@astrojs/markdown-satteri';
import { mermaidPlugin } from './src/markdown/mermaid.mjs';
import { securityHeaders } from './src/lib/security-headers.mjs';
import { fileURLToPath } from 'node:url';

// The public URL the site is deployed at; used for the sitemap, RSS and canonical links.
const site = process.env.SITE_URL ?? 'http://localhost:4321';

export default defineConfig({
  site,
  trailingSlash: 'always',
  server: { port: 4321, host: true, headers: securityHeaders },
  vite: {
    resolve: {
      // Load Pagefind's search UI when the reader opens search, not on every page (see the file).
      alias: [{ find: /^@pagefind\/default-ui$/, replacement: fileURLToPath(new URL('./src/lib/lazy-pagefind.ts', import.meta.url)) }],
    },
  },
  markdown: {
    processor: satteri({ mdastPlugins: [mermaidPlugin()] }),
  },
  integrations: [
    starlight({
      title: 'Phlo: Modern Data Engineering',
      description: 'A 13-part series on building a data lakehouse with Iceberg, Nessie, dbt, Dagster and friends, with a lakehouse miniature you run in your browser.',
      favicon: '/favicon.svg',
      lastUpdated: false,
      pagination: true,
      tableOfContents: { minHeadingLevel: 2, maxHeadingLevel: 3 },
      social: [{ icon: 'github', label: 'The Phlo repository', href: 'https://github.com/iamgp/phlo' }],
      head: [
        { tag: 'link', attrs: { rel: 'alternate', type: 'application/rss+xml', title: 'Phlo: Modern Data Engineering (all parts)', href: '/rss.xml' } },
        { tag: 'meta', attrs: { name: 'theme-color', content: '#0b4f6c' } },
      ],
      sidebar: [
        { label: 'Start here', items: [{ label: 'Series overview', link: '/' }] },
        { label: 'The series', items: [{ autogenerate: { directory: 'parts' } }] },
      ],
      customCss: ['./src/styles/course.css', './src/styles/print.css'],
      components: {
        PageTitle: './src/components/starlight/PageTitle.astro',
        Search: './src/components/starlight/Search.astro',
      },
    }),
  ],
});
