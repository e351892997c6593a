/**
 * Names of detail keys and personal fields that are never shown or exported, whatever a writer
 * stored (recordAudit already refuses them; this covers older or careless writers). One pattern for
 * the viewer (JavaScript) and the export (PostgreSQL's case-insensitive `~*`).
 */
export const SECRET_NAME_PATTERN = 'token|secret|password|hash|pin|code|cookie|session_id';

export const SECRET_NAME = new RegExp(SECRET_NAME_PATTERN, 'i');
