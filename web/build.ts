/**
 * Builds the web pages (web/) into static files with the project's esbuild,
 * one bundle per page so neither carries the other: the hosted update window
 * (`<outDir>/desktop/index.html`, `app.js`, `app.css`) and the support console
 * (`<outDir>/support/…`, issue 13). Used by `npm run build:web` (→ web/dist, what `aws s3 sync`
 * deploys), `npm start`, the browser tests and the benchmark.
 */
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** The web app's source folder. */
export const WEB_SOURCE = resolve(import.meta.dirname);
/** Where `npm run build:web` writes the files to deploy. */
export const WEB_DIST = join(WEB_SOURCE, 'dist');

export interface WebBuildOptions {
  /** Output folder; each page goes to `<outDir>/<page>/`. @default WEB_DIST */
  readonly outDir?: string;
  /** @default true */
  readonly minify?: boolean;
}

export interface WebBuildResult {
  readonly outDir: string;
  /** Every file written, with its size. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
}

/** The pages: each a folder of web/ with its index.html and main.tsx, served at `/<page>/`. */
export const WEB_PAGES = ['desktop', 'support'] as const;

/** Bundles each page (TypeScript + Preact + plain CSS) and copies its index.html. */
export async function buildWeb(options: WebBuildOptions = {}): Promise<WebBuildResult> {
  const outDir = resolve(options.outDir ?? WEB_DIST);
  const files = [];
  for (const page of WEB_PAGES) files.push(...(await buildPage(page, outDir, options.minify ?? true)));
  return { outDir, files };
}

async function buildPage(page: string, outDir: string, minify: boolean) {
  const pageOut = join(outDir, page);
  await mkdir(pageOut, { recursive: true });
  await build({
    entryPoints: { app: join(WEB_SOURCE, page, 'main.tsx') },
    outdir: pageOut,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // WebView2 and current Chromium: no down-levelling needed.
    target: ['chrome110'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  await copyFile(join(WEB_SOURCE, page, 'index.html'), join(pageOut, 'index.html'));
  const files = [];
  for (const name of await readdir(pageOut)) {
    const path = join(pageOut, name);
    files.push({ path, bytes: (await stat(path)).size });
  }
  return files;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildWeb({ outDir: process.argv[2] })
    .then((result) => {
      for (const f of result.files) console.log(`${f.path}  ${(f.bytes / 1024).toFixed(1)} KB`);
    })
    .catch((error: unknown) => {
      console.error('build:web failed:', error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
