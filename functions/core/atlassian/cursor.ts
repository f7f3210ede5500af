/**
 * The opaque user-listing cursor handed to callers: Atlassian's own cursor prefixed
 * with the listing it belongs to (`v2:…` or `v1:…`), so that a sync resumed from a
 * checkpoint in a later invocation continues the same listing.
 */
import type { UserSource } from '../domain/model.js';

export interface ListingPosition {
  listing: UserSource;
  /** Atlassian's cursor; absent at the start of a listing. */
  cursor?: string;
}

export function encodeListingCursor(position: Required<ListingPosition>): string {
  return `${position.listing}:${position.cursor}`;
}

/** Decodes a cursor issued by `encodeListingCursor`; undefined when it is not one. */
export function decodeListingCursor(value: string): ListingPosition | undefined {
  const match = /^(v1|v2):(.*)$/s.exec(value);
  if (!match) return undefined;
  const listing = match[1] as UserSource;
  const cursor = match[2];
  return cursor ? { listing, cursor } : { listing };
}

/**
 * Atlassian's next cursor from a `links.next` value, which is a full URL (take its
 * `cursor` parameter), a relative URL, or the bare cursor itself. Undefined when
 * there is no next link, or when it is a URL without a cursor (the caller must not
 * mistake the latter for the end of the listing).
 */
export function cursorFromNextLink(next: string | null | undefined): string | undefined {
  if (!next) return undefined;
  const looksLikeUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(next) || next.startsWith('/') || next.startsWith('?');
  if (!looksLikeUrl) return next;
  const url = new URL(next, 'http://relative.invalid');
  return url.searchParams.get('cursor') ?? undefined;
}
