/**
 * Every error the API returns has one shape: `{ "error": { "code", "message", "details"? } }`.
 */
import type { Json } from '@ovsdb-web/client';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Json,
  ) {
    super(message);
  }

  toBody(): { error: { code: string; message: string; details?: Json } } {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export const notFound = (message: string, details?: Json): ApiError => new ApiError(404, 'not_found', message, details);
export const badRequest = (message: string, details?: Json): ApiError => new ApiError(400, 'bad_request', message, details);
export const unavailable = (message: string, details?: Json): ApiError => new ApiError(503, 'unavailable', message, details);
export const forbidden = (message: string): ApiError => new ApiError(403, 'forbidden', message);
export const unauthorized = (message: string): ApiError => new ApiError(401, 'unauthorized', message);
