// Secrets at rest: passwords as argon2id (slow on purpose), session and API tokens as SHA-256
// (they are 256-bit random, so a fast hash is enough and lookups stay an index probe).
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

export const hashPassword = (password: string) => hash(password);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false; // a malformed stored hash never signs anyone in
  }
}

export const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** A fresh random secret, URL-safe. */
export const newSecret = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Compared against when the email is unknown, so a miss costs as long as a wrong password. */
let decoy: Promise<string> | undefined;
export const decoyHash = () => (decoy ??= hashPassword(newSecret()));
