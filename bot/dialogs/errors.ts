/** Loggable facts of an error: name, status and code, never a message that might hold user data. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; status?: unknown; code?: unknown; statusCode?: unknown };
    return { name: e.name, status: e.status ?? e.statusCode, code: e.code };
  }
  return { name: typeof error };
}
