/**
 * CSV export of an org's users (`GET /orgs/{orgId}/users` with `Accept: text/csv`).
 *
 * One response carries as many pages as fit in a bound (`maxRows`, `maxBytes`, well under
 * API Gateway's 6 MB payload limit), so most orgs export in one request. When the bound is
 * reached the export stops at a page boundary and returns the next cursor: pass it back as
 * `cursor` to get the following rows (the header row is repeated in each response).
 *
 * Cells follow RFC 4180 (quoted when they hold `"`, `,`, CR or LF; quotes doubled; CRLF line
 * ends). Cells that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`,
 * tab or CR) are prefixed with `'` (OWASP CSV injection guidance).
 */
import type { UserSnapshot } from '../domain/model.js';
import type { ConnectorDependencies } from '../runtime/dependencies.js';
import type { PageRequest } from '../store/ports.js';
import { requireOrg } from '../orgs/lookup.js';
import { toUserQuery, type UserFilters } from './queries.js';

export const USER_CSV_COLUMNS = [
  'accountId',
  'name',
  'email',
  'accountStatus',
  'membershipStatus',
  'accessState',
  'managementSource',
  'billable',
  'lastActiveAt',
  'products',
  'accountType',
  'source',
  'firstSeenAt',
  'lastSeenAt',
  'lastChangedAt',
  'removedAt',
] as const;

export interface CsvExportBounds {
  /** @default 20000 */
  maxRows: number;
  /** @default 4 MB */
  maxBytes: number;
}

export const DEFAULT_CSV_EXPORT_BOUNDS: CsvExportBounds = { maxRows: 20_000, maxBytes: 4 * 1024 * 1024 };

/** Rows per store page read by the export when the caller gives no `limit`. */
export const CSV_PAGE_SIZE = 1000;

export interface CsvExport {
  csv: string;
  rows: number;
  /** Set when more users follow: pass it back as `cursor`. */
  nextCursor?: string;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: formula guard, then RFC 4180 quoting. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function userCsvRow(user: UserSnapshot): string {
  const cells: Record<(typeof USER_CSV_COLUMNS)[number], unknown> = {
    accountId: user.accountId,
    name: user.name,
    email: user.email,
    accountStatus: user.accountStatus,
    membershipStatus: user.membershipStatus,
    accessState: user.accessState,
    managementSource: user.managementSource,
    billable: user.billable,
    lastActiveAt: user.lastActiveAt,
    products: user.productKeys.join(';'),
    accountType: user.accountType,
    source: user.source,
    firstSeenAt: user.firstSeenAt,
    lastSeenAt: user.lastSeenAt,
    lastChangedAt: user.lastChangedAt,
    removedAt: user.removedAt,
  };
  return USER_CSV_COLUMNS.map((column) => csvCell(cells[column])).join(',');
}

export async function exportUsersCsv(
  orgId: string,
  filters: UserFilters & PageRequest,
  deps: Pick<ConnectorDependencies, 'stores' | 'clock'>,
  bounds: CsvExportBounds = DEFAULT_CSV_EXPORT_BOUNDS,
): Promise<CsvExport> {
  await requireOrg(orgId, deps);
  const { limit, cursor: firstCursor, ...rest } = filters;
  const query = toUserQuery(rest, deps.clock());
  const lines = [USER_CSV_COLUMNS.join(',')];
  let bytes = lines[0]!.length + 2;
  let rows = 0;
  let cursor = firstCursor;
  do {
    const pageSize = Math.min(limit ?? CSV_PAGE_SIZE, bounds.maxRows - rows);
    const page = await deps.stores.snapshots.listUsers(orgId, { ...query, limit: pageSize, cursor });
    for (const user of page.items) {
      const line = userCsvRow(user);
      lines.push(line);
      bytes += Buffer.byteLength(line) + 2;
    }
    rows += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== undefined && rows < bounds.maxRows && bytes < bounds.maxBytes);
  const csv = `${lines.join('\r\n')}\r\n`;
  return cursor === undefined ? { csv, rows } : { csv, rows, nextCursor: cursor };
}
