/**
 * Atlassian Admin API client: the `AtlassianDirectory` port for one API key.
 *
 * One method per capability; HTTP, retries and error mapping live in `http.ts`,
 * the mapping to our `ManagedUser` in `normalize.ts`.
 */
import type * as z from '../zod.js';
import type {
  AtlassianApiKeySummary,
  AtlassianDirectory,
  AtlassianOrgSummary,
  ListUsersOptions,
  ManagedUserPage,
  WriteResult,
} from '../ports.js';
import { cursorFromNextLink, decodeListingCursor, encodeListingCursor, type ListingPosition } from './cursor.js';
import { ForbiddenError, InvalidResponseError, NotFoundError, RequestRejectedError } from './errors.js';
import { AtlassianHttp, type AtlassianHttpOptions, type AtlassianLogger, type AtlassianRequest } from './http.js';
import { normalizeV1User, normalizeV2User } from './normalize.js';
import { ApiKeysPage, OrgsPage, V1UserPage, V2UserDetails, V2UserPage, WriteAnswer } from './schemas.js';

/** Options of `AtlassianClient`; see `AtlassianHttpOptions` for defaults. */
export type AtlassianClientOptions = AtlassianHttpOptions;
export type { AtlassianApiKeySummary };

interface DeadlineOption {
  deadline?: number;
}

/** The directory writes, named like the client's methods. */
export type DirectoryWriteKind = 'suspendAccess' | 'restoreAccess' | 'removeFromDirectory';

/**
 * Method and path (relative to the base URL) of a directory write: the v1 endpoint, or the
 * v2 one when the user's `directoryId` is given.
 */
export function directoryWriteEndpoint(
  kind: DirectoryWriteKind,
  orgId: string,
  accountId: string,
  directoryId?: string,
): { method: 'POST' | 'DELETE'; path: string } {
  const user =
    directoryId === undefined
      ? `/v1/orgs/${segment(orgId)}/directory/users/${segment(accountId)}`
      : `/v2/orgs/${segment(orgId)}/directories/${segment(directoryId)}/users/${segment(accountId)}`;
  if (kind === 'removeFromDirectory') return { method: 'DELETE', path: user };
  const verb = kind === 'suspendAccess' ? 'suspend' : 'restore';
  return { method: 'POST', path: `${user}/${directoryId === undefined ? `${verb}-access` : verb}` };
}

/** Page size of the v2 listing (Atlassian's maximum). */
const V2_PAGE_SIZE = 100;
/** Guards the small follow-the-next-link listings (orgs, API keys) against a server that never ends. */
const MAX_SMALL_LISTING_PAGES = 100;

export class AtlassianClient implements AtlassianDirectory {
  readonly #http: AtlassianHttp;
  readonly #logger?: AtlassianLogger;

  constructor(options: AtlassianClientOptions) {
    this.#http = new AtlassianHttp(options);
    this.#logger = options.logger;
  }

  /** Orgs this key administers (`GET /v1/orgs`); also validates a key on connect. */
  async listOrgs(options: DeadlineOption = {}): Promise<AtlassianOrgSummary[]> {
    const action = 'listOrgs';
    const orgs: AtlassianOrgSummary[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_SMALL_LISTING_PAGES; page++) {
      const response = await this.#get(OrgsPage, { method: 'GET', path: '/v1/orgs', query: { cursor }, action, ...options });
      for (const org of response.data) orgs.push({ orgId: org.id, name: org.attributes?.name ?? '' });
      cursor = nextCursor(response.links?.next, cursor, action);
      if (cursor === undefined) return orgs;
    }
    throw new InvalidResponseError({ action, detail: `links.next: more than ${MAX_SMALL_LISTING_PAGES} pages` });
  }

