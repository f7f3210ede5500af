/**
 * Deterministic, lazy user generation: a user is a pure function of
 * (seed, org, index), so 100,000 users never need to exist in memory at once.
 */
import { createRandom, deterministicUuid, hashString, mix32, scramble32, unscramble32, type Random } from './random.js';
import type { SimProduct, SimUser } from './types.js';

/** Everything about an org that user generation depends on. */
export interface OrgGenerationContext {
  seed: number;
  orgId: string;
  /** Lower-case DNS label derived from the org name, e.g. `acme`. */
  slug: string;
  /** Email domain of the org's managed accounts. */
  emailDomain: string;
  /** Reference time for generated dates (floored to the UTC day). */
  anchor: Date;
  scimShare: number;
  adminCount: number;
  directoryId: string;
  /** Directory of the accounts provisioned by the IdP. */
  scimDirectoryId: string;
  /** Salt of the permutation that embeds the index in account ids. */
  salt: number;
}

/** Product keys and names as Atlassian reports them. */
export const PRODUCTS: Readonly<Record<string, string>> = {
  'jira-software': 'Jira',
  confluence: 'Confluence',
  'jira-servicedesk': 'Jira Service Management',
  bitbucket: 'Bitbucket',
  opsgenie: 'Opsgenie',
  statuspage: 'Statuspage',
  trello: 'Trello',
  'jira-product-discovery': 'Jira Product Discovery',
};

/** Share of users of each product among users that have any product access. */
const PRODUCT_SHARES: ReadonlyArray<[string, number]> = [
  ['jira-software', 0.72],
  ['confluence', 0.66],
  ['jira-servicedesk', 0.2],
  ['bitbucket', 0.16],
  ['trello', 0.1],
  ['opsgenie', 0.07],
  ['jira-product-discovery', 0.05],
  ['statuspage', 0.03],
];

const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Sophia', 'Elijah', 'Charlotte', 'James', 'Mia', 'Lucas',
  'Harper', 'Mateo', 'Zoë', 'Kenji', 'Aisha', 'Priya', 'Rahul', 'Mei', 'Wei', 'Sofía', 'José', 'Fatima', 'Omar',
  'Ingrid', 'Lars', 'Siobhan', 'Declan', 'Chloé', 'Björn', 'Anika', 'Tomás', 'Yuki', 'Hiroshi', 'Chiara', 'Luca',
  'Nadia', 'Dmitri', 'Olga', 'Kwame', 'Amara', 'Thandiwe', 'Diego', 'Valentina', 'Camille', 'Hugo', 'Freya',
  'Astrid', 'Rosa', 'Marco', 'Elena', 'Ahmed', 'Layla', 'Sven', 'Maya', 'Ethan', 'Grace', 'Daniel', 'Hannah',
  'Samuel', 'Leah', 'Nikolai', 'Isabel',
] as const;

const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Garcia', 'Martínez', 'Nguyen', 'Kim', 'Patel', 'Singh', 'Müller',
  'Schmidt', 'Rossi', 'Bianchi', 'Dubois', 'Lefèvre', 'Kowalski', 'Nowak', 'Novak', 'Ivanov', 'Petrova', "O'Brien",
  'Murphy', 'Kelly', 'Tanaka', 'Suzuki', 'Sato', 'Chen', 'Wang', 'Li', 'Zhang', 'Okafor', 'Mensah', 'Adeyemi',
  'Hansen', 'Johansson', 'Andersson', 'Nielsen', 'Silva', 'Santos', 'Oliveira', 'Fernández', 'López', 'Haddad',
  'Khan', 'Cohen', 'Levi', 'Yilmaz', 'Demir', 'Papadopoulos', 'Horvat', 'Jansen', 'de Vries', 'Van Dijk',
  'MacDonald', 'Campbell', 'Reid', 'Walker', 'Hughes', 'Taylor', 'Wilson', 'Anderson', 'Thompson', 'Moore',
] as const;

const APP_NAMES = ['Automation for Jira', 'Slack Integration', 'GitHub for Jira', 'Statuspage Bot', 'Microsoft Teams for Jira'];

const NAME_SPACE = FIRST_NAMES.length * LAST_NAMES.length;
/** Prime step of the index → name bijection; coprime with NAME_SPACE, so emails are unique. */
const NAME_STEP = 1597;
const DAY_MS = 86_400_000;

