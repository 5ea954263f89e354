import { HOOK_POINTS } from '../../plan/hooks.js';
import type { FailoverReport } from '../types.js';
import { esc } from './escape.js';

/** Hook outcomes in the colours the fencing table uses (style.ts): ok green, failed red. */
const STATUS_CLASS: Record<string, string> = {
  ok: 'status-succeeded',
  failed: 'status-failed',
  'timed-out': 'status-failed',
  skipped: '',
  'not-reached': '',
  pending: '',
};

/**
 * The plan's hooks (src/report/hooks.ts), one row per point in workflow order: what came of each
 * and why. Left out when the plan has none, as the Markdown report does.
 */
export function hooks(report: FailoverReport): string {
  const rows = HOOK_POINTS.flatMap((point) => {
    const h = report.hooks[point];
    if (!h) return [];
    return [
      `<tr><td>${esc(point)}</td><td>${esc(h.function ?? '(plan hook)')}</td><td>${esc(h.onFailure ?? '')}</td><td class="${STATUS_CLASS[h.status] ?? ''}">${esc(h.status.toUpperCase())}</td><td>${esc(`${h.seconds} s`)}</td><td>${esc(h.detail)}</td></tr>`,
    ];
  });
  if (rows.length === 0) return '';
  return `<section id="hooks"><h2>Hooks</h2><table><thead><tr><th>Point</th><th>Function</th><th>On failure</th><th>Outcome</th><th>Duration</th><th>Detail</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}
