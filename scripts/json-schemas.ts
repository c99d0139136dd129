/**
 * The JSON Schemas of docs/schemas/ that are generated from the contract's zod schemas, as the
 * files hold them: `z.toJSONSchema` (draft 2020-12), then formatted as Prettier formats the repo.
 * The call event's schema is hand-written: its zod schema transforms what it parses.
 */
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { usageReplySchema } from '../contract/usage-reply.js';

const generated: Record<string, z.ZodType> = {
  'docs/schemas/usage-reply.schema.json': usageReplySchema,
};

export interface SchemaFile {
  /** Relative to the repository root. */
  readonly path: string;
  readonly text: string;
}

/** Every generated schema file; `$id`, title and description first, as a reader looks for them. */
export async function jsonSchemaFiles(root: string): Promise<SchemaFile[]> {
  return Promise.all(
    Object.entries(generated).map(async ([path, schema]) => {
      const { $schema, title, description, ...rest } = z.toJSONSchema(schema, {
        target: 'draft-2020-12',
      });
      const $id = `https://voice-credits.example/schemas/${path.slice(path.lastIndexOf('/') + 1)}`;
      // Indented, so Prettier keeps every object open as the hand-written schemas are.
      const json = JSON.stringify({ $schema, $id, title, description, ...rest }, null, 2);
      const options = await resolveConfig(`${root}/${path}`);
      return { path, text: await format(json, { ...options, filepath: path }) };
    }),
  );
}
