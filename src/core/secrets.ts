/**
 * Redaction of secret values (HF tokens, API keys) from everything kindling logs, records or
 * prints in an error. Values are registered when read (e.g. from the env var named by
 * --hf-token-env); well-known token shapes are caught even when nobody registered them.
 */
const TOKEN_PATTERNS: RegExp[] = [
  /\bhf_[A-Za-z0-9]{10,}\b/g, // Hugging Face user access tokens
  /\bsk-[A-Za-z0-9_-]{16,}\b/g, // OpenAI-style API keys
  /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, // Authorization headers
  /\b((?:HF_TOKEN|HUGGING_FACE_HUB_TOKEN|OPENAI_API_KEY|API_KEY|TOKEN|PASSWORD)=)[^\s'"]+/g,
];

export const REDACTED = '***';

export class Redactor {
  private readonly values = new Set<string>();

  /** Registers a secret value; short values are ignored (they would redact ordinary text). */
  add(value: string | undefined): void {
    if (value !== undefined && value.length >= 6) this.values.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const value of this.values) out = out.split(value).join(REDACTED);
    for (const pattern of TOKEN_PATTERNS) {
      out = out.replace(pattern, (match, prefix: unknown) => (typeof prefix === 'string' ? prefix + REDACTED : REDACTED));
    }
    return out;
  }
}
