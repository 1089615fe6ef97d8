import AjvCompiler, { type BuildCompilerFromPool, type RouteDefinition } from '@fastify/ajv-compiler';

type Validate = ((data: unknown) => unknown) & { errors?: unknown };

/**
 * Fastify's own validators (the same Ajv, the same options), each compiled when its route is
 * first asked rather than all at start-up: compiling the forty-odd route schemas (and Ajv's
 * meta-schema) was a fifth of a restart, for routes most of which a given run never serves.
 * Fastify reads `errors` off the function after a failed call, so the wrapper passes it through.
 */
export function lazyValidators(): BuildCompilerFromPool {
  const build = AjvCompiler();
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    return (route: RouteDefinition) => {
      let validate: Validate | undefined;
      const lazy: Validate = (data) => (validate ??= compile(route) as Validate)(data);
      Object.defineProperty(lazy, 'errors', { get: () => validate?.errors });
      return lazy as unknown as ReturnType<typeof compile>;
    };
  };
}
