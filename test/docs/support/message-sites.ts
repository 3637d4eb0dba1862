/**
 * Where gantry's code hands a person a message. A message is the text given to an error
 * constructor (the argument named in MESSAGE_ARGUMENT), to a printing call (PRINTING_CALLS:
 * `log.warning`, `log.error`, `setFailed`), a failed result's
 * `reason`/`why`, a problem `{ field, message }`, a parity finding's `message`, or an entry pushed
 * onto a `problems` / `warnings` / `notes` list. MessageCollector (message-collector.ts) finds
 * these sites; a new kind of site is taught here.
 */

/**
 * Which constructor argument of an error class is the text a person reads. A class that extends
 * one of these without its own constructor inherits the entry; any other error class makes the
 * test fail until it is listed here.
 */
export const MESSAGE_ARGUMENT: Record<string, number | number[] | 'constructor' | 'internal'> = {
  Error: 0,
  RangeError: 0,
  TypeError: 0,
  ActionFailure: 0,
  /** (recorded, message): release-gate's record failure, with its `recorded` output */
  RecordFailure: 1,
  /** (input, value, expected): printed `Input '<input>' has value '<value>': expected <expected>.` */
  InputError: 2,
  /** (input, { file, line }, problem) */
  VarFileError: 2,
  /** (line, problem) */
  DotenvSyntaxError: 1,
  /** (path, position, problem) */
  JsonPathError: 2,
  /** Its message is set in its constructor (collected there); the value is never shown. */
  NulCharacterError: 'constructor',
  /** (kind, problem, line, column): lib/runner/documents.ts; callers print `<file>:<line>: <problem>`. */
  DocumentError: 1,
  /** (source, flags, reason, fragment): printed `invalid regular expression /<source>/<flags>: <reason>`. */
  RegexError: 2,
  /** (filename, range, summary, detail): the summary is Terraform's (Go HCL's) diagnostic title. */
  HclSyntaxError: 2,
  /** (input, problems[]) — each problem is a `{ field, message }`. */
  CheckDefinitionError: 1,
  /** Its message is built by its constructor (collected there) from Terraform's own output. */
  TerraformCommandError: 'constructor',
  /** A reason for InputError('task-definition', …): the text is the `expected` part. */
  TemplateError: 0,
  /** json-errors.ts: control flow inside locateJsonError, always caught there; never printed. */
  Stop: 'internal',
  /** (what, deadline): its message is built by its constructor (lib/aws/deadline.ts, collected there). */
  DeadlineExceededError: 'constructor',
};

/**
 * Calls that print their arguments (several: joined as `<title>: <message>`). A plain name is any
 * function or method of that name; `file#name` is that file's function only.
 */
export const PRINTING_CALLS: Record<string, number[]> = {
  warning: [0],
  error: [0],
  setFailed: [0],
};
/** Lists whose entries are printed (check problems, resolution warnings, parity notes). */
export const MESSAGE_LISTS = new Set(['problems', 'warnings', 'notes']);
/** Objects that carry a printed `message`: check-definition problems (`field`), parity findings (`rule`). */
export const MESSAGE_OBJECT_MARKERS = ['field', 'rule'];
/** A failed result (`{ ok: false, reason }`, `{ state: 'failed', reason }`, `{ proven: false, why }`, …): its text is printed. */
export const FAILED_RESULT: Record<string, string[]> = {
  ok: ['false'],
  proven: ['false'],
  state: ['failed'],
  status: ['failed', 'timed-out'],
};
export const FAILED_RESULT_TEXT = ['reason', 'why'];
