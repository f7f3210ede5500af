/**
 * The zod every runtime module uses: `zod/mini` (tree-shakable, ~15 KB bundled instead of
 * ~450 KB for classic zod, which keeps each Lambda bundle well under 500 KB) with English
 * error messages, so validation problems say "expected string, received number".
 *
 * Import it as a namespace (`import * as z from '…/zod.js'`): re-exporting a namespace
 * object instead would make esbuild keep all of zod.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
