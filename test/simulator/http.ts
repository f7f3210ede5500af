/**
 * Tiny fetch helpers for the simulator's own tests.
 */

/** A parsed answer: status, headers, raw text and JSON body when it parses. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** Sends a request with a bearer key and returns status, headers, text and parsed JSON. */
export async function call(url: string, key: string | undefined, init: { method?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Follows a listing to its end and returns every page's body. */
export async function allPages(firstUrl: string, key: string, next: (body: any) => string | undefined): Promise<any[]> {
  const pages: any[] = [];
  let url: string | undefined = firstUrl;
  while (url !== undefined) {
    const answer = await call(url, key);
    if (answer.status !== 200) throw new Error(`page ${url} answered ${answer.status}`);
    pages.push(answer.json);
    url = next(answer.json);
  }
  return pages;
}
