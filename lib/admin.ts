/**
 * The admin command, against the database of `SSVIRT_DB_PATH` (bootstrapped first, so an empty
 * file works):
 *
 *   npm run admin -- create-user --username u --org Acme [--password p] [--role "Organization Administrator"]...
 *                                [--full-name "…"] [--email a@b.c]
 *   npm run admin -- reset-password --username u [--password p]
 *   npm run admin -- backup <file>
 *
 * `backup` copies the database online (the server may keep running) into <file>; it needs an
 * existing database and changes nothing in it (no bootstrap). Restore: see lib/backup.ts.
 *
 * A password left out is generated and printed once; a given one is never printed. Resetting a
 * password ends the user's sessions. Exit codes: 0 done; 1 the operation failed (e.g. the username
 * is taken); 2 bad arguments (unknown command or option, invalid value, unknown org, role or user).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { pathToFileURL } from 'node:url';
import * as v from 'valibot';
import { loadConfig, ConfigError } from './config.ts';
import { createLog } from './log.ts';
import { bootstrap } from './bootstrap.ts';
import { atomic, closeDb, openDb, type Db } from '#db/client.ts';
import { findOrg, findOrgByName } from '#db/queries/orgs.ts';
import { findUserByUsername, updateUser } from '#db/queries/users.ts';
import { deleteUserSessions } from '#db/queries/sessions.ts';
import { hashPassword } from './auth/password.ts';
import { ApiError } from './http/errors.ts';
import { EmailSchema, PasswordSchema, UsernameSchema } from './users/schema.ts';
import { resolveRoles } from './users/refs.ts';
import { createUser } from './users/create.ts';
import { parseUrn, toUrn } from './urn.ts';
import { backupDatabase } from './backup.ts';

/** A mistake in the command line: exit code 2. */
class UsageError extends Error {}

type Values = Record<string, string | string[] | boolean | undefined>;

interface Command {
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments the command takes (none when left out). */
  positionals?: number;
  /** Works on an existing database only, without bootstrapping it. */
  existingOnly?: boolean;
  run(db: Db, o: Values, out: (line: string) => void, args: string[]): Promise<void>;
}

const COMMANDS: Record<string, Command> = {
  'create-user': {
    usage: 'create-user --username <name> --org <name|urn> [--password <pw>] [--role <name>]... [--full-name <text>] [--email <address>]',
    options: {
      username: { type: 'string' }, password: { type: 'string' }, org: { type: 'string' },
      role: { type: 'string', multiple: true }, 'full-name': { type: 'string' }, email: { type: 'string' },
    },
    async run(db, o, out) {
      const username = valid('--username', UsernameSchema, required(o, 'username'));
      const { password, generated } = passwordOf(o);
      const email = o.email === undefined ? undefined : valid('--email', EmailSchema, o.email);
      const orgName = required(o, 'org');
      const orgId = parseUrn('org', orgName);
      const org = (orgId && findOrg(db, orgId)) || findOrgByName(db, orgName);
      if (!org) throw new UsageError(`--org: no organization '${orgName}'`);
      const roleNames = o.role as string[] | undefined;
      const roles = await asUsage(() => resolveRoles(db, roleNames ? { values: roleNames, field: '--role' } : undefined));
      const id = await asUsage(() => createUser(db, { username, password, fullName: o['full-name'] as string | undefined, email, org, roles }, Date.now(), '--role'));
      out(`created user '${username}' (${toUrn('user', id)}) in organization '${org.name}' with role(s): ${roles.map((r) => r.name).join(', ')}`);
      if (generated) out(`generated password for '${username}': ${password}`);
    },
  },
  'reset-password': {
    usage: 'reset-password --username <name> [--password <pw>]',
    options: { username: { type: 'string' }, password: { type: 'string' } },
    async run(db, o, out) {
      const username = required(o, 'username');
      const user = findUserByUsername(db, username);
      if (!user) throw new UsageError(`--username: no user '${username}'`);
      const { password, generated } = passwordOf(o);
      const passwordHash = await hashPassword(password);
      atomic(db, () => {
        updateUser(db, user.id, { passwordHash, updatedAt: Date.now() });
        deleteUserSessions(db, user.id);
      });
      out(`reset the password of '${user.username}'; their sessions have ended`);
      if (generated) out(`generated password for '${user.username}': ${password}`);
    },
  },
  backup: {
    usage: 'backup <file>',
    options: {},
    positionals: 1,
    existingOnly: true,
    async run(db, _o, out, [file]) {
      const r = await backupDatabase(db, file!);
      out(`backed up ${r.pages} pages (${r.bytes} bytes) to ${r.file} in ${r.ms} ms`);
    },
  },
};

function required(o: Values, name: string): string {
  const value = o[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function valid<S extends v.GenericSchema>(flag: string, schema: S, value: unknown): v.InferOutput<S> {
  const r = v.safeParse(schema, value);
  if (!r.success) throw new UsageError(`${flag}: ${r.issues[0]!.message}`);
  return r.output;
}

function passwordOf(o: Values): { password: string; generated: boolean } {
  if (o.password === undefined) return { password: randomBytes(18).toString('base64url'), generated: true };
  return { password: valid('--password', PasswordSchema, o.password), generated: false };
}

/** Turns the API's 400s (bad roles, roles that do not fit the org) into usage errors; others stay failures. */
async function asUsage<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ApiError && e.minorErrorCode === 'BAD_REQUEST') throw new UsageError(e.message);
    throw e;
  }
}

function usage(): string {
  return ['usage: npm run admin -- <command> [options]', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join('\n');
}

export interface Io {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
}

const processIo: Io = {
  env: process.env,
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
};

/** Runs one command line; answers the exit code. */
export async function main(argv: string[], { env, out, err }: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' || name === '--help' || name === '-h') { out(usage()); return 0; }
  const command = name ? COMMANDS[name] : undefined;
  if (!command) { err(`${name ? `unknown command '${name}'` : 'no command given'}\n${usage()}`); return 2; }
  let db: Db | undefined;
  try {
    let values: Values;
    let positionals: string[];
    try {
      const parsed = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: !!command.positionals });
      values = parsed.values as Values;
      positionals = parsed.positionals;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    if (positionals.length !== (command.positionals ?? 0)) throw new UsageError(`expected ${command.positionals ?? 0} argument(s), got ${positionals.length}`);
    const config = loadConfig(env);
    if (command.existingOnly && (config.dbPath === ':memory:' || !existsSync(config.dbPath))) {
      throw new UsageError(`no database at SSVIRT_DB_PATH=${config.dbPath}`);
    }
    db = openDb(config.dbPath);
    const log = createLog(config.logLevel, process.stderr);
    if (!command.existingOnly) await bootstrap(db, { adminUsername: config.adminUsername, adminPassword: config.adminPassword, log });
    await command.run(db, values, out, positionals);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) { err(`ssvirt-admin: ${e.message}\nusage: npm run admin -- ${command.usage}`); return 2; }
    if (e instanceof ApiError) { err(`ssvirt-admin: ${e.message}`); return 1; }
    err(`ssvirt-admin: failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    if (db) closeDb(db);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
