/** User queries behind the HTTP API: filtered listings, CSV export, one user's history, cross-org lookup. */
export {
  CSV_PAGE_SIZE,
  csvCell,
  DEFAULT_CSV_EXPORT_BOUNDS,
  exportUsersCsv,
  USER_CSV_COLUMNS,
  userCsvRow,
  type CsvExport,
  type CsvExportBounds,
} from './csv.js';
export {
  findUsersAcrossOrgs,
  getUserWithHistory,
  listOrgChanges,
  listOrgUsers,
  listPage,
  toUserQuery,
  type ListPage,
  type UserFilters,
  type UserWithHistory,
} from './queries.js';
