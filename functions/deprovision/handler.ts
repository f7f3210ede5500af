/** Placeholder entry so the CDK stack can bundle and synthesize; the real handler replaces this file. */
export async function handler(): Promise<never> {
  throw new Error('functions/deprovision/handler.ts is a placeholder and has no behaviour yet');
}
