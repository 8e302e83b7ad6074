/**
 * The few ways a question can fail. Only `NetpeekError`s are shown to users verbatim;
 * anything else is logged and replaced by a generic sentence (see `describeFailure`).
 */
export type ErrorCode =
  | 'bad_input' // the question itself is wrong: unknown command, bad name, bad flag
  | 'not_found' // the thing asked about does not exist
  | 'ambiguous' // several things match; the message lists them
  | 'forbidden' // not allowed for this user/channel, or by RBAC
  | 'backend_unavailable'; // Docker / Kubernetes / an agent could not be reached

export class NetpeekError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra lines safe to show: usage, an example, candidates. */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A mistake the user can fix by asking differently. CLI exit code 1. */
export class UserError extends NetpeekError {
  constructor(message: string, details: string[] = [], code: Exclude<ErrorCode, 'backend_unavailable'> = 'bad_input') {
    super(code, message, details);
  }
}

/** A backend (Docker engine, Kubernetes API, agent) did not answer. CLI exit code 2. */
export class BackendError extends NetpeekError {
  constructor(
    readonly backend: string,
    message: string,
    details: string[] = [],
  ) {
    super('backend_unavailable', message, details);
  }
}

export function isNetpeekError(err: unknown): err is NetpeekError {
  return err instanceof NetpeekError;
}

/** The sentence a user sees for any failure; never a stack trace. */
export function describeFailure(err: unknown): { message: string; details: string[]; code: ErrorCode | 'internal' } {
  if (isNetpeekError(err)) return { message: err.message, details: err.details, code: err.code };
  return {
    message: 'Something went wrong inside netpeek while answering; the error was logged.',
    details: [],
    code: 'internal',
  };
}