  /**
   * Managed users of an org, one page per iteration. Starts with the v2 directory
   * users search and falls back to the v1 managed-accounts list when v2 is refused
   * (403/404). Each page's `nextCursor` names its listing (`v2:…`/`v1:…`), so passing
   * it back as `cursor`, even in another invocation, resumes the same listing.
   * When v2 is refused while resuming a v2 cursor, the listing restarts at the
   * beginning of the v1 list (pages then say `source: 'v1'`): a complete listing
   * is worth more than the pages already read.
   */
  async *listUserPages(orgId: string, options: ListUsersOptions = {}): AsyncGenerator<ManagedUserPage> {
    const action = `listUsers: org ${orgId}`;
    let position = this.#startPosition(action, options.cursor);
    for (;;) {
      let page: ManagedUserPage & { rawNext?: string };
      if (position.listing === 'v2') {
        try {
          page = await this.#v2UserPage(orgId, position.cursor, action, options.deadline);
        } catch (thrown) {
          if (!(thrown instanceof ForbiddenError || thrown instanceof NotFoundError)) throw thrown;
          this.#logger?.warn('Atlassian refused the v2 user listing; using the v1 managed-accounts list', {
            orgId,
            status: thrown.status,
            atlassianCode: thrown.atlassianCode,
            restarted: position.cursor !== undefined,
          });
          position = { listing: 'v1' };
          continue;
        }
      } else {
        page = await this.#v1UserPage(orgId, position.cursor, action, options.deadline);
      }
      const { rawNext, ...result } = page;
      yield result;
      if (rawNext === undefined) return;
      position = { listing: position.listing, cursor: rawNext };
    }
  }

  /** Suspends the user's access to the org's products (reversible). */
  suspendAccess(orgId: string, accountId: string, options: DeadlineOption = {}): Promise<WriteResult> {
    return this.#write('suspendAccess', orgId, accountId, options.deadline);
  }

  /** Restores access suspended by `suspendAccess`. */
  restoreAccess(orgId: string, accountId: string, options: DeadlineOption = {}): Promise<WriteResult> {
    return this.#write('restoreAccess', orgId, accountId, options.deadline);
  }

  /** Removes the user from the org's directory (users and groups). */
  removeFromDirectory(orgId: string, accountId: string, options: DeadlineOption = {}): Promise<WriteResult> {
    return this.#write('removeFromDirectory', orgId, accountId, options.deadline);
  }

  /**
   * The org's API keys from Atlassian's API Access API, to discover key expiry.
   * Best effort: Atlassian may refuse it for some keys; callers treat a failure as "unknown".
   */
  async listApiKeys(orgId: string, options: DeadlineOption = {}): Promise<AtlassianApiKeySummary[]> {
    const action = `listApiKeys: org ${orgId}`;
    const keys: AtlassianApiKeySummary[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_SMALL_LISTING_PAGES; page++) {
      const response = await this.#get(ApiKeysPage, {
        method: 'GET',
        path: `/api-access/v1/orgs/${segment(orgId)}/api-keys`,
        query: { cursor },
        action,
        ...options,
      });
      for (const key of response.data) {
        const summary: AtlassianApiKeySummary = { id: key.id };
        if (key.label) summary.label = key.label;
        if (key.expiresAt) summary.expiresAt = key.expiresAt;
        keys.push(summary);
      }
      cursor = nextCursor(response.links?.next, cursor, action);
      if (cursor === undefined) return keys;
    }
    throw new InvalidResponseError({ action, detail: `links.next: more than ${MAX_SMALL_LISTING_PAGES} pages` });
  }

  #startPosition(action: string, cursor: string | undefined): ListingPosition {
    if (cursor === undefined || cursor === '') return { listing: 'v2' };
    const position = decodeListingCursor(cursor);
    if (!position) {
      throw new RequestRejectedError({ action, detail: 'the cursor was not issued by this client' });
    }
    return position;
  }

  async #v2UserPage(
    orgId: string,
    cursor: string | undefined,
    action: string,
    deadline: number | undefined,
  ): Promise<ManagedUserPage & { rawNext?: string }> {
    const body: Record<string, unknown> = { limit: V2_PAGE_SIZE, expand: ['productAccess'] };
    if (cursor !== undefined) body.cursor = cursor;
    const response = await this.#get(V2UserPage, {
      method: 'POST',
      path: `/v2/orgs/${segment(orgId)}/directories/-/users/search`,
      body,
      action,
      deadline,
    });
    // v2 `links.next` is an opaque cursor; tolerate a URL too.
    const rawNext = nextCursor(response.links?.next, cursor, action);
    return toPage(response.data.map(normalizeV2User), 'v2', rawNext);
  }

  async #v1UserPage(
    orgId: string,
    cursor: string | undefined,
    action: string,
    deadline: number | undefined,
  ): Promise<ManagedUserPage & { rawNext?: string }> {
    const response = await this.#get(V1UserPage, {
      method: 'GET',
      path: `/v1/orgs/${segment(orgId)}/users`,
      query: { cursor },
      action,
      deadline,
    });
    const rawNext = nextCursor(response.links?.next, cursor, action);
    return toPage(response.data.map(normalizeV1User), 'v1', rawNext);
  }

  /** v1 directory write first; when v1 is refused with a plain 403, the v2 write. */
  async #write(kind: DirectoryWriteKind, orgId: string, accountId: string, deadline: number | undefined): Promise<WriteResult> {
    const action = `${kind}: org ${orgId}: user ${accountId}`;
    const v1: AtlassianRequest = { ...directoryWriteEndpoint(kind, orgId, accountId), action, deadline, write: true };
    try {
      return await this.#sendWrite(v1);
    } catch (thrown) {
      if (!(thrown instanceof ForbiddenError)) throw thrown;
      this.#logger?.warn('Atlassian refused the v1 directory write; trying the v2 write', {
        action: kind,
        orgId,
        atlassianCode: thrown.atlassianCode,
      });
    }
    const directoryId = await this.#directoryIdOf(orgId, accountId, action, deadline);
    return this.#sendWrite({ ...directoryWriteEndpoint(kind, orgId, accountId, directoryId), action, deadline, write: true });
  }

  async #sendWrite(request: AtlassianRequest): Promise<WriteResult> {
    const response = await this.#http.send(request);
    const answer = validate(WriteAnswer, response.body, request.action);
    return answer?.message ? { status: response.status, message: answer.message } : { status: response.status };
  }

  /** The id of the directory holding the user, needed by the v2 writes. */
  async #directoryIdOf(orgId: string, accountId: string, action: string, deadline: number | undefined): Promise<string> {
    const details = await this.#get(V2UserDetails, {
      method: 'GET',
      path: `/v2/orgs/${segment(orgId)}/directories/-/users/${segment(accountId)}`,
      action,
      deadline,
    });
    const user = 'data' in details && typeof details.data === 'object' ? details.data : details;
    const directoryId = (user as { directoryId?: string | null }).directoryId;
    if (!directoryId) throw new InvalidResponseError({ action, detail: 'directoryId: missing from the v2 user' });
    return directoryId;
  }

  async #get<S extends z.ZodMiniType>(schema: S, request: AtlassianRequest): Promise<z.infer<S>> {
    const response = await this.#http.send(request);
    return validate(schema, response.body, request.action);
  }
}

