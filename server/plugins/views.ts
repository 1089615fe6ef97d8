import view from '@fastify/view';
import type { FastifyInstance } from 'fastify';
import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config.js';
import { helpers } from '../../web/helpers/index.js';

const webDir = path.join(projectRoot, 'web');

/** One Handlebars instance per app: partials from web/partials, helpers from web/helpers. */
export function createHandlebars(): typeof Handlebars {
  const hbs = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers)) hbs.registerHelper(name, fn as Handlebars.HelperDelegate);
  const partialsDir = path.join(webDir, 'partials');
  for (const file of readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'))) {
    hbs.registerPartial(file.replace(/\.hbs$/, ''), readFileSync(path.join(partialsDir, file), 'utf8'));
  }
  return hbs;
}

export async function registerViews(app: FastifyInstance): Promise<void> {
  await app.register(view, {
    engine: { handlebars: createHandlebars() },
    root: webDir,
    // Templates are read once per process in production; in development edits show on reload.
    production: app.config.env === 'production',
  });
}