function asciiLocalPart(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

/** A DNS label for an org name, e.g. "Acme Corp" → "acme-corp". */
export function slugOf(name: string): string {
  return asciiLocalPart(name.replace(/\s+/g, '-').replace(/[^\p{L}\p{N}-]/gu, '')) || 'org';
}

function userRandom(ctx: OrgGenerationContext, index: number): Random {
  return createRandom(mix32(mix32(ctx.seed, hashString(ctx.orgId)), index));
}

/** Account ids in Atlassian's styles; the first 8 hex digits carry the scrambled index. */
function accountIdFor(ctx: OrgGenerationContext, index: number, rng: Random): string {
  const head = scramble32(index, ctx.salt).toString(16).padStart(8, '0');
  const style = rng.next();
  if (style < 0.35) return head + rng.hex(16);
  const uuid = head + rng.hex(24);
  const formatted = `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-4${uuid.slice(13, 16)}-a${uuid.slice(17, 20)}-${uuid.slice(20, 32)}`;
  return `${style < 0.9 ? '712020' : '557058'}:${formatted}`;
}

/** The generation index embedded in an account id, if it has the simulator's shape. */
export function indexOfAccountId(ctx: OrgGenerationContext, accountId: string): number | undefined {
  const head = (accountId.includes(':') ? accountId.slice(accountId.indexOf(':') + 1) : accountId).slice(0, 8);
  if (!/^[0-9a-f]{8}$/.test(head)) return undefined;
  return unscramble32(parseInt(head, 16), ctx.salt);
}

function isoDaysAgo(anchor: Date, days: number, rng: Random): string {
  return new Date(anchor.getTime() - days * DAY_MS + rng.int(DAY_MS)).toISOString();
}

/** How long ago a user was last active, in days; undefined = never. */
function lastActiveDaysAgo(rng: Random): number | undefined {
  const r = rng.next();
  if (r < 0.55) return rng.between(0, 14);
  if (r < 0.7) return rng.between(15, 60);
  if (r < 0.82) return rng.between(61, 180);
  if (r < 0.92) return rng.between(181, 720);
  return undefined;
}

function pickProducts(rng: Random): string[] {
  const keys = PRODUCT_SHARES.filter(([, share]) => rng.chance(share)).map(([key]) => key);
  return keys.length > 0 ? keys : ['jira-software'];
}

function productsWithDates(keys: string[], anchor: Date, daysAgo: number | undefined, rng: Random): SimProduct[] {
  return keys.map((key, i) => {
    const product: SimProduct = { key, name: PRODUCTS[key] ?? key };
    if (daysAgo !== undefined) product.lastActive = isoDaysAgo(anchor, daysAgo + (i === 0 ? 0 : rng.between(1, 30)), rng);
    return product;
  });
}

/** Whether a user counts as billable in Atlassian Guard. */
export function isBillable(user: Pick<SimUser, 'accountType' | 'accountStatus' | 'membershipStatus' | 'products'>): boolean {
  return (
    user.accountType === 'atlassian' &&
    user.accountStatus === 'active' &&
    user.membershipStatus === 'active' &&
    user.products.length > 0
  );
}

/** The user at `index` of the org, a pure function of (seed, org, index). */
export function generateUser(ctx: OrgGenerationContext, index: number): SimUser {
  const rng = userRandom(ctx, index);
  const accountId = accountIdFor(ctx, index, rng);
  const isOrgAdmin = index < ctx.adminCount;
  const synced = rng.next() < ctx.scimShare;
  const typeRoll = rng.next();
  const accountType: SimUser['accountType'] = synced || isOrgAdmin || typeRoll < 0.98 ? 'atlassian' : typeRoll < 0.99 ? 'app' : 'customer';

  const nameKey = (index * NAME_STEP + (ctx.salt % NAME_SPACE)) % NAME_SPACE;
  const first = FIRST_NAMES[nameKey % FIRST_NAMES.length] as string;
  const last = LAST_NAMES[Math.floor(nameKey / FIRST_NAMES.length)] as string;
  const cycle = Math.floor(index / NAME_SPACE);
  const name = accountType === 'app' ? rng.pick(APP_NAMES) : `${first} ${last}`;
  const emailLocal = `${asciiLocalPart(first)}.${asciiLocalPart(last)}${cycle > 0 ? cycle + 1 : ''}`;

  const statusRoll = rng.next();
  const accountStatus: SimUser['accountStatus'] = isOrgAdmin ? 'active' : statusRoll < 0.03 ? 'closed' : statusRoll < 0.1 ? 'inactive' : 'active';
  const membershipRoll = rng.next();
  const membershipStatus: SimUser['membershipStatus'] =
    isOrgAdmin ? 'active' : accountStatus === 'closed' ? 'no_membership' : membershipRoll < 0.05 ? 'suspended' : membershipRoll < 0.08 ? 'no_membership' : 'active';

  const daysAgo = isOrgAdmin ? rng.between(0, 3) : lastActiveDaysAgo(rng);
  const hasProducts =
    accountType === 'atlassian' && accountStatus === 'active' && membershipStatus !== 'no_membership' && (isOrgAdmin || rng.chance(0.84));
  const productKeys = isOrgAdmin ? ['jira-software', 'confluence'] : hasProducts ? pickProducts(rng) : [];
  const products = productsWithDates(productKeys, ctx.anchor, daysAgo, rng);
  const productDates = products.flatMap((p) => (p.lastActive === undefined ? [] : [p.lastActive])).sort();
  const lastActive = daysAgo === undefined ? undefined : (productDates.at(-1) ?? isoDaysAgo(ctx.anchor, daysAgo, rng));
  const addedToOrg = isoDaysAgo(ctx.anchor, (daysAgo ?? 0) + rng.between(1, 1500), rng);
  const hideEmail = accountType === 'app' || rng.chance(0.05);

  const user: SimUser = {
    accountId,
    accountType,
    name,
    nickname: accountType === 'app' ? name : asciiLocalPart(first) + asciiLocalPart(last).charAt(0),
    accountStatus,
    membershipStatus,
    managementSource: synced ? 'synced' : accountType === 'app' || rng.chance(0.04) ? null : 'invited',
    billable: false,
    isOrgAdmin,
    products,
    directoryId: synced ? ctx.scimDirectoryId : ctx.directoryId,
    addedToOrg,
    mfaEnabled: rng.chance(0.6),
  };
  if (!hideEmail) user.email = `${emailLocal}@${ctx.emailDomain}`;
  if (lastActive !== undefined) user.lastActive = lastActive;
  user.billable = isBillable(user);
  return user;
}

/** Builds the generation context of an org. */
export function orgContext(seed: number, orgId: string, name: string, anchor: Date, scimShare: number, adminCount: number): OrgGenerationContext {
  const slug = slugOf(name);
  return {
    seed,
    orgId,
    slug,
    emailDomain: `${slug}.example.com`,
    anchor,
    scimShare,
    adminCount,
    directoryId: deterministicUuid(seed, orgId, 'directory'),
    scimDirectoryId: deterministicUuid(seed, orgId, 'scim-directory'),
    salt: mix32(seed, hashString(`${orgId}|salt`)),
  };
}