/**
 * A factory in the style of `AtlassianDirectoryFactory`: options shared by every
 * client (base URL, retries, logger…), the key given per org.
 */
export function createAtlassianDirectory(
  options: Omit<AtlassianClientOptions, 'apiKey'>,
): (apiKey: string) => AtlassianClient {
  return function createAtlassianClient(apiKey: string) {
    return new AtlassianClient({ ...options, apiKey });
  };
}

function toPage(users: ManagedUserPage['users'], listing: ManagedUserPage['source'], rawNext: string | undefined) {
  const result: ManagedUserPage & { rawNext?: string } = { users, source: listing };
  if (rawNext !== undefined) {
    result.nextCursor = encodeListingCursor({ listing, cursor: rawNext });
    result.rawNext = rawNext;
  }
  return result;
}

/** The next cursor of a listing, refusing links that would loop or silently end it. */
function nextCursor(next: string | null | undefined, current: string | undefined, action: string): string | undefined {
  if (!next) return undefined;
  const cursor = cursorFromNextLink(next);
  if (cursor === undefined) throw new InvalidResponseError({ action, detail: 'links.next: has no cursor' });
  if (cursor === current) throw new InvalidResponseError({ action, detail: 'links.next: repeats the current cursor' });
  return cursor;
}

/** Validates a body; the error names the first bad field (e.g. `data[3].account_id`). */
function validate<S extends z.ZodMiniType>(schema: S, body: unknown, action: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue ? formatPath(issue.path) : '';
  const detail = `${where || '(body)'}: ${issue?.message ?? 'unexpected shape'}`;
  throw new InvalidResponseError({ action, detail });
}

/** `['data', 3, 'account_id']` → `data[3].account_id`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function segment(value: string): string {
  return encodeURIComponent(value);
}
