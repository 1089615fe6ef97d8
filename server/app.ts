import compress from '@fastify/compress';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import path from 'node:path';
import type { Clock } from './clock.js';
import { projectRoot, type Config } from './config.js';
import type { Database } from './db/database.js';
import type { DatabaseKind, Listen } from './db/connect.js';
import { registerErrorHandling } from './plugins/errors.js';
import { registerInputNormalising } from './plugins/input.js';
import { registerSecurityHeaders } from './plugins/security.js';
import { registerViews } from './plugins/views.js';
import { lazyValidators } from './plugins/validators.js';
import rateLimit from '@fastify/rate-limit';
import { registerAuth } from './plugins/auth.js';
import { configurePasswordHashing } from './modules/staff/passwords.js';
import { databaseRateLimitStore } from './plugins/rate-limit-store.js';
import { auditRoutes } from './modules/audit/routes.js';
import { catalogueRoutes } from './modules/catalogue/routes.js';
import { responsibilityRoutes } from './modules/responsibility/routes.js';
import { evidenceRoutes } from './modules/evidence/routes.js';
import { reportRoutes } from './modules/reports/routes.js';
import { healthRoutes } from './modules/health/routes.js';
import { staffRoutes } from './modules/staff/routes.js';
import { EngineCache } from './modules/engine/service.js';
import { questionnaireRoutes } from './modules/questionnaires/routes.js';
import { libraryRoutes } from './modules/library/routes.js';
import { accessRoutes } from './modules/access/routes.js';
import { trustPageRoutes } from './modules/trust-page/routes.js';
import { trustModelPages } from './modules/trust-page/pages.js';
import { trustApiRoutes } from './modules/trust-page/api.js';
import { ResponseCache, servePublicFromMemory, SiteCache } from './modules/trust-page/cache.js';
import { logsRequests } from './lib/access-log.js';
import { FrontDoor, serverWithFrontDoor } from './modules/trust-page/front-door.js';
import { subscriptionRoutes } from './modules/subscriptions/routes.js';
import { visitorQuestionRoutes } from './modules/visitor-questions/routes.js';
import { questionnairePages } from './modules/questionnaires/pages.js';
import { questionnaireExportPages } from './modules/questionnaires/export-pages.js';
import { registerMail } from './modules/mail/plugin.js';
import { registerApiDocs } from './plugins/api-docs.js';
import { appDatabase } from './app-database.js';
import { registerAuditCheckpoints } from './modules/audit/plugin.js';
import { registerDenialAudit } from './modules/audit/denials.js';
import { WorkerPool } from './modules/jobs/pool.js';
import { InProcessJobQueue, type JobQueue } from './modules/jobs/service.js';
import { jobRoutes } from './modules/jobs/routes.js';
import { answerQuestionnaireJob } from './modules/questionnaires/answer-job.js';
import { keepJobLeases } from './modules/jobs/leases.js';
import { listenForChanges } from './modules/changes/listener.js';
import { ssoRoutes } from './modules/sso/routes.js';
import { createOidcClient, type OidcClient } from './modules/sso/service.js';
import type { CustomFetch } from 'openid-client';
import { failInterrupted } from './modules/questionnaires/queries.js';

export interface AppDeps {
  db: Kysely<Database>;
  databaseKind: DatabaseKind;
  clock: Clock;
  /** PostgreSQL: how to receive the other instances' change notices (absent: poll). */
  listen?: Listen;
  /** Tests only: what the OpenID client uses to reach the provider. */
  oidcFetch?: CustomFetch;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    deps: AppDeps;
    /** The questionnaire engine over the current content, rebuilt when content changes. */
    engine: EngineCache;
    /** Worker threads for parsing, answering, exporting and watermarking. */
    pool: WorkerPool;
    /** Jobs (answering questionnaires): enqueue, run, progress. */
    jobs: JobQueue;
    /** The company's OpenID provider, when OIDC_ISSUER is set: sign-in, and sign-out there too. */
    oidc: OidcClient | null;
  }
}

