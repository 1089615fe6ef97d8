import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import path from 'node:path';
import type { Clock } from './clock.js';
import { projectRoot, type Config } from './config.js';
import type { Database } from './db/database.js';
import type { DatabaseKind } from './db/connect.js';
import { registerErrorHandling } from './plugins/errors.js';
import { registerSecurityHeaders } from './plugins/security.js';
import { registerViews } from './plugins/views.js';
import rateLimit from '@fastify/rate-limit';
import { registerAuth } from './plugins/auth.js';
import { auditRoutes } from './modules/audit/routes.js';
import { operatingModelRoutes } from './modules/operating-model/routes.js';
import { healthRoutes } from './modules/health/routes.js';
import { staffRoutes } from './modules/staff/routes.js';
import { EngineCache } from './modules/engine/service.js';
import { questionnaireRoutes } from './modules/questionnaires/routes.js';
import { libraryRoutes } from './modules/library/routes.js';
import { accessRoutes } from './modules/access/routes.js';
import { trustPageRoutes } from './modules/trust-page/routes.js';
import { registerMail } from './modules/mail/plugin.js';
import { registerApiDocs } from './plugins/api-docs.js';
import { WorkerPool } from './modules/jobs/pool.js';
import { InProcessJobQueue, type JobQueue } from './modules/jobs/service.js';
import { jobRoutes } from './modules/jobs/routes.js';
import { answerQuestionnaireJob } from './modules/questionnaires/answer-job.js';

export interface AppDeps {
  db: Kysely<Database>;
  databaseKind: DatabaseKind;
  clock: Clock;
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
  }
}

/** Builds a ready, not listening, app. main.ts and every test use it. */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Access tokens travel in paths (/access/<token>); never write them to the log.
      serializers: {
        req: (req) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
      },
    },
    trustProxy: config.env === 'production',
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
  });
  app.decorate('config', config);
  app.decorate('deps', deps);
  app.decorate('engine', new EngineCache(deps.db));
  registerJobs(app, config, deps);

  registerErrorHandling(app);
  await registerSecurityHeaders(app);
  await app.register(cookie, { secret: config.sessionSecret });
  await app.register(formbody);
  await registerViews(app);
  await app.register(fastifyStatic, { root: path.join(projectRoot, 'web', 'static'), prefix: '/static/', maxAge: '1h' });

  // Limits are set per route (login, public forms); nothing is limited by default.
  await app.register(rateLimit, { global: false });
  registerAuth(app);
  registerMail(app, { background: config.env !== 'test' });
  await registerApiDocs(app);

  await app.register(healthRoutes);
  await app.register(staffRoutes);
  await app.register(auditRoutes);
  await app.register(operatingModelRoutes);
  await app.register(questionnaireRoutes);
  await app.register(libraryRoutes);
  await app.register(accessRoutes);
  await app.register(trustPageRoutes);
  await app.register(jobRoutes);
  return app;
}

/**
 * One worker pool per app. Answering takes at most all threads but one, so parsing, exports and
 * NDA watermarks always find a free thread; jobs beyond that wait, queued.
 */
function registerJobs(app: FastifyInstance, config: Config, deps: AppDeps): void {
  const { limits } = config;
  const pool = new WorkerPool({ threads: limits.workerThreads, memoryMb: limits.workerMemoryMb });
  const jobs = new InProcessJobQueue(
    { db: deps.db, clock: deps.clock, log: app.log },
    { instanceId: limits.instanceId, jobsPerInstance: limits.jobsPerInstance, jobsPerUser: limits.jobsPerUser, concurrency: Math.max(1, limits.workerThreads - 1) },
  );
  jobs.handle('questionnaire.answer', answerQuestionnaireJob({ db: deps.db, clock: deps.clock, config, pool }));
  app.decorate('pool', pool);
  app.decorate('jobs', jobs);
  app.addHook('onClose', async () => {
    await jobs.close();
    await pool.close();
  });
}

export function redactUrl(url: string): string {
  return url.replace(/\/access\/[A-Za-z0-9_-]{20,}/g, '/access/[redacted]');
}
