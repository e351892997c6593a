/** Response schemas shared by routes whose answer is not a JSON object (for the OpenAPI document). */
import { z } from 'zod';

/** 204: nothing comes back. */
export const noContent = z.null().describe('No content');

/** A file download (CSV, JSON lines, a JSON or text export), streamed or sent as text by the handler. */
export const fileDownload = z.unknown().describe('The file (see Content-Type and Content-Disposition): CSV, JSON lines, JSON or text');
