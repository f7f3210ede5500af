/**
 * The zod every runtime module uses: `zod/mini` (tree-shakable, ~20 KB bundled instead of
 * ~450 KB for classic zod, which keeps each Lambda bundle well under 500 KB) with English
 * error messages, so validation problems say "expected string, received number".
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export { z };
