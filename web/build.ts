/**
 * Builds the hosted windows (web/) into static files with the project's
 * esbuild: `<outDir>/desktop/index.html`, `app.js` (Preact + the windows) and
 * `app.css`. Used by `npm run build:web` (→ web/dist, what `aws s3 sync`
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
  /** Output folder; the desktop window goes to `<outDir>/desktop/`. @default WEB_DIST */
  readonly outDir?: string;
  /** @default true */
  readonly minify?: boolean;
}

export interface WebBuildResult {
  readonly outDir: string;
  /** Every file written, with its size. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
}

/** Bundles the desktop window (TypeScript + Preact + plain CSS) and copies its page. */
export async function buildWeb(options: WebBuildOptions = {}): Promise<WebBuildResult> {
  const outDir = resolve(options.outDir ?? WEB_DIST);
  const desktopOut = join(outDir, 'desktop');
  await mkdir(desktopOut, { recursive: true });
  await build({
    entryPoints: { app: join(WEB_SOURCE, 'desktop', 'main.tsx') },
    outdir: desktopOut,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // WebView2 and current Chromium: no down-levelling needed.
    target: ['chrome110'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  await copyFile(join(WEB_SOURCE, 'desktop', 'index.html'), join(desktopOut, 'index.html'));
  const files = [];
  for (const name of await readdir(desktopOut)) {
    const path = join(desktopOut, name);
    files.push({ path, bytes: (await stat(path)).size });
  }
  return { outDir, files };
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
