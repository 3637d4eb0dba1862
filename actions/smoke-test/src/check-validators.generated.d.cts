// Types of check-validators.generated.cjs (written by scripts/gen-check-validators.ts).
import type { ValidateFunction } from 'ajv';

declare const validators: Record<string, ValidateFunction>;
export = validators;
