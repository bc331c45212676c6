// Free-text scrubbing for log lines and reasons that leave a process: what no structured redaction can reach.

const CENSOR = '[redacted]';

/**
 * Removes secrets from free text (error messages, stacks, URLs) that no redact path can reach: the password of a
 * URL's user info, Authorization header values (Basic, Digest, Bearer) and key=value pairs named like secrets
 * (btminer numbers its pool passwords: passwd1..3).
 */
export function scrubSecrets(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]*@/gi, `$1:${CENSOR}@`)
    .replace(/\b((?:proxy-)?authorization)(["']?\s*[:=]\s*)[^\r\n,}]*/gi, `$1$2${CENSOR}`)
    .replace(
      /\b(digest|basic|bearer)\s+[A-Za-z0-9._~+/=-]+(?:\s*,\s*[a-z]+=(?:"[^"]*"|[^\s,]*))*/gi,
      `$1 ${CENSOR}`,
    )
    .replace(
      /\b((?:password|passwd|pwd|pass|secret|token|response)\d*)=("[^"]*"|[^\s&,;"']*)/gi,
      `$1=${CENSOR}`,
    );
}
