import { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';

/** Documents a route's request body in OpenAPI from the same zod schema that validates it. */
export const ApiCommandBody = (schema: z.ZodType) =>
  ApiBody({
    schema: z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) as Record<string, unknown>,
  });