/** Builds a ready, not listening, app. main.ts and every test use it. */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const frontDoor = new FrontDoor();
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Access tokens travel in paths (/access/<token>); never write them to the log.
      serializers: {
        req: (req) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
      },
    },
    logController: new AccessLog(),
    // Off unless configured, also in production: a forwarded address is believed only from a known proxy.
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    schemaController: { compilersFactory: { buildValidator: lazyValidators() } },
    serverFactory: serverWithFrontDoor(frontDoor),
  });
  app.decorate('config', config);
  configurePasswordHashing(config.passwordHashing);
  // Every audit entry the app writes is signed with the configured key; see app-database.ts.
  app.decorate('deps', { ...deps, db: appDatabase({ db: deps.db, kind: deps.databaseKind, close: async () => {} }, config, deps.clock).db });
  app.decorate('engine', new EngineCache(app.deps.db));
  app.decorate('oidc', createOidcClient(config, deps.clock, deps.oidcFetch));
  await registerJobs(app, config, app.deps);
  listenForChanges(app, deps.listen);

  registerErrorHandling(app);
  registerInputNormalising(app);
  const securityHeadersFor = await registerSecurityHeaders(app);
  // Before cookies are parsed and callers authenticated: the public's cached pages need neither.
  servePublicFromMemory(app);
  // Once the app is ready, repeats of those pages are answered before Fastify sees them.
  app.addHook('onReady', async () => frontDoor.open({ app, headersFor: securityHeadersFor }));
  app.addHook('preClose', async () => frontDoor.close());
  // Responses are compressed when the client asks (the cached public ones once, ahead of time);
  // request bodies are never inflated, so a small upload cannot expand into a large one.
  await app.register(compress, { global: true, encodings: ['br', 'gzip'], threshold: 1024, globalDecompression: false });
  await app.register(cookie, { secret: config.sessionSecret });
  await app.register(formbody);
  // Once for every route: the CSRF check reads a multipart form's token before the route reads its file.
  await app.register(multipart, { limits: { fileSize: config.uploadLimitBytes, files: 1, fields: 20, fieldSize: 10_000 } });
  await registerViews(app);
  await app.register(fastifyStatic, { root: path.join(projectRoot, 'web', 'static'), prefix: '/static/', maxAge: '1h' });

  // Limits are set per route (login, public forms); nothing is limited by default.
  // Several instances on PostgreSQL count together; the embedded database's one process counts in memory.
  await app.register(rateLimit, { global: false, ...(deps.databaseKind === 'postgres' ? { store: databaseRateLimitStore(app.deps.db) } : {}) });
  registerAuth(app);
  registerDenialAudit(app);
  registerMail(app, { background: config.env !== 'test' });
  registerAuditCheckpoints(app);
  await registerApiDocs(app);

  // Every route plugin, here and nowhere else: the list is the map of the app.
  app.decorate('publicResponses', new ResponseCache());
  app.decorate('site', new SiteCache(app));
  await app.register(healthRoutes);
  await app.register(staffRoutes);
  await app.register(ssoRoutes);
  await app.register(auditRoutes);
  await app.register(catalogueRoutes);
  await app.register(responsibilityRoutes);
  await app.register(evidenceRoutes);
  await app.register(reportRoutes);
  await app.register(questionnaireRoutes);
  await app.register(questionnairePages);
  await app.register(questionnaireExportPages);
  await app.register(libraryRoutes);
  await app.register(accessRoutes);
  await app.register(trustPageRoutes);
  await app.register(visitorQuestionRoutes);
  await app.register(trustModelPages);
  await app.register(trustApiRoutes);
  await app.register(subscriptionRoutes);
  await app.register(jobRoutes);
  return app;
}

/**
 * One worker pool per app. Answering takes at most all threads but one, so parsing, exports and
 * NDA watermarks always find a free thread; jobs beyond that wait, queued.
 */
async function registerJobs(app: FastifyInstance, config: Config, deps: AppDeps): Promise<void> {
  const { limits } = config;
  const pool = new WorkerPool({ threads: limits.workerThreads, memoryMb: limits.workerMemoryMb });
  const jobLimits = { instanceId: limits.instanceId, jobsPerInstance: limits.jobsPerInstance, jobsPerUser: limits.jobsPerUser, concurrency: Math.max(1, limits.workerThreads - 1), leaseMs: limits.jobLeaseMs };
  const runDeps = { db: deps.db, clock: deps.clock, log: app.log };
  // On PostgreSQL every instance takes jobs from one shared queue; the embedded database has one process.
  // pg-boss is loaded only there: the embedded database's start does not pay for it.
  let jobs: JobQueue;
  if (deps.databaseKind === 'postgres') {
    const { PostgresJobQueue } = await import('./modules/jobs/postgres-queue.js');
    const shared = new PostgresJobQueue(runDeps, jobLimits);
    app.addHook('onReady', async () => void (await shared.start()));
    jobs = shared;
  } else {
    jobs = new InProcessJobQueue(runDeps, jobLimits);
  }
  jobs.handle('questionnaire.answer', answerQuestionnaireJob({ db: deps.db, clock: deps.clock, config, pool }));
  app.decorate('pool', pool);
  app.decorate('jobs', jobs);
  // Questionnaires whose job failed with a lapsed lease fail too (no job will finish them).
  // Tests drive the heartbeat themselves; a fault test of a killed instance asks for the real timer.
  if (config.env !== 'test' || process.env.EVIDENT_JOB_HEARTBEAT === '1') keepJobLeases(app, jobs, limits.jobLeaseMs, async () => void (await failInterrupted(deps.db, deps.clock.now())));
  app.addHook('onClose', async () => {
    await jobs.close();
    // Jobs dropped from the in-process queue by close() leave their questionnaires waiting: fail those too
    // (on PostgreSQL the queued ones stay queued, with their questionnaires, for another instance).
    await failInterrupted(deps.db, deps.clock.now()).catch(() => {});
    await pool.close();
  });
}

/** A hop count trusts that many proxies nearest the server (what proxy-addr does for a number). */
function trustProxyOption(trust: Config['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return [...trust];
}

/**
 * The access log: one small line per response instead of Fastify's two with full request and
 * reply objects; on a page served from memory those would cost more than the response.
 */

class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (!error && !logsRequests(reply.log.level)) return;
    const line = { method: request.method, url: redactUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request');
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/access\/[A-Za-z0-9_-]{20,}/g, '/access/[redacted]');
}
