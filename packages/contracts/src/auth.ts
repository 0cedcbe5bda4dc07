import { z } from 'zod';

export const roles = ['admin', 'researcher', 'annotator'] as const;

/** The session cookie's name: set by sign-in, read by the API, the pages and the proxy. */
export const SESSION_COOKIE = 'segmenta_session';
export type Role = (typeof roles)[number];

const email = z.string().trim().toLowerCase().email('must be an email address').max(200);
/** Long enough to resist guessing; no composition rules (NIST 800-63B). */
const newPassword = z.string().min(10, 'must be at least 10 characters').max(200, 'must be at most 200 characters');

export const signInBodySchema = z.object({ email, password: z.string().min(1, 'is required').max(200) }).strict();
export const changePasswordBodySchema = z.object({ currentPassword: z.string().min(1, 'is required').max(200), newPassword }).strict();

export const createUserBodySchema = z
  .object({ email, name: z.string().trim().max(100).optional(), password: newPassword, role: z.enum(roles).default('annotator') })
  .strict();
export const updateUserBodySchema = z
  .object({ name: z.string().trim().max(100).optional(), role: z.enum(roles).optional(), disabled: z.boolean().optional(), password: newPassword.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'change at least one field' });
export const userIdParamSchema = z.object({ userId: z.string().uuid('must be a user id (UUID)') });

export const createTokenBodySchema = z
  .object({ name: z.string().trim().min(1, 'is required').max(100), expiresInDays: z.number().int().min(1).max(3650).optional() })
  .strict();
export const tokenIdParamSchema = z.object({ tokenId: z.string().uuid('must be a token id (UUID)') });

/** Project roles: `admin` is the project's owner (manages members); the others as the global roles. */
export const setMemberBodySchema = z.object({ email, role: z.enum(roles) }).strict();
export const memberParamSchema = z.object({ projectId: z.string().uuid('must be a project id (UUID)'), userId: z.string().uuid('must be a user id (UUID)') });

export interface UserDto {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export interface MeDto extends UserDto {
  memberships: { projectId: string; projectName: string; role: Role }[];
  via: 'session' | 'token';
}

export interface ApiTokenDto {
  id: string;
  name: string;
  /** The first characters, so a person can tell tokens apart; the secret is shown once, at creation. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface CreatedTokenDto extends ApiTokenDto {
  token: string;
}

export interface MemberDto {
  userId: string;
  email: string;
  name: string | null;
  role: Role;
}

export interface AuditEntryDto {
  id: string;
  actorEmail: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details: unknown;
  createdAt: string;
}

export const auditQuerySchema = z
  .object({ limit: z.coerce.number().int().min(1).max(500).default(100), action: z.string().max(100).regex(/^[a-z.]+$/, 'may hold lower-case letters and dots only').optional() })
  .strict();
